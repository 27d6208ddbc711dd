import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventsIndexName } from '@sentrail/lib/elastic';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { BulkBuffer, bulkBytes, type BulkSettings } from './bulk-buffer.js';
import { ElasticWriter, type IndexRequest, type WriteResult } from './elastic-writer.js';
import { createNormalizerMetrics } from './normalizer-metrics.js';
import { elasticFixture } from './testing/elastic-fixture.js';

const metrics = createNormalizerMetrics(createMetrics('normalizer').registry);
const logger = createLogger('bulk-buffer-test', 'silent');
const TIMESTAMP = '2026-11-28T12:00:00Z';
/** Long enough never to fire during a test: a bulk that goes out went because it was full or closed. */
const NEVER = 600_000;

describe('BulkBuffer (real Elasticsearch)', () => {
  let elastic: Awaited<ReturnType<typeof elasticFixture>>;
  let writer: ElasticWriter;
  let index: string;

  before(async () => {
    elastic = await elasticFixture('test-bulk');
    writer = new ElasticWriter(elastic.client, metrics, logger, { baseMs: 20, maxMs: 200 });
    index = eventsIndexName(elastic.prefix, TIMESTAMP);
  });
  after(() => elastic.remove());

  let next = 0;
  /** `count` requests with ids no other test uses; `padding` makes each document that much bigger. */
  const requests = (count: number, padding = 0): IndexRequest[] =>
    Array.from({ length: count }, () => {
      const id = `doc-${next++}`;
      return {
        id,
        index,
        document: JSON.stringify({ '@timestamp': TIMESTAMP, event: { id, original: 'x'.repeat(padding) } }),
      };
    });

  /** A buffer over the real writer that records the bulks it writes, as lists of ids. */
  const recordingBuffer = (settings: BulkSettings) => {
    const bulks: IndexRequest[][] = [];
    const buffer = new BulkBuffer(
      {
        write: (sent, signal) => {
          bulks.push(sent);
          return writer.write(sent, signal);
        },
      },
      settings,
    );
    return { buffer, bulks };
  };

  it('sends a bulk once it holds maxDocuments, from several callers', async () => {
    const { buffer, bulks } = recordingBuffer({ maxDocuments: 4, maxBytes: 10_000_000, flushMs: NEVER });
    const [a, b] = [requests(2), requests(2)];
    const [fromA, fromB] = await Promise.all([buffer.add(a), buffer.add(b)]);
    assert.deepEqual(bulks, [[...a, ...b]]);
    assert.deepEqual(fromA.created, a);
    assert.deepEqual(fromB.created, b);
    await buffer.close();
  });

  it('sends a bulk before it would pass maxBytes; a document bigger than that goes alone', async () => {
    const maxBytes = 1024;
    const { buffer, bulks } = recordingBuffer({ maxDocuments: 100, maxBytes, flushMs: NEVER });
    const [small1, small2, small3, small4] = requests(4, 300);
    const [big] = requests(1, 2000);
    const sent = [small1!, small2!, small3!, big!, small4!];
    assert.ok(bulkBytes(small1!) * 3 > maxBytes && bulkBytes(small1!) * 2 <= maxBytes, 'two small ones fit');

    const adding = buffer.add(sent);
    await buffer.close();
    const written = await adding;
    assert.deepEqual(bulks, [[small1, small2], [small3], [big], [small4]]);
    assert.deepEqual(written.created, sent);
    assert.equal(await elastic.countIds(sent), 5);
  });

  it('sends what arrived within flushMs of the first request as one bulk', async () => {
    const { buffer, bulks } = recordingBuffer({ maxDocuments: 100, maxBytes: 10_000_000, flushMs: 50 });
    const [a, b] = [requests(1), requests(2)];
    const [fromA, fromB] = await Promise.all([buffer.add(a), buffer.add(b)]);
    const c = requests(1);
    const fromC = await buffer.add(c);
    assert.deepEqual(bulks, [[...a, ...b], c], 'the first two together, the later one in a bulk of its own');
    assert.deepEqual([fromA.created, fromB.created, fromC.created], [a, b, c]);
    await buffer.close();
  });

  it('gives concurrent callers the results of their own requests only', async () => {
    const { buffer, bulks } = recordingBuffer({ maxDocuments: 4, maxBytes: 10_000_000, flushMs: 10 });
    const existing = requests(2);
    await writer.write(existing);
    const broken = (request: IndexRequest): IndexRequest => ({
      ...request,
      document: JSON.stringify({ source: { ip: 'not-an-ip' } }),
    });
    const a = [...requests(1), existing[0]!, broken(requests(1)[0]!), ...requests(1)];
    const b = [broken(requests(1)[0]!), ...requests(2)];
    const c = [existing[1]!, ...requests(3)];

    const [fromA, fromB, fromC] = await Promise.all([buffer.add(a), buffer.add(b), buffer.add(c)]);
    const callerOf = (request: IndexRequest) => [a, b, c].findIndex((sent) => sent.includes(request));
    assert.ok(
      bulks.some((bulk) => new Set(bulk.map(callerOf)).size > 1),
      'callers shared a bulk',
    );
    const outcome = ({ created, duplicates, rejected }: WriteResult) => ({
      created,
      duplicates,
      rejected: rejected.map(({ request }) => request),
    });
    assert.deepEqual(outcome(fromA), { created: [a[0], a[3]], duplicates: [a[1]], rejected: [a[2]] });
    assert.deepEqual(outcome(fromB), { created: b.slice(1), duplicates: [], rejected: [b[0]] });
    assert.deepEqual(outcome(fromC), { created: c.slice(1), duplicates: [c[0]], rejected: [] });
    assert.match(fromB.rejected[0]!.reason, /not-an-ip/);
    await buffer.close();
  });

  it('splits an add bigger than a bulk over several bulks and resolves once all are written', async () => {
    const { buffer, bulks } = recordingBuffer({ maxDocuments: 4, maxBytes: 10_000_000, flushMs: 10 });
    const sent = requests(10);
    const written = await buffer.add(sent);
    assert.deepEqual(bulks, [sent.slice(0, 4), sent.slice(4, 8), sent.slice(8)]);
    assert.deepEqual(written, { created: sent, duplicates: [], rejected: [] });
    assert.equal(await elastic.countIds(sent), 10);
    await buffer.close();
  });

  it('rejects an aborted caller at once, and writes a bulk only while some caller still waits for it', async () => {
    const { buffer } = recordingBuffer({ maxDocuments: 100, maxBytes: 10_000_000, flushMs: NEVER });
    const [a, b, c] = [requests(2), requests(1), requests(2)];
    const aborts = new AbortController();
    const fromA = buffer.add(a, aborts.signal);
    const fromB = buffer.add(b);
    aborts.abort(new Error('partition revoked'));
    await assert.rejects(fromA, /partition revoked/);
    await buffer.close();
    assert.deepEqual((await fromB).created, b);
    assert.equal(
      await elastic.countIds([...a, ...b]),
      3,
      "the bulk went for the caller still waiting, with the other's too",
    );

    const alone = recordingBuffer({ maxDocuments: 100, maxBytes: 10_000_000, flushMs: NEVER });
    const cAborts = new AbortController();
    const fromC = alone.buffer.add(c, cAborts.signal);
    cAborts.abort(new Error('shutting down'));
    await assert.rejects(fromC, /shutting down/);
    await alone.buffer.close();
    assert.equal(await elastic.countIds(c), 0, 'nobody waited for that bulk: it was not written');
  });

  it('refuses adds once closed', async () => {
    const { buffer } = recordingBuffer({ maxDocuments: 100, maxBytes: 10_000_000, flushMs: NEVER });
    await buffer.close();
    await assert.rejects(buffer.add(requests(1)), /closed/);
  });
});
