import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { alertsIndexName, eventsIndexName } from '@sentrail/lib/elastic';
import type { RouteGroup } from '../app.js';
import { QUERY_LIMITS } from '../query/parser.js';
import { startTestApi, type TestApi } from '../testing.js';
import { searchRoutes } from './search.js';
import { trailRoutes } from './trails.js';

// Thirty events over two days (27 and 28 November), and one on either side of that range.
const FROM = '2026-11-27T00:00:00.000Z';
const TO = '2026-11-29T00:00:00.000Z';

type Seed = Partial<Omit<EcsDocument, 'event'>> & { event?: Partial<EcsDocument['event']> };

const cloudtrail = (
  user: string,
  action: string,
  outcome: 'success' | 'failure',
  ip: string,
  more: Seed = {},
): Seed => ({
  ...more,
  user: { name: user, ...more.user },
  source: { ip },
  event: { action, outcome, dataset: 'aws.cloudtrail', ...more.event },
});
const wazuh = (host: string, action: string, severity: number, more: Seed = {}): Seed => ({
  ...more,
  host: { name: host },
  event: { action, outcome: 'failure', severity, dataset: 'wazuh.alerts', ...more.event },
});
const cardFile = { type: 's3-object', id: 'arn:aws:s3:::cde-bucket/card.csv', name: 'card.csv' };
const trail = { type: 'cloudtrail-trail', name: 'main-trail' };
const deployer = 'system:serviceaccount:kube-system:deployer';
const sshFailure = (ip: string) => ({
  message: `sshd: authentication failure for root from ${ip}`,
  source: { ip },
  related: { user: ['root'] },
});

const SEEDS: [string, string, Seed][] = [
  ['e31', '2026-11-26T23:59:59.999Z', cloudtrail('alice', 'ConsoleLogin', 'success', '10.0.0.5')],
  ['e01', '2026-11-27T08:00:00.000Z', cloudtrail('alice', 'ConsoleLogin', 'success', '10.0.0.5')],
  [
    'e02',
    '2026-11-27T08:05:00.000Z',
    cloudtrail('alice', 'PutObject', 'success', '10.0.0.5', { resource: cardFile, labels: { cde: true } }),
  ],
  [
    'e03',
    '2026-11-27T09:00:00.000Z',
    cloudtrail('bob', 'ConsoleLogin', 'failure', '192.168.1.20', { message: 'Failed authentication' }),
  ],
  ['e04', '2026-11-27T09:10:00.000Z', cloudtrail('bob', 'ConsoleLogin', 'success', '192.168.1.20')],
  ['e05', '2026-11-27T10:00:00.000Z', cloudtrail('bob', 'DeleteTrail', 'failure', '192.168.1.20', { resource: trail })],
  [
    'e06',
    '2026-11-27T11:00:00.000Z',
    {
      user: { name: 'admin-bot' },
      source: { address: 'cloudformation.amazonaws.com' },
      event: { action: 'AssumeRole', outcome: 'success' },
    },
  ],
  ['e07', '2026-11-27T12:00:00.000Z', wazuh('web-01', 'sshd-auth-failure', 10, sshFailure('203.0.113.9'))],
  ['e08', '2026-11-27T12:01:00.000Z', wazuh('web-01', 'sshd-auth-failure', 10, sshFailure('203.0.113.9'))],
  [
    'e09',
    '2026-11-27T12:02:00.000Z',
    wazuh('web-01', 'sshd-max-attempts', 12, {
      message: 'sshd: maximum authentication attempts exceeded for root',
      related: { user: ['root'] },
    }),
  ],
  ['e10', '2026-11-27T13:00:00.000Z', wazuh('db-01', 'file-modified', 7, { file: { path: '/etc/passwd' } })],
  [
    'e11',
    '2026-11-27T14:00:00.000Z',
    cloudtrail(deployer, 'create', 'success', '10.0.1.7', { resource: { type: 'pods', name: 'api-7f9' } }),
  ],
  [
    'e12',
    '2026-11-27T15:00:00.000Z',
    cloudtrail('alice', 'GetObject', 'success', '10.0.0.5', { resource: cardFile, labels: { cde: true } }),
  ],
  ['e13', '2026-11-27T16:00:00.000Z', cloudtrail('carol', 'ListBuckets', 'success', '10.0.0.6')],
  ['e14', '2026-11-27T23:59:59.999Z', cloudtrail('alice', 'Logout', 'success', '10.0.0.5')],
  ['e15', '2026-11-28T00:00:00.000Z', cloudtrail('alice', 'ConsoleLogin', 'success', '10.0.0.5')],
  ['e16', '2026-11-28T01:00:00.000Z', cloudtrail('bob', 'ConsoleLogin', 'failure', '192.168.1.20')],
  ['e17', '2026-11-28T01:01:00.000Z', cloudtrail('bob', 'ConsoleLogin', 'failure', '192.168.1.20')],
  ['e18', '2026-11-28T01:02:00.000Z', cloudtrail('bob', 'ConsoleLogin', 'success', '192.168.1.20')],
  ['e19', '2026-11-28T02:00:00.000Z', cloudtrail('bob', 'StopLogging', 'success', '192.168.1.20', { resource: trail })],
  ['e20', '2026-11-28T03:00:00.000Z', wazuh('web-01', 'sshd-auth-failure', 5, sshFailure('203.0.113.9'))],
  [
    'e21',
    '2026-11-28T04:00:00.000Z',
    cloudtrail('Alice.Admin', 'CreateUser', 'success', '10.0.0.5', {
      user: { target: { name: 'mallory' } },
      related: { user: ['Alice.Admin', 'mallory'] },
    }),
  ],
  ['e22', '2026-11-28T05:00:00.000Z', cloudtrail('mallory', 'ConsoleLogin', 'success', '198.51.100.7')],
  [
    'e23',
    '2026-11-28T05:30:00.000Z',
    cloudtrail('mallory', 'GetObject', 'success', '198.51.100.7', { resource: cardFile, labels: { cde: true } }),
  ],
  [
    'e24',
    '2026-11-28T06:00:00.000Z',
    cloudtrail(deployer, 'delete', 'success', '10.0.1.7', { resource: { type: 'pods', name: 'api-7f9' } }),
  ],
  [
    'e25',
    '2026-11-28T07:00:00.000Z',
    {
      user: { id: 'AIDAEXAMPLE' },
      source: { ip: '10.0.0.8' },
      event: { action: 'GetCallerIdentity', outcome: 'success' },
    },
  ],
  [
    'e26',
    '2026-11-28T08:00:00.000Z',
    { event: { action: 'heartbeat', outcome: 'unknown' }, related: { ip: ['10.9.9.9'] } },
  ],
  [
    'e27',
    '2026-11-28T09:00:00.000Z',
    cloudtrail('carol', 'PutBucketPolicy', 'failure', '10.0.0.6', { error: { message: 'Access Denied' } }),
  ],
  ['e28', '2026-11-28T10:00:00.000Z', wazuh('db-01', 'file-modified', 7, { file: { path: '/etc/shadow' } })],
  ['e29', '2026-11-28T11:00:00.000Z', cloudtrail('alice', 'ConsoleLogin', 'success', '10.0.0.5')],
  ['e30', '2026-11-28T11:00:00.000Z', cloudtrail('alice', 'GetObject', 'success', '10.0.0.5', { resource: cardFile })],
  ['e32', '2026-11-29T00:00:00.000Z', cloudtrail('alice', 'ConsoleLogin', 'success', '10.0.0.5')],
];

function document([id, at, seed]: [string, string, Seed]): EcsDocument {
  return {
    ...seed,
    '@timestamp': at,
    event: {
      id,
      kind: 'event',
      module: 'test',
      dataset: 'test',
      outcome: 'unknown',
      ...seed.event,
      original: `{"raw":"${id}"}`,
    },
  };
}

const EVENTS = SEEDS.map(document);
const IN_RANGE = EVENTS.filter((event) => event['@timestamp'] >= FROM && event['@timestamp'] < TO);
/** The ids of the events in range that `keep` accepts. */
const idsWhere = (keep: (event: EcsDocument) => boolean) =>
  IN_RANGE.filter(keep)
    .map((event) => event.event.id)
    .sort();

interface SearchAnswer {
  total: number;
  hits: { id: string; document: EcsDocument }[];
  cursor?: string;
}
interface ErrorAnswer {
  statusCode: number;
  error: string;
  message: string;
  position?: number;
}
interface TrailAnswer {
  kind: string;
  value: string;
  from: string;
  to: string;
  total: number;
  rows: Record<string, string | null>[];
  cursor?: string;
}

/** A cursor with some of its content replaced, as a client could forge it. */
function recode(cursor: string, changes: Record<string, unknown>): string {
  const content = JSON.parse(inflateRawSync(Buffer.from(cursor, 'base64url')).toString()) as Record<string, unknown>;
  return deflateRawSync(JSON.stringify({ ...content, ...changes })).toString('base64url');
}

describe('search and trails (real Elasticsearch)', () => {
  let api: TestApi;
  const audits: unknown[] = [];

  /** The two groups, with a hook beside them that keeps what each request gives the access record. */
  const audited: RouteGroup = async (app, options) => {
    app.addHook('onResponse', async (request) => {
      audits.push(request.audit);
    });
    await app.register(searchRoutes, options);
    await app.register(trailRoutes, options);
  };

  before(async () => {
    api = await startTestApi([audited]);
    await api.deps.elastic.bulk({
      refresh: true,
      operations: EVENTS.flatMap((event) => [
        { create: { _index: eventsIndexName(api.prefix, event['@timestamp']), _id: event.event.id } },
        event,
      ]),
    });
  });
  after(() => api.close());

  const post = (url: string, payload: object, role: 'analyst' | 'auditor' = 'analyst') =>
    api.request(role, { method: 'POST', url, payload });
  const search = async (payload: object) => {
    const response = await post('/v1/search', { from: FROM, to: TO, ...payload });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<SearchAnswer>();
  };
  const found = async (query: string) => (await search({ query, size: 100 })).hits.map((hit) => hit.id).sort();
  const refused = async (options: InjectOptions) => {
    const response = await api.request('analyst', options);
    assert.equal(response.statusCode, 400, response.body);
    return response.json<ErrorAnswer>();
  };
  const trail = async (path: string, query = `from=${FROM}&to=${TO}`) => {
    const response = await api.request('auditor', { url: `/v1/trails/${path}?${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<TrailAnswer>();
  };

  it('answers 401 without a key, 403 to an admin, and serves analysts and auditors on every route', async () => {
    const range = { from: FROM, to: TO };
    const routes: (InjectOptions & { url: string })[] = [
      { method: 'POST', url: '/v1/search', payload: range },
      { method: 'POST', url: '/v1/search/counts', payload: { ...range, field: 'event.outcome' } },
      { method: 'POST', url: '/v1/search/histogram', payload: range },
      { method: 'GET', url: '/v1/events/e01' },
      { method: 'GET', url: `/v1/trails/user/alice?from=${FROM}&to=${TO}` },
    ];
    for (const route of routes) {
      assert.equal((await api.request(undefined, route)).statusCode, 401, route.url);
      assert.equal((await api.request('admin', route)).statusCode, 403, route.url);
      assert.equal((await api.request('analyst', route)).statusCode, 200, route.url);
      assert.equal((await api.request('auditor', route)).statusCode, 200, route.url);
    }
  });

  it('finds what each kind of query asks for, within the time range only', async () => {
    const cases: [string, (event: EcsDocument) => boolean][] = [
      ['', () => true],
      ['user.name:alice', (e) => e.user?.name === 'alice'],
      ['user.name:AL*', (e) => /^al/i.test(e.user?.name ?? '')],
      ['user.name:?ob', (e) => e.user?.name === 'bob'],
      ['event.severity >= 10', (e) => (e.event.severity ?? 0) >= 10],
      [
        'event.severity:[5 TO 7]',
        (e) => e.event.severity !== undefined && e.event.severity >= 5 && e.event.severity <= 7,
      ],
      ['event.outcome:failure AND NOT user.name:bob', (e) => e.event.outcome === 'failure' && e.user?.name !== 'bob'],
      ['message:"authentication failure"', (e) => e.message?.includes('authentication failure') ?? false],
      [
        '(user.name:bob OR user.name:carol) event.outcome:failure',
        (e) => ['bob', 'carol'].includes(e.user?.name ?? '') && e.event.outcome === 'failure',
      ],
      [
        'user.name:bob OR user.name:carol AND event.outcome:failure',
        (e) => e.user?.name === 'bob' || (e.user?.name === 'carol' && e.event.outcome === 'failure'),
      ],
      ['@timestamp < 2026-11-28', (e) => e['@timestamp'] < '2026-11-28'],
      ['@timestamp:2026-11-28', (e) => e['@timestamp'].startsWith('2026-11-28')],
      ['source.ip:10.0.0.0/24', (e) => e.source?.ip?.startsWith('10.0.0.') ?? false],
      [`user.name:${deployer}`, (e) => e.user?.name === deployer],
      ['NOT user.name:*', (e) => e.user?.name === undefined],
      [
        'user.name:(bob OR carol) NOT event.outcome:success',
        (e) => ['bob', 'carol'].includes(e.user?.name ?? '') && e.event.outcome !== 'success',
      ],
      ['labels.cde:true', (e) => e.labels?.cde === true],
      [
        'resource.id:"arn:aws:s3:::cde-bucket/card.csv" AND NOT event.action:GetObject',
        (e) => e.resource?.id === cardFile.id && e.event.action !== 'GetObject',
      ],
      ['mallory', (e) => e.user?.name === 'mallory' || e.user?.target?.name === 'mallory'],
      ['"Access Denied"', (e) => e.error?.message === 'Access Denied'],
      ['203.0.113.9', (e) => e.source?.ip === '203.0.113.9'],
      ['file.path:/etc/*', (e) => e.file?.path?.startsWith('/etc/') ?? false],
    ];
    for (const [query, keep] of cases) assert.deepEqual(await found(query), idsWhere(keep), query);
  });

  it('returns hits newest first, with their documents but without event.original, and the total', async () => {
    const answer = await search({ query: 'user.name:alice', size: 3 });
    assert.equal(answer.total, idsWhere((e) => e.user?.name === 'alice').length);
    assert.equal(answer.hits.length, 3);
    assert.deepEqual(
      answer.hits.map((hit) => hit.document['@timestamp']),
      ['2026-11-28T11:00:00.000Z', '2026-11-28T11:00:00.000Z', '2026-11-28T00:00:00.000Z'],
    );
    const first = answer.hits[0]!;
    assert.equal(first.document.event.id, first.id);
    assert.equal(first.document.user?.name, 'alice');
    assert.equal(first.document.event.original, undefined);
  });

  it('answers a syntax error with 400 and its position', async () => {
    const answer = await refused({
      method: 'POST',
      url: '/v1/search',
      payload: { query: 'user.name:alice )', from: FROM, to: TO },
    });
    assert.deepEqual(answer, { statusCode: 400, error: 'Bad Request', message: "unexpected ')' at 16", position: 16 });
    const unclosed = await refused({
      method: 'POST',
      url: '/v1/search/counts',
      payload: { query: 'x:"a', from: FROM, to: TO, field: 'user.name' },
    });
    assert.equal(unclosed.position, 2);
  });

  it('answers an unknown field, or a value its field cannot hold, with 400 naming the field', async () => {
    const unknown = await refused({
      method: 'POST',
      url: '/v1/search',
      payload: { query: 'a AND usr.name:alice', from: FROM, to: TO },
    });
    assert.match(unknown.message, /^unknown field 'usr.name' at 6/);
    assert.equal(unknown.position, 6);
    const date = await refused({
      method: 'POST',
      url: '/v1/search/histogram',
      payload: { query: '@timestamp > soon', from: FROM, to: TO },
    });
    assert.match(date.message, /'soon' at 13 is not an ISO 8601 date.*'@timestamp'/);
    const ip = await refused({
      method: 'POST',
      url: '/v1/search',
      payload: { query: 'source.ip:10.0.0.*', from: FROM, to: TO },
    });
    assert.match(ip.message, /'source.ip' is an ip field/);
  });

  it('runs the largest query the limits allow without Elasticsearch refusing it', async () => {
    const bare = Array.from({ length: QUERY_LIMITS.clauses - 1 }, (_, i) => `10.0.${i}.1`).join(' OR ');
    const pattern = '*a?'.repeat(QUERY_LIMITS.wildcardLength / 4) + 'b*';
    assert.equal((await search({ query: `${bare} OR message:${pattern}` })).total, 0);
  });

  it('pages through every hit with the cursor alone: none repeated, none missing, in order', async () => {
    for (const sort of [
      undefined,
      [{ field: 'user.name', order: 'asc' }],
      [{ field: 'event.severity', order: 'desc' }],
    ]) {
      const whole = await search({ size: 100, ...(sort ? { sort } : {}) });
      assert.equal(whole.total, IN_RANGE.length);
      const pages: SearchAnswer[] = [await search({ size: 7, ...(sort ? { sort } : {}) })];
      while (pages.at(-1)!.cursor) {
        const response = await post('/v1/search', { cursor: pages.at(-1)!.cursor }, 'auditor');
        assert.equal(response.statusCode, 200, response.body);
        pages.push(response.json<SearchAnswer>());
      }
      assert.deepEqual(
        pages.map((page) => page.hits.length),
        [7, 7, 7, 7, 2],
      );
      assert.ok(pages.every((page) => page.total === IN_RANGE.length));
      assert.deepEqual(
        pages.flatMap((page) => page.hits.map((hit) => hit.id)),
        whole.hits.map((hit) => hit.id),
        JSON.stringify(sort),
      );
    }
  });

  it('closes the point in time after the last page, refuses garbled cursors, and a cursor of another kind', async () => {
    const first = await search({ query: 'user.name:bob', size: 4 });
    const second = await post('/v1/search', { cursor: first.cursor });
    assert.equal(second.json<SearchAnswer>().cursor, undefined, 'bob has 7 events: 2 pages');
    const reused = await refused({ method: 'POST', url: '/v1/search', payload: { cursor: first.cursor } });
    assert.match(reused.message, /^the cursor has expired/);

    const garbled = await refused({ method: 'POST', url: '/v1/search', payload: { cursor: 'bm90IGEgY3Vyc29y' } });
    assert.match(garbled.message, /^the cursor is garbled/);
    const badPit = await refused({
      method: 'POST',
      url: '/v1/search',
      payload: { cursor: recode(first.cursor!, { pit: 'not a point in time' }) },
    });
    assert.match(badPit.message, /^the cursor is garbled/);

    const trailPage = await trail('user/alice', `from=${FROM}&to=${TO}&size=2`);
    const crossed = await refused({ method: 'POST', url: '/v1/search', payload: { cursor: trailPage.cursor } });
    assert.match(crossed.message, /^the cursor is garbled: it continues a trail, not a search/);
  });

  it('reads nothing but the events, whatever point in time a forged cursor names', async () => {
    const first = await search({ size: 1 });
    const { elastic } = api.deps;
    const alert = { '@timestamp': '2026-11-28T12:00:00.000Z', rule: { id: 'secret-rule' } };
    await elastic.index({ index: alertsIndexName(api.prefix, alert['@timestamp']), document: alert, refresh: true });
    // The route closes it, as it closes any point in time after its last page.
    const alerts = await elastic.openPointInTime({ index: `${api.prefix}-alerts`, keep_alive: '1m' });
    const cursor = recode(first.cursor!, { pit: alerts.id, after: [Date.parse(TO), 0] });
    const forged = await post('/v1/search', { cursor });
    assert.equal(forged.statusCode, 200, forged.body);
    assert.deepEqual(forged.json<SearchAnswer>().hits, []);
  });

  it('refuses a bad time range or page size with 400 naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ from: TO, to: FROM }, /^body\/to must be later than body\/from$/],
      [{ from: FROM, to: FROM }, /^body\/to must be later than body\/from$/],
      [{ from: 'yesterday', to: TO }, /body\/from must match format "date-time"/],
      [{ from: '2025-01-01T00:00:00Z', to: TO }, /^body\/from to body\/to spans more than 400 days$/],
      [{ to: TO }, /^body\/from is required$/],
      [{ from: FROM, to: TO, size: 1001 }, /body\/size must be <= 1000/],
      [{ from: FROM, to: TO, size: 0 }, /body\/size must be >= 1/],
      [{ from: FROM, to: TO, sort: [{ field: 'message' }] }, /^body\/sort\/0\/field: 'message' is not a keyword/],
    ];
    for (const [payload, message] of cases)
      assert.match((await refused({ method: 'POST', url: '/v1/search', payload })).message, message);
    const trailRange = await refused({ url: `/v1/trails/user/alice?from=${TO}&to=${FROM}` });
    assert.equal(trailRange.message, 'querystring/to must be later than querystring/from');
  });

  it("counts a field's commonest values, and the rest", async () => {
    const counts = async (payload: object) => {
      const response = await post('/v1/search/counts', { from: FROM, to: TO, ...payload });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ field: string; buckets: { value: unknown; count: number }[]; other: number }>();
    };
    const outcomes = idsWhere((e) => e.event.outcome === 'success').length;
    assert.deepEqual(await counts({ field: 'event.outcome', size: 1 }), {
      field: 'event.outcome',
      buckets: [{ value: 'success', count: outcomes }],
      other: IN_RANGE.length - outcomes,
    });
    assert.deepEqual(await counts({ field: 'user.name', query: 'event.action:ConsoleLogin', size: 3 }), {
      field: 'user.name',
      buckets: [
        { value: 'alice', count: 3 },
        { value: 'bob', count: 5 },
        { value: 'mallory', count: 1 },
      ].sort((a, b) => b.count - a.count),
      other: 0,
    });
    assert.deepEqual(await counts({ field: 'labels.cde' }), {
      field: 'labels.cde',
      buckets: [{ value: true, count: 3 }],
      other: 0,
    });
    assert.deepEqual((await counts({ field: 'event.severity', size: 2 })).buckets, [
      { value: 7, count: 2 },
      { value: 10, count: 2 },
    ]);
    const notCountable = await refused({
      method: 'POST',
      url: '/v1/search/counts',
      payload: { from: FROM, to: TO, field: 'message' },
    });
    assert.match(notCountable.message, /^body\/field: 'message' is not a keyword, ip, number, boolean or date field/);
    const unknown = await refused({
      method: 'POST',
      url: '/v1/search/counts',
      payload: { from: FROM, to: TO, field: 'nope' },
    });
    assert.match(unknown.message, /'nope'/);
  });

  it('counts events per interval, empty intervals included', async () => {
    const histogram = async (payload: object) => {
      const response = await post('/v1/search/histogram', { from: FROM, to: TO, ...payload });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ interval: string; buckets: { time: string; count: number }[] }>();
    };
    const day1 = idsWhere((e) => e['@timestamp'] < '2026-11-28').length;
    assert.deepEqual(await histogram({ interval: '1d' }), {
      interval: '1d',
      buckets: [
        { time: '2026-11-27T00:00:00.000Z', count: day1 },
        { time: '2026-11-28T00:00:00.000Z', count: IN_RANGE.length - day1 },
      ],
    });
    const byDefault = await histogram({ query: 'user.name:bob' });
    assert.equal(byDefault.interval, '30m');
    assert.equal(byDefault.buckets.length, 96);
    assert.equal(
      byDefault.buckets.reduce((sum, bucket) => sum + bucket.count, 0),
      7,
    );
    assert.deepEqual(
      byDefault.buckets.find((bucket) => bucket.time === '2026-11-28T01:00:00.000Z'),
      {
        time: '2026-11-28T01:00:00.000Z',
        count: 3,
      },
    );
    const tooFine = await refused({
      method: 'POST',
      url: '/v1/search/histogram',
      payload: { from: FROM, to: TO, interval: '1m' },
    });
    assert.match(tooFine.message, /^body\/interval 1m makes more than 1000 buckets/);
    const unknown = await refused({
      method: 'POST',
      url: '/v1/search/histogram',
      payload: { from: FROM, to: TO, interval: '2m' },
    });
    assert.match(unknown.message, /body\/interval must be equal to one of the allowed values/);
  });

  it('gives one event in full, original included, and 404 for an unknown id', async () => {
    const response = await api.request('auditor', { url: '/v1/events/e05' });
    assert.equal(response.statusCode, 200);
    const { id, document: event } = response.json<{ id: string; document: EcsDocument }>();
    assert.equal(id, 'e05');
    assert.deepEqual(
      event,
      EVENTS.find((e) => e.event.id === 'e05'),
    );
    const missing = await api.request('analyst', { url: '/v1/events/nope' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json<ErrorAnswer>().message, /no event has the id "nope"/);
  });

  it("lists a user's trail oldest first, with the 10.2.2 columns, from user.name, user.id and related.user", async () => {
    const alice = await trail('user/alice');
    assert.equal(alice.total, 7);
    assert.deepEqual(alice.rows.slice(0, 2), [
      {
        id: 'e01',
        when: '2026-11-27T08:00:00.000Z',
        who: 'alice',
        what: 'ConsoleLogin',
        outcome: 'success',
        origin: '10.0.0.5',
        resource: null,
      },
      {
        id: 'e02',
        when: '2026-11-27T08:05:00.000Z',
        who: 'alice',
        what: 'PutObject',
        outcome: 'success',
        origin: '10.0.0.5',
        resource: `s3-object ${cardFile.id}`,
      },
    ]);
    const when = alice.rows.map((row) => row.when!);
    assert.deepEqual(when, [...when].sort());
    assert.deepEqual(
      { kind: alice.kind, value: alice.value, from: alice.from, to: alice.to },
      { kind: 'user', value: 'alice', from: FROM, to: TO },
    );
    assert.deepEqual(
      (await trail('user/mallory')).rows.map((row) => row.id),
      ['e21', 'e22', 'e23'],
    );
    assert.deepEqual((await trail('user/AIDAEXAMPLE')).rows, [
      {
        id: 'e25',
        when: '2026-11-28T07:00:00.000Z',
        who: 'AIDAEXAMPLE',
        what: 'GetCallerIdentity',
        outcome: 'success',
        origin: '10.0.0.8',
        resource: null,
      },
    ]);
  });

  it("lists a resource's and an address's trail, origins falling back to source.address and host.name", async () => {
    const mainTrail = await trail('resource/main-trail');
    assert.deepEqual(
      mainTrail.rows.map((row) => [row.id, row.resource]),
      [
        ['e05', 'cloudtrail-trail main-trail'],
        ['e19', 'cloudtrail-trail main-trail'],
      ],
    );
    assert.deepEqual(
      (await trail(`resource/${encodeURIComponent(cardFile.id)}`)).rows.map((row) => row.id),
      ['e02', 'e12', 'e23', 'e30'],
    );
    const attacker = await trail('ip/203.0.113.9');
    assert.deepEqual(
      attacker.rows.map((row) => [row.id, row.who, row.origin]),
      [
        ['e07', null, '203.0.113.9'],
        ['e08', null, '203.0.113.9'],
        ['e20', null, '203.0.113.9'],
      ],
    );
    assert.deepEqual(
      (await trail('user/root')).rows.map((row) => [row.id, row.who, row.origin]),
      [
        ['e07', null, '203.0.113.9'],
        ['e08', null, '203.0.113.9'],
        ['e09', null, 'web-01'],
        ['e20', null, '203.0.113.9'],
      ],
    );
    assert.deepEqual(
      (await trail('user/admin-bot')).rows.map((row) => row.origin),
      ['cloudformation.amazonaws.com'],
    );
    assert.deepEqual(
      (await trail('ip/10.9.9.9')).rows.map((row) => [row.id, row.origin]),
      [['e26', null]],
    );
    assert.deepEqual(
      (await trail(`ip/${encodeURIComponent('10.0.1.0/24')}`)).rows.map((row) => row.id),
      ['e11', 'e24'],
    );
    assert.equal((await trail('resource/nothing')).total, 0);
    const badIp = await refused({ url: `/v1/trails/ip/alice?from=${FROM}&to=${TO}` });
    assert.equal(badIp.message, 'params/value must be an IP address or CIDR range for an ip trail');
    const badKind = await refused({ url: `/v1/trails/host/web-01?from=${FROM}&to=${TO}` });
    assert.match(badKind.message, /params\/kind must be equal to one of the allowed values/);
  });

  it('pages through a trail with its cursor, and refuses it for another trail', async () => {
    const first = await trail('user/bob', `from=${FROM}&to=${TO}&size=4`);
    assert.equal(first.rows.length, 4);
    const rest = await trail('user/bob', `cursor=${first.cursor}`);
    assert.equal(rest.cursor, undefined);
    assert.deepEqual(
      [...first.rows, ...rest.rows].map((row) => row.id),
      ['e03', 'e04', 'e05', 'e16', 'e17', 'e18', 'e19'],
    );
    assert.equal(rest.from, FROM);
    const again = await trail('user/bob', `from=${FROM}&to=${TO}&size=4`);
    const other = await refused({ url: `/v1/trails/user/alice?cursor=${again.cursor}` });
    assert.equal(other.message, 'the cursor is for the user trail of bob');
  });

  it('gives the access record the query and the rows returned', async () => {
    audits.length = 0;
    await search({ query: 'user.name:carol', size: 1 });
    await post('/v1/search/counts', { from: FROM, to: TO, field: 'user.name', query: 'user.name:carol' });
    await trail('user/carol');
    await api.request('analyst', { url: '/v1/events/e13' });
    assert.deepEqual(audits, [
      { query: 'user.name:carol', rows: 1 },
      { query: 'user.name:carol', rows: 1 },
      { query: 'trail user carol', rows: 2 },
      { query: 'event.id:"e13"', rows: 1 },
    ]);
  });
});
