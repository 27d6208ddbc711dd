import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, it, mock } from 'node:test';
import type { AccessRecord } from '@sentrail/lib/access-record';
import {
  createKafka,
  createProducer,
  ensureTopics,
  messageHeader,
  TOPICS,
  type Admin,
  type Kafka,
} from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { readMessages, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { alertRoutes } from '../routes/alerts.js';
import type { RouteGroup } from '../app.js';
import { startTestApi, type TestApi } from '../testing.js';
import { ACCESS_SOURCE, AccessLog, CLIENT_CLOSED, type AccessLogOptions } from './access-log.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the access log (real Kafka)', () => {
  let api: TestApi;
  let kafka: Kafka;
  let admin: Admin;
  before(async () => {
    api = await startTestApi([alertRoutes]);
    kafka = createKafka(api.deps.config.kafka, api.deps.logger, '-access-log-test');
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, api.deps.config.kafka, [TOPICS.rawSentrail]);
  });
  after(async () => {
    await admin.disconnect();
    await api.close();
  });

  /** The records of siem.raw.sentrail produced since `since` whose URL holds `marker`. */
  const recordsOf = async (since: Map<number, string>, marker: string, count?: number) => {
    const messages = await readMessages(kafka, TOPICS.rawSentrail, {
      since,
      match: (message) => message.value?.toString().includes(marker) ?? false,
      ...(count === undefined ? { quietMs: 3_000 } : { count }),
    });
    return messages.map((message) => ({ message, record: JSON.parse(message.value!.toString()) as AccessRecord }));
  };

  it('records each request, with the key, route, status, client and rows, as the normalizer reads it', async () => {
    const marker = uniqueName('access');
    const since = await topicEnd(admin, TOPICS.rawSentrail);
    const headers = { 'user-agent': 'access-log-test' };
    assert.equal((await api.request('auditor', { url: `/v1/alerts?rule=${marker}`, headers })).statusCode, 200);
    assert.equal((await api.request(undefined, { url: `/v1/alerts?entity=${marker}`, headers })).statusCode, 401);
    const refused = { method: 'POST', url: `/v1/alerts/${marker}/acknowledge`, headers } as const;
    assert.equal((await api.request('auditor', refused)).statusCode, 403);

    const found = await recordsOf(since, marker, 3);
    const byUrl = new Map(found.map((entry) => [entry.record.url, entry]));
    const listed = byUrl.get(`/v1/alerts?rule=${marker}`)!;
    const { record, message } = listed;
    assert.match(record.id, UUID);
    // What the normalizer's sentrailAccess mapper and mapperFor take from the message.
    assert.equal(message.key?.toString(), record.id);
    assert.equal(messageHeader(message, 'source'), ACCESS_SOURCE);
    assert.equal(messageHeader(message, 'origin'), `api:${record.id}`);
    assert.equal(messageHeader(message, 'received_at'), record.time);
    assert.ok(Math.abs(Date.parse(record.time) - Date.now()) < 60_000, record.time);
    assert.ok(record.durationMs >= 0);
    const auditor = await api.deps.keys.verify(await api.keyFor('auditor'));
    assert.deepEqual(
      { ...record, id: undefined, time: undefined, durationMs: undefined },
      {
        id: undefined,
        time: undefined,
        durationMs: undefined,
        method: 'GET',
        route: '/v1/alerts',
        url: `/v1/alerts?rule=${marker}`,
        status: 200,
        key: { id: auditor!.keyId, name: 'test auditor', role: 'auditor' },
        client: { ip: '127.0.0.1', userAgent: 'access-log-test' },
        rows: 0,
      },
    );

    const anonymous = byUrl.get(`/v1/alerts?entity=${marker}`)!.record;
    assert.deepEqual([anonymous.status, anonymous.key], [401, null]);
    const forbidden = byUrl.get(refused.url)!.record;
    assert.deepEqual(
      [forbidden.method, forbidden.route, forbidden.status, forbidden.key?.role],
      ['POST', '/v1/alerts/:id/acknowledge', 403, 'auditor'],
    );
  });

  it('leaves public routes out of the trail', async () => {
    const marker = uniqueName('public');
    const since = await topicEnd(admin, TOPICS.rawSentrail);
    assert.equal((await api.app.inject({ url: `/docs/json?${marker}` })).statusCode, 200);
    assert.equal((await api.request(undefined, { url: `/v1/alerts?rule=${marker}` })).statusCode, 401);
    const found = await recordsOf(since, marker);
    assert.deepEqual(
      found.map(({ record }) => record.url),
      [`/v1/alerts?rule=${marker}`],
    );
  });

  describe('when Kafka does not take the records', () => {
    const record = (marker: string): AccessRecord => ({
      id: marker,
      time: new Date().toISOString(),
      method: 'GET',
      route: '/v1/alerts',
      url: `/v1/alerts?rule=${marker}`,
      status: 200,
      durationMs: 1,
      key: null,
      client: { ip: '127.0.0.1' },
    });
    const options = (producer: AccessLogOptions['producer'], retries: number) => {
      const logger = createLogger('access-log-test', 'silent');
      return { producer, logger, metrics: createMetrics('api'), retries, baseMs: 100 };
    };

    it('retries with backoff, so a record sent while the producer is down arrives once it is up', async () => {
      const marker = uniqueName('retried');
      const producer = createProducer(kafka);
      const since = await topicEnd(admin, TOPICS.rawSentrail);
      const log = new AccessLog(options(producer, 8));
      log.record(record(marker));
      await producer.connect();
      try {
        await log.flushed();
        // At least once: an attempt Kafka took but did not acknowledge in time is sent again; the
        // copies share the request id, which is the document's _id downstream, so it is indexed once.
        const arrived = await recordsOf(since, marker, 1);
        assert.ok(arrived.length >= 1);
        assert.deepEqual(new Set(arrived.map(({ record }) => record.id)), new Set([marker]));
        assert.equal((await log.lost.get()).values[0]?.value ?? 0, 0);
      } finally {
        await producer.disconnect();
      }
    });

    it('logs an error with the records and counts them in a metric once the retries are spent', async () => {
      const settings = options(createProducer(kafka), 2);
      const logged = mock.method(settings.logger, 'error');
      const log = new AccessLog(settings);
      log.record(record('lost-1'));
      log.record(record('lost-2'));
      await log.flushed();
      assert.match(
        await settings.metrics.registry.getSingleMetricAsString('sentrail_api_access_records_lost_total'),
        /sentrail_api_access_records_lost_total\{service="api"\} 2/,
      );
      // The first record went at once, the second waited for it: two sends, two errors.
      const errors = logged.mock.calls.map((call) => call.arguments as unknown as [{ records: string[] }, string]);
      assert.deepEqual(
        errors.map(([fields, text]) => [fields.records.map((value) => (JSON.parse(value) as AccessRecord).id), text]),
        [
          [['lost-1'], 'access records lost: siem.raw.sentrail did not take them'],
          [['lost-2'], 'access records lost: siem.raw.sentrail did not take them'],
        ],
      );
    });
  });
});

describe('the access log of a request its client leaves (real Kafka)', () => {
  /** A response that never ends, as an export to a client that stopped reading. */
  const endless: RouteGroup = async (app) => {
    app.get('/v1/endless', { config: { roles: ['analyst'] } }, async (request, reply) => {
      request.audit = { query: 'endless' };
      const body = new PassThrough();
      body.write('a first line\n');
      return reply.type('text/plain').send(body);
    });
  };
  let api: TestApi;
  before(async () => {
    api = await startTestApi([endless]);
  });
  after(() => api.close());

  it('records it with status 499 when the client goes before the response is complete', async () => {
    const kafka = createKafka(api.deps.config.kafka, api.deps.logger, '-access-log-abort-test');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const since = await topicEnd(admin, TOPICS.rawSentrail);
      const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const marker = uniqueName('abort');
      const request = httpRequest(`${address}/v1/endless?marker=${marker}`, {
        headers: { authorization: `Bearer ${await api.keyFor('analyst')}` },
      });
      request.end();
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      assert.equal(response.statusCode, 200);
      request.destroy();
      const [message] = await readMessages(kafka, TOPICS.rawSentrail, {
        since,
        match: (candidate) => candidate.value?.toString().includes(marker) ?? false,
        count: 1,
      });
      const record = JSON.parse(message!.value!.toString()) as AccessRecord;
      assert.equal(record.status, CLIENT_CLOSED);
      assert.equal(record.route, '/v1/endless');
      assert.equal(record.query, 'endless');
      assert.equal(record.key?.role, 'analyst');
    } finally {
      await admin.disconnect();
    }
  });
});
