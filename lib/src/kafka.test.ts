import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  ACKS_ALL,
  ALL_TOPICS,
  consumerLag,
  createKafka,
  createProducer,
  ensureTopics,
  startBatchConsumer,
  type BatchConsumer,
  type KafkaMessage,
} from './kafka.js';
import { createLogger } from './logger.js';
import { testConfig, uniqueName, waitUntil } from './testing.js';
import { Registry } from 'prom-client';

const config = testConfig();
const logger = createLogger('kafka-test', 'silent');
const kafka = createKafka(config.kafka, logger, '-test');
const admin = kafka.admin();
const producer = createProducer(kafka);

/** Collects what a consumer handles, and lets a test wait for a number of messages. */
function collector(onBatch?: (messages: KafkaMessage[]) => Promise<void>) {
  const values: string[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  return {
    values,
    handle: async (messages: KafkaMessage[]) => {
      await onBatch?.(messages);
      values.push(...messages.map((message) => message.value!.toString()));
      waiters = waiters.filter((waiter) => (values.length >= waiter.count ? (waiter.resolve(), false) : true));
    },
    async until(count: number, timeoutMs = 30_000) {
      if (values.length >= count) return;
      await Promise.race([
        new Promise<void>((resolve) => waiters.push({ count, resolve })),
        sleep(timeoutMs, undefined, { ref: false }).then(() => {
          throw new Error(`only ${values.length} of ${count} messages arrived within ${timeoutMs} ms`);
        }),
      ]);
    },
  };
}

async function produce(topic: string, values: string[]) {
  await producer.send({ topic, acks: ACKS_ALL, messages: values.map((value) => ({ key: 'k', value })) });
}

async function committedOffset(groupId: string, topic: string): Promise<number> {
  const [partitions] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return partitions!.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

async function newTopic(): Promise<string> {
  const topic = uniqueName('test.kafka');
  await ensureTopics(admin, { ...config.kafka, partitions: 1 }, [topic]);
  return topic;
}

describe('Kafka (real broker)', () => {
  const consumers: BatchConsumer[] = [];
  const consume = async (...args: Parameters<typeof startBatchConsumer>) => {
    const consumer = await startBatchConsumer(...args);
    consumers.push(consumer);
    return consumer;
  };

  before(async () => {
    await admin.connect();
    await producer.connect();
  });
  after(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('creates the topics of DESIGN.md §3 up front, and only the missing ones', async () => {
    await ensureTopics(admin, config.kafka);
    const existing = new Set(await admin.listTopics());
    for (const topic of ALL_TOPICS) assert.ok(existing.has(topic), `${topic} exists`);
    assert.deepEqual(await ensureTopics(admin, config.kafka), []);

    const fresh = uniqueName('test.topics');
    assert.deepEqual(await ensureTopics(admin, config.kafka, [fresh, 'siem.events']), [fresh]);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [fresh] })).topics;
    assert.equal(metadata!.partitions.length, config.kafka.partitions);
  });

  it('resumes a consumer group from its committed offsets after a restart', async () => {
    const topic = await newTopic();
    const groupId = uniqueName('test-group');
    await produce(topic, ['1', '2', '3']);

    const first = collector();
    const consumer = await consume(kafka, logger, { groupId, topics: [topic], handle: first.handle });
    await first.until(3);
    await consumer.stop();
    assert.equal(await committedOffset(groupId, topic), 3);

    await produce(topic, ['4', '5']);
    const second = collector();
    await consume(kafka, logger, { groupId, topics: [topic], handle: second.handle });
    await second.until(2);
    await sleep(1_000); // anything already handled would come back now, at the start of the stream
    assert.deepEqual(second.values, ['4', '5']);
  });

  it('reports after each batch how many messages of the partition the group has still to read', async () => {
    const topic = await newTopic();
    // Three sends, three record batches: a fetch of at most one byte brings one message at a time.
    for (const value of ['1', '2', '3']) await produce(topic, [value]);
    const registry = new Registry();
    const lag = consumerLag(registry);
    assert.equal(consumerLag(registry), lag, 'one gauge per registry');
    const reported: number[] = [];
    const set = lag.set.bind(lag);
    lag.set = ((labels: { topic: string; partition: string }, value: number) => {
      reported.push(value);
      set(labels, value);
    }) as typeof lag.set;
    const seen = collector();
    await consume(kafka, logger, {
      groupId: uniqueName('test-group'),
      topics: [topic],
      handle: seen.handle,
      maxBytesPerPartition: 1,
      lag,
    });
    await seen.until(3);
    await waitUntil(
      'the last batch committed',
      async () => reported.length,
      (count) => count === 3,
      10_000,
    );
    assert.deepEqual(reported, [2, 1, 0]);
    const [metric] = (await registry.getMetricsAsJSON()).filter(({ name }) => name === 'sentrail_consumer_lag');
    assert.deepEqual(metric?.values, [{ labels: { topic, partition: '0' }, value: 0 }]);
  });

  it('does not commit a batch whose handling failed: it comes again', async () => {
    const topic = await newTopic();
    const groupId = uniqueName('test-group');
    await produce(topic, ['a', 'b']);
    let failures = 0;
    const seen = collector(async () => {
      if (failures++ === 0) throw new Error('Elasticsearch said no');
    });
    await consume(kafka, logger, { groupId, topics: [topic], handle: seen.handle });
    await seen.until(2);
    assert.deepEqual(seen.values, ['a', 'b']);
    assert.ok(failures >= 2);
    await sleep(500);
    assert.equal(await committedOffset(groupId, topic), 2);
  });

  it('keeps its place in the group through a batch longer than the session timeout', async () => {
    const topic = await newTopic();
    const groupId = uniqueName('test-group');
    await produce(topic, ['slow-1', 'slow-2']);
    let batches = 0;
    const seen = collector(async () => {
      if (batches++ === 0) await sleep(9_000); // the session times out after 6 s without heartbeats
    });
    await consume(kafka, logger, {
      groupId,
      topics: [topic],
      handle: seen.handle,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    });
    await seen.until(2, 40_000);
    await sleep(2_000);
    assert.deepEqual(seen.values, ['slow-1', 'slow-2'], 'handled once, not again after a rebalance');
    assert.equal(await committedOffset(groupId, topic), 2);
  });

  it('finishes and commits the batch in hand when stopped', async () => {
    const topic = await newTopic();
    const groupId = uniqueName('test-group');
    await produce(topic, ['x', 'y']);
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen = collector(async () => {
      release();
      await sleep(1_500);
    });
    const consumer = await consume(kafka, logger, { groupId, topics: [topic], handle: seen.handle });
    await started;
    await consumer.stop();
    assert.deepEqual(seen.values, ['x', 'y']);
    assert.equal(await committedOffset(groupId, topic), 2);
  });
});
