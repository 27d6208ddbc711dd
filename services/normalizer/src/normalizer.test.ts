// The normalizer in-process on the real Kafka and Elasticsearch: every golden input (good and bad)
// produced to its raw topic lands once in Elasticsearch or in siem.dlq with its reason, the counts
// reconcile, a replay only makes duplicates, and an Elasticsearch outage pauses consumption without
// committing anything.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { createElastic, eventsIndexName } from '@sentrail/lib/elastic';
import {
  ACKS_ALL,
  createKafka,
  createProducer,
  TOPICS,
  type KafkaMessage,
  RAW_TOPICS,
  messageHeader,
} from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { readMessages, startGroupAtEnd, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { MAPPER_INPUTS, type MapperName } from './mappers/index.js';
import { createNormalizerMetrics, type NormalizerMetrics } from './normalizer-metrics.js';
import { startNormalizer, type Normalizer } from './normalizer.js';
import { elasticFixture } from './testing/elastic-fixture.js';
import { goldenCases } from './testing/golden-cases.js';
import { startTcpProxy } from './testing/tcp-proxy.js';

// TEST_LOG_LEVEL=debug shows what the normalizer logs while a test runs.
const logger = createLogger(
  'normalizer-test',
  (process.env['TEST_LOG_LEVEL'] as Parameters<typeof createLogger>[1]) ?? 'silent',
);
const header = (message: KafkaMessage, name: string) => messageHeader(message, name) ?? '';

interface Input {
  topic: string;
  source: string;
  value: string;
  /** The _id it should get, or the DLQ reason it should give. */
  expected: { id: string; timestamp: string } | { error: string };
}

/** Every golden case, as its mapper's raw topic would carry it. */
function goldenInputs(): Input[] {
  return (Object.keys(MAPPER_INPUTS) as MapperName[]).flatMap((mapper) =>
    goldenCases(mapper).map(({ input, expectedFile }) => {
      // A document has an _id; a reject has only its reason (a document's `error` is ECS error.*).
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, string>;
      return {
        ...MAPPER_INPUTS[mapper],
        value: JSON.stringify(JSON.parse(input)),
        expected: expected['_id']
          ? { id: expected['_id'], timestamp: expected['@timestamp']! }
          : { error: expected['error']! },
      };
    }),
  );
}

/** What no golden file shows: records broken before any mapper sees them, and one Elasticsearch refuses. */
const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : { inner: deep(levels - 1) });
const BROKEN: Input[] = [
  { ...MAPPER_INPUTS.cloudtrail, value: '{"eventID": "x", ', expected: { error: 'not valid JSON' } },
  { ...MAPPER_INPUTS.cloudtrail, value: '["an", "array"]', expected: { error: 'the record is not a JSON object' } },
  { ...MAPPER_INPUTS.wazuh, value: JSON.stringify(deep(40)), expected: { error: 'nested deeper than 32 levels' } },
  {
    ...MAPPER_INPUTS.changes,
    value: JSON.stringify({
      actor: { name: 'x'.repeat(20_000) },
      action: 'apply',
      resource: { type: 'aws_s3_bucket', id: 'logs' },
      time: '2026-11-28T10:00:00Z',
      system: 'terraform',
    }),
    expected: { error: 'user.name is 20000 characters long' },
  },
  {
    topic: TOPICS.rawInfra,
    source: 'somethingElse',
    value: '{}',
    expected: { error: 'no mapper for topic siem.raw.infra' },
  },
  {
    ...MAPPER_INPUTS.wazuh,
    // A size Elasticsearch's long cannot hold: refused at indexing, not by the mapper.
    value: JSON.stringify({
      timestamp: '2026-11-28T10:00:00.000+0000',
      id: '1764324000.999',
      rule: { id: '550', level: 7, description: 'Integrity checksum changed.', groups: ['ossec', 'syscheck'] },
      agent: { id: '002', name: 'payments-db-1' },
      syscheck: { path: '/etc/hosts', event: 'modified', size_after: '1e30' },
    }),
    expected: { error: 'document_parsing_exception' },
  },
];

async function sum(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((total, { value }) => total + value, 0);
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('normalizer on the real Kafka and Elasticsearch', () => {
  const run = uniqueName('test-normalizer');
  let elastic: Awaited<ReturnType<typeof elasticFixture>>;
  const kafka = createKafka(testConfig().kafka, logger, '-test');
  const producer = createProducer(kafka);
  const admin = kafka.admin();
  const running: Normalizer[] = [];

  before(async () => {
    elastic = await elasticFixture('test-normalizer');
    await Promise.all([producer.connect(), admin.connect()]);
  });
  // Each test stops its normalizer as it ends: a normalizer left running would index the next test's records.
  afterEach(async () => {
    await Promise.all(running.splice(0).map((normalizer) => normalizer.stop(1_000)));
  });
  after(async () => {
    await Promise.all([producer.disconnect(), admin.disconnect()]);
    await elastic.remove();
  });

  async function start(groupId: string, elasticNode?: string): Promise<NormalizerMetrics> {
    await startGroupAtEnd(kafka, groupId, RAW_TOPICS);
    const config = { ...elastic.config, normalizer: { ...elastic.config.normalizer, groupId } };
    const metrics = createNormalizerMetrics(createMetrics('normalizer').registry);
    const client = elasticNode ? createElastic({ ...config.elasticsearch, node: elasticNode }) : elastic.client;
    running.push(await startNormalizer({ config, logger, kafka, producer, elastic: client, metrics }));
    return metrics;
  }

  async function produce(inputs: Input[], tag: string): Promise<void> {
    const receivedAt = new Date().toISOString();
    for (const [i, input] of inputs.entries()) {
      await producer.send({
        topic: input.topic,
        acks: ACKS_ALL,
        messages: [
          {
            key: null,
            value: input.value,
            headers: { source: input.source, origin: `${tag}#${i}`, received_at: receivedAt },
          },
        ],
      });
    }
  }

  it('indexes every good record once, sends every bad one to siem.dlq with its reason, and the counts reconcile', async () => {
    const inputs = [...goldenInputs(), ...BROKEN];
    const good = inputs.flatMap(({ expected }) => ('id' in expected ? [expected] : []));
    const bad = inputs.filter(({ expected }) => 'error' in expected);
    assert.ok(good.length > 40 && bad.length > 20, `${good.length} good and ${bad.length} bad inputs`);
    const metrics = await start(`${run}-golden`);
    const dlqStart = await topicEnd(admin, TOPICS.dlq);
    const eventsStart = await topicEnd(admin, TOPICS.events);
    await produce(inputs, `${run}-first`);

    const dlq = await readMessages(kafka, TOPICS.dlq, {
      since: dlqStart,
      match: (message) => header(message, 'origin').startsWith(`${run}-first#`),
      count: bad.length,
    });
    const reasons = new Map(dlq.map((message) => [header(message, 'origin'), JSON.parse(message.value!.toString())]));
    for (const [i, input] of inputs.entries()) {
      if (!('error' in input.expected)) continue;
      const entry = reasons.get(`${run}-first#${i}`) as {
        error: string;
        stage: string;
        original: string;
        source: string;
      };
      assert.ok(entry, `no DLQ entry for ${input.value.slice(0, 80)}`);
      assert.ok(entry.error.includes(input.expected.error), `${entry.error} should say ${input.expected.error}`);
      assert.equal(entry.stage, input.expected.error.startsWith('document_parsing') ? 'index' : 'normalize');
      assert.equal(entry.original, input.value, 'the DLQ keeps the original bytes');
      assert.equal(entry.source, input.source);
    }

    await until(
      'every record handled',
      async () => (await sum(metrics.indexed)) + (await sum(metrics.dlq)) >= inputs.length,
    );
    assert.equal(await sum(metrics.records), inputs.length);
    assert.equal(await sum(metrics.indexed), good.length);
    assert.equal(await sum(metrics.duplicates), 0);
    assert.equal(await sum(metrics.dlq), bad.length, 'in = indexed + duplicates + DLQ');
    const requests = good.map(({ id, timestamp }) => ({ id, index: eventsIndexName(elastic.prefix, timestamp) }));
    assert.equal(await elastic.countIds(requests), good.length);

    // siem.events has every document, the one Elasticsearch refused (also in siem.dlq) included.
    const refusedByElasticsearch = '1764324000.999:002';
    const events = await readMessages(kafka, TOPICS.events, {
      since: eventsStart,
      match: (message) => header(message, 'origin').startsWith(`${run}-first#`),
      count: good.length + 1,
    });
    assert.deepEqual(
      new Set(events.map((message) => header(message, 'id'))),
      new Set([...good.map(({ id }) => id), refusedByElasticsearch]),
    );
    const login = events.find((message) => header(message, 'dataset') === 'aws.cloudtrail' && message.key !== null);
    const document = JSON.parse(login!.value!.toString()) as { user?: { name?: string }; source?: { ip?: string } };
    assert.equal(login!.key!.toString(), document.user?.name ?? document.source?.ip, 'keyed by the entity');

    // The same input again: nothing new in Elasticsearch, every good record a counted duplicate.
    await produce(inputs, `${run}-again`);
    const handled = async () =>
      (await sum(metrics.indexed)) + (await sum(metrics.duplicates)) + (await sum(metrics.dlq));
    await until('the replay handled', async () => (await handled()) >= 2 * inputs.length);
    assert.equal(await sum(metrics.duplicates), good.length);
    assert.equal(await sum(metrics.indexed), good.length);
    assert.equal(await elastic.count(`${elastic.prefix}-events`), good.length);
  });

  it('pauses while Elasticsearch is unreachable, commits nothing meanwhile, and resumes when it returns', async () => {
    const proxy = await startTcpProxy(elastic.config.elasticsearch.node);
    try {
      const groupId = `${run}-outage`;
      const metrics = await start(groupId, proxy.url);
      const start0 = await topicEnd(admin, TOPICS.rawCloudtrail);
      await proxy.cut();
      const inputs = goldenInputs().filter(({ topic, expected }) => topic === TOPICS.rawCloudtrail && 'id' in expected);
      // New ids: the first test indexed these records already.
      const records = inputs.map((input, i) => ({
        ...input,
        value: input.value.replace(/"eventID":"[^"]+"/, `"eventID":"${run}-${i}"`),
      }));
      await produce(records, `${run}-outage`);
      await until('paused', async () => (await sum(metrics.elasticsearchPaused)) === 1);
      const committed = async () =>
        (await admin.fetchOffsets({ groupId, topics: [TOPICS.rawCloudtrail] }))[0]!.partitions;
      for (const { partition, offset } of await committed()) {
        assert.equal(offset, start0.get(partition), `partition ${partition}: nothing committed while paused`);
      }
      assert.equal(await sum(metrics.indexed), 0);

      await proxy.restore();
      await until('all indexed', async () => (await sum(metrics.indexed)) === records.length);
      assert.equal(await sum(metrics.elasticsearchPaused), 0);
      const end = await topicEnd(admin, TOPICS.rawCloudtrail);
      await until('committed to the end', async () =>
        (await committed()).every(({ partition, offset }) => offset === end.get(partition)),
      );
      const ids = records.map((_, i) => ({ id: `${run}-${i}`, index: `${elastic.prefix}-events` }));
      assert.equal(await elastic.countIds(ids), records.length);
    } finally {
      await proxy.close();
    }
  });
});
