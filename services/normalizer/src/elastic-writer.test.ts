import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createElastic, eventsIndexName, type ElasticClient } from '@sentrail/lib/elastic';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { ElasticWriter, isUnavailable, type IndexRequest } from './elastic-writer.js';
import { createNormalizerMetrics } from './normalizer-metrics.js';
import { elasticFixture } from './testing/elastic-fixture.js';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.js';

const metrics = createNormalizerMetrics(createMetrics('normalizer').registry);
const logger = createLogger('elastic-writer-test', 'silent');
// Short backoff: the tests wait for the retries, not for realistic pauses.
const BACKOFF = { baseMs: 20, maxMs: 200 };

async function metricValue(
  metric: { get(): Promise<{ values: { value: number; labels: object }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const found = values.find((value) =>
    Object.entries(labels).every(([name, label]) => (value.labels as Record<string, unknown>)[name] === label),
  );
  return found?.value ?? 0;
}

const paused = () => metricValue(metrics.elasticsearchPaused);

/** Polls until the condition holds; fails the test if it never does. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const timestamps = ['2026-11-27T10:00:00Z', '2026-11-28T09:00:00Z', '2026-11-28T23:59:59Z'];

describe('ElasticWriter (real Elasticsearch)', () => {
  let elastic: Awaited<ReturnType<typeof elasticFixture>>;
  let writer: ElasticWriter;

  /** Requests for fresh ids, one per timestamp, each into the daily index of its time. */
  const requests = (name: string, times = timestamps): IndexRequest[] =>
    times.map((timestamp, i) => ({
      id: `${name}-${i}`,
      index: eventsIndexName(elastic.prefix, timestamp),
      document: JSON.stringify({ '@timestamp': timestamp, event: { id: `${name}-${i}`, action: 'ConsoleLogin' } }),
    }));

  before(async () => {
    elastic = await elasticFixture('test-writer');
    // The client as the service creates it (maxRetries 3): the writer's own retry must still govern.
    writer = new ElasticWriter(elastic.client, metrics, logger, BACKOFF);
  });
  after(() => elastic.remove());

  it('creates documents in the daily index of their event time; a second write of the same ids is duplicates', async () => {
    const first = requests('dup');
    const okBefore = await metricValue(metrics.bulkRequests, { result: 'ok' });
    const written = await writer.write(first);
    assert.deepEqual(written, { created: first, duplicates: [], rejected: [] });
    assert.equal(await elastic.count(`${elastic.prefix}-events-2026.11.27`), 1);
    assert.equal(await elastic.count(`${elastic.prefix}-events-2026.11.28`), 2);

    const again = requests('dup');
    const replayed = await writer.write(again);
    assert.deepEqual(replayed, { created: [], duplicates: again, rejected: [] });
    assert.equal(await elastic.countIds(again), 3, 'no new documents');
    assert.equal(await metricValue(metrics.bulkRequests, { result: 'ok' }), okBefore + 2);
  });

  it('rejects documents that break the mapping, with the reason, and creates the others of the bulk', async () => {
    const [good, badIp, badTime] = requests('mapping');
    const sent = [
      good!,
      { ...badIp!, document: JSON.stringify({ '@timestamp': timestamps[1], source: { ip: 'not-an-ip' } }) },
      { ...badTime!, document: JSON.stringify({ '@timestamp': 'yesterday' }) },
    ];
    const partialBefore = await metricValue(metrics.bulkRequests, { result: 'partial' });
    const written = await writer.write(sent);

    assert.deepEqual(written.created, [good]);
    assert.deepEqual(written.duplicates, []);
    assert.deepEqual(
      written.rejected.map(({ request }) => request),
      sent.slice(1),
    );
    assert.match(
      written.rejected[0]!.reason,
      /^document_parsing_exception: .*\[source\.ip\] of type \[ip\].*; caused by illegal_argument_exception: 'not-an-ip' is not an IP string literal/,
    );
    assert.match(written.rejected[1]!.reason, /^document_parsing_exception: .*\[@timestamp\] of type \[date\]/);
    assert.equal(await elastic.countIds(sent), 1);
    assert.equal(await metricValue(metrics.bulkRequests, { result: 'partial' }), partialBefore + 1);
  });

  it('retries only the refused items of a write-blocked index, until the block is lifted', async () => {
    // Days of their own: the block must not get in the way of the other tests.
    const [blockedDay, openDay] = ['2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z'];
    const sent = requests('blocked', [blockedDay, openDay, blockedDay, openDay]);
    const blocked = eventsIndexName(elastic.prefix, blockedDay);
    await elastic.client.indices.create({ index: blocked });
    await elastic.client.indices.addBlock({ index: blocked, block: 'write' });
    const itemRetries = await metricValue(metrics.retries, { reason: 'item' });

    const writing = writer.write(sent);
    await until(
      async () => (await metricValue(metrics.retries, { reason: 'item' })) >= itemRetries + 4,
      'two item retries',
    );
    assert.equal(await paused(), 1, 'consumption is paused while documents wait');
    await elastic.client.indices.putSettings({ index: blocked, settings: { 'index.blocks.write': false } });
    const written = await writing;

    // Resending a created document would have made it a duplicate: each was sent until created, once.
    assert.deepEqual(new Set(written.created), new Set(sent));
    assert.equal(written.created.length, 4);
    assert.deepEqual(written.duplicates, []);
    assert.equal(await elastic.countIds(sent), 4);
    assert.equal(await paused(), 0);
  });

  describe('Elasticsearch unreachable', () => {
    let proxy: TcpProxy;
    let proxied: ElasticClient;
    let cutWriter: ElasticWriter;

    before(async () => {
      proxy = await startTcpProxy(elastic.config.elasticsearch.node);
      proxied = createElastic({ ...elastic.config.elasticsearch, node: proxy.url });
      cutWriter = new ElasticWriter(proxied, metrics, logger, BACKOFF);
    });
    after(async () => {
      await proxied.close();
      await proxy.close();
    });

    it('pauses while it cannot reach Elasticsearch and completes the write once it can', async () => {
      // A first write opens keep-alive connections, which the cut then resets.
      await cutWriter.write(requests('warmup', [timestamps[0]!]));
      await proxy.cut();
      const unavailable = await metricValue(metrics.retries, { reason: 'unavailable' });
      let attempts = 0;
      const countAttempt = () => attempts++;
      proxied.diagnostic.on('request', countAttempt);
      const sent = requests('outage');
      const writing = cutWriter.write(sent);

      await until(async () => (await paused()) === 1, 'the paused gauge going to 1');
      await until(
        async () => (await metricValue(metrics.retries, { reason: 'unavailable' })) >= unavailable + 3,
        'three retries',
      );
      assert.equal(await paused(), 1);
      await proxy.restore();

      const written = await writing;
      proxied.diagnostic.off('request', countAttempt);
      assert.deepEqual(written, { created: sent, duplicates: [], rejected: [] });
      assert.equal(await elastic.countIds(sent), 3);
      assert.equal(await paused(), 0);
      const retries = (await metricValue(metrics.retries, { reason: 'unavailable' })) - unavailable;
      assert.equal(attempts, retries + 1, "every attempt is the writer's: the client does not retry on its own");
    });

    it('rejects with the abort reason when the signal aborts during an outage', async () => {
      await proxy.cut();
      try {
        const controller = new AbortController();
        const sent = requests('aborted');
        const writing = cutWriter.write(sent, controller.signal);
        await until(async () => (await paused()) === 1, 'the paused gauge going to 1');
        controller.abort(new Error('shutting down'));
        await assert.rejects(writing, /shutting down/);
        assert.equal(await paused(), 0);
        assert.equal(await elastic.countIds(sent), 0);
      } finally {
        await proxy.restore();
      }
    });
  });

  it('counts as unavailable what a retry can mend, not what it cannot', async () => {
    const unreachable = createElastic({ ...elastic.config.elasticsearch, node: 'http://127.0.0.1:1' });
    const refused = await unreachable.count({}, { maxRetries: 0 }).catch((error: unknown) => error);
    await unreachable.close();
    assert.equal(isUnavailable(refused), true, 'connection refused');

    // A primary that cannot be allocated: searching it answers 503.
    const index = `${elastic.prefix}-events-unallocated`;
    await elastic.client.indices.create({
      index,
      settings: { 'index.routing.allocation.require._name': 'nowhere' },
      wait_for_active_shards: 0,
    });
    const unavailable = await elastic.client.search({ index }).catch((error: unknown) => error);
    assert.equal((unavailable as { meta?: { statusCode?: number } }).meta?.statusCode, 503);
    assert.equal(isUnavailable(unavailable), true, '503');

    const notFound = await elastic.client
      .search({ index: `${elastic.prefix}-no-such-index` })
      .catch((error: unknown) => error);
    assert.equal((notFound as { meta?: { statusCode?: number } }).meta?.statusCode, 404);
    assert.equal(isUnavailable(notFound), false, '404');
  });
});
