import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Alert, Detection } from '@sentrail/lib/alerts/alert';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { detection } from '@sentrail/lib/alerts/testing';
import { eventsIndexName } from '@sentrail/lib/elastic';
import type { InjectOptions } from 'fastify';
import type { Role } from '../auth/roles.js';
import { startTestApi, type TestApi } from '../testing.js';
import { alertRoutes } from './alerts.js';

type Listing = { total: number; alerts: Alert[]; cursor?: string };
const message = (response: { json<T>(): T }) => response.json<{ message: string }>().message;

describe('alert handling (real Elasticsearch)', () => {
  let api: TestApi;
  let seed: AlertStore;
  /** Raises an alert for its own entity (so alerts do not fold together); returns its id. */
  const raise = async (id: string, overrides: Partial<Detection> = {}) => {
    const raised = await seed.raise(detection(id, { entity: { type: 'user', value: id }, ...overrides }));
    assert.equal(raised.outcome, 'opened');
    return id;
  };
  const act = (role: Role | undefined, id: string, action: string, payload?: object) =>
    api.request(role, { method: 'POST', url: `/v1/alerts/${id}/${action}`, ...(payload ? { payload } : {}) });
  const list = async (query = '') => {
    await api.deps.elastic.indices.refresh({ index: `${api.prefix}-alerts` });
    const response = await api.request('analyst', { url: `/v1/alerts${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Listing>();
  };

  before(async () => {
    // PagerDuty as configured for the correlator: closing an alert must ask for its incident's resolve.
    api = await startTestApi([alertRoutes], {
      SENTRAIL_CORRELATOR__NOTIFIERS: JSON.stringify({ pagerduty: { routingKey: 'test-routing-key' } }),
    });
    seed = new AlertStore({ client: api.deps.elastic, prefix: api.prefix, suppressionMinutes: 60 });
  });
  after(() => api.close());

  it('answers 401 without a key, 403 to other roles, and serves readers and analysts', async () => {
    const id = await raise('auth-matrix');
    const reads: InjectOptions[] = [{ url: '/v1/alerts' }, { url: `/v1/alerts/${id}` }];
    const changes: InjectOptions[] = [
      { method: 'POST', url: `/v1/alerts/${id}/assign`, payload: { assignee: 'bob' } },
      { method: 'POST', url: `/v1/alerts/${id}/acknowledge`, payload: {} },
      { method: 'POST', url: `/v1/alerts/${id}/close`, payload: { note: 'done' } },
    ];
    for (const route of [...reads, ...changes]) {
      const name = `${route.method ?? 'GET'} ${route.url as string}`;
      assert.equal((await api.request(undefined, route)).statusCode, 401, name);
      for (const role of ['admin', 'ingest', ...(changes.includes(route) ? ['auditor' as const] : [])] as const)
        assert.equal((await api.request(role, route)).statusCode, 403, `${role}: ${name}`);
    }
    for (const route of reads) {
      assert.equal((await api.request('auditor', route)).statusCode, 200, `auditor: ${route.url as string}`);
      assert.equal((await api.request('analyst', route)).statusCode, 200, `analyst: ${route.url as string}`);
    }
    for (const route of changes) {
      assert.equal((await api.request('analyst', route)).statusCode, 200, `analyst: ${route.url as string}`);
    }
  });

  it('lists alerts newest activity first, filtered, a page at a time with a cursor', async () => {
    const rule = { id: 'list-rule', name: 'List rule', severity: 'medium' } as const;
    const at = (hour: number) => `2026-11-20T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const older = await raise('list-older', { rule, first_seen: at(1), last_seen: at(2) });
    const newer = await raise('list-newer', { rule, first_seen: at(3), last_seen: at(5) });
    const critical = await raise('list-critical', {
      rule: { ...rule, severity: 'critical' },
      first_seen: at(4),
      last_seen: at(4),
    });

    const all = await list('?rule=list-rule');
    assert.equal(all.total, 3);
    assert.deepEqual(
      all.alerts.map((alert) => alert.alert.id),
      [newer, critical, older],
    );
    assert.equal(all.cursor, undefined, 'a page that is not full is the last');

    const ids = async (query: string) => (await list(`?rule=list-rule&${query}`)).alerts.map((a) => a.alert.id);
    assert.deepEqual(await ids('severity=critical'), [critical]);
    assert.deepEqual(await ids('severity=critical&severity=medium'), [newer, critical, older]);
    assert.deepEqual(await ids(`entity=${older}`), [older]);
    assert.deepEqual(await ids(`from=${at(3)}`), [newer, critical], 'active at or after from');
    assert.deepEqual(await ids(`to=${at(3)}`), [newer, older], 'active at or before to');
    assert.deepEqual(await ids('status=closed'), []);

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`?rule=list-rule&size=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.total, 3);
      pages.push(...page.alerts.map((alert) => alert.alert.id));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(pages, [newer, critical, older]);
  });

  it('refuses a bad listing with 400 naming the parameter', async () => {
    const refused = async (query: string, field: RegExp) => {
      const response = await api.request('auditor', { url: `/v1/alerts?${query}` });
      assert.equal(response.statusCode, 400, query);
      assert.match(message(response), field);
    };
    await refused(`size=${api.deps.config.api.maxPageSize + 1}`, /size/);
    await refused('size=0', /size/);
    await refused('status=pending', /status/);
    await refused('from=yesterday', /from/);
    await refused('from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', /from/);
    await refused('cursor=bm90LWEtY3Vyc29y', /cursor/);
  });

  it('returns an alert with its evidence events, listing those no longer stored as missing', async () => {
    const time = '2026-11-21T08:00:00.000Z';
    const document = { '@timestamp': time, event: { id: 'evidence-kept', kind: 'event', action: 'ConsoleLogin' } };
    await api.deps.elastic.index({
      index: eventsIndexName(api.prefix, time),
      id: 'evidence-kept',
      document,
      refresh: true,
    });
    const id = await raise('with-evidence', {
      first_seen: time,
      last_seen: time,
      count: 2,
      evidence: { event_ids: ['evidence-kept', 'evidence-gone'] },
    });
    const response = await api.request('auditor', { url: `/v1/alerts/${id}` });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ alert: Alert; evidence: unknown[] }>();
    assert.equal(body.alert.alert.id, id);
    assert.equal(body.alert.status, 'open');
    assert.deepEqual(body.evidence, [
      { id: 'evidence-kept', document },
      { id: 'evidence-gone', missing: true },
    ]);
  });

  it('acknowledges: the next reader sees who acknowledged, when, and why', async () => {
    const id = await raise('to-acknowledge');
    const before = Date.now();
    const response = await act('analyst', id, 'acknowledge', { note: 'looking into it' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<Alert>().status, 'acknowledged');

    const { alert } = (await api.request('auditor', { url: `/v1/alerts/${id}` })).json<{ alert: Alert }>();
    assert.equal(alert.status, 'acknowledged');
    const change = alert.status_history.at(-1)!;
    assert.deepEqual(
      { ...change, at: undefined },
      {
        status: 'acknowledged',
        by: 'test analyst',
        note: 'looking into it',
        at: undefined,
      },
    );
    assert.ok(Date.parse(change.at) >= before - 1000 && Date.parse(change.at) <= Date.now());
    // Listings see it at once too: the change is refreshed.
    const listed = await api.request('analyst', { url: `/v1/alerts?status=acknowledged&entity=${id}` });
    assert.deepEqual(
      listed.json<Listing>().alerts.map((a) => a.alert.id),
      [id],
    );
  });

  it('acknowledges without a body; refuses a second acknowledgement with 409 and the reason', async () => {
    const id = await raise('acknowledge-twice');
    assert.equal((await act('analyst', id, 'acknowledge')).statusCode, 200);
    const again = await act('analyst', id, 'acknowledge', {});
    assert.equal(again.statusCode, 409);
    assert.match(message(again), /cannot go from acknowledged to acknowledged: it can only be closed/);
  });

  it('closes only with a note, and asks PagerDuty to resolve as the correlator would', async () => {
    const id = await raise('to-close');
    for (const payload of [{}, { note: '  ' }]) {
      const refused = await act('analyst', id, 'close', payload);
      assert.equal(refused.statusCode, 400, JSON.stringify(payload));
      assert.match(message(refused), /note/);
    }
    const closed = await act('analyst', id, 'close', { note: 'false positive: scheduled job' });
    assert.equal(closed.statusCode, 200);
    const alert = closed.json<Alert>();
    assert.equal(alert.status, 'closed');
    assert.deepEqual(alert.status_history.at(-1)?.note, 'false positive: scheduled job');
    assert.deepEqual(
      alert.notifications.map(({ channel, event, status }) => ({ channel, event, status })),
      [{ channel: 'pagerduty', event: 'alert.closed', status: 'pending' }],
    );
    const stored = await seed.get(id);
    assert.equal(stored.notifications[0]?.status, 'pending', 'the outbox finds the request in the store');

    const acknowledge = await act('analyst', id, 'acknowledge', {});
    assert.equal(acknowledge.statusCode, 409);
    assert.match(message(acknowledge), /closed.*can no longer change/);
    const assign = await act('analyst', id, 'assign', { assignee: 'bob' });
    assert.equal(assign.statusCode, 409);
    assert.match(message(assign), /closed alert cannot be assigned/);
  });

  it('assigns an alert; the assignee filters listings', async () => {
    const id = await raise('to-assign');
    const missing = await act('analyst', id, 'assign', { note: 'yours' });
    assert.equal(missing.statusCode, 400);
    assert.match(message(missing), /assignee/);
    const response = await act('analyst', id, 'assign', { assignee: 'carol', note: 'yours' });
    assert.equal(response.statusCode, 200);
    const alert = response.json<Alert>();
    assert.equal(alert.assignee, 'carol');
    assert.equal(alert.status, 'open');
    assert.deepEqual(
      { ...alert.status_history.at(-1), at: undefined },
      { status: 'open', by: 'test analyst', assignee: 'carol', note: 'yours', at: undefined },
    );
    assert.deepEqual(
      (await list('?assignee=carol')).alerts.map((a) => a.alert.id),
      [id],
    );
  });

  it('answers 404 for an alert that does not exist', async () => {
    const unknown = 'no-such-alert';
    const responses = [
      await api.request('analyst', { url: `/v1/alerts/${unknown}` }),
      await act('analyst', unknown, 'acknowledge', {}),
      await act('analyst', unknown, 'close', { note: 'x' }),
      await act('analyst', unknown, 'assign', { assignee: 'x' }),
    ];
    for (const response of responses) {
      assert.equal(response.statusCode, 404);
      assert.match(message(response), /no alert with id 'no-such-alert'/);
    }
  });
});
