import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createKafka, createProducer, ensureTopics, TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { createIngestMetrics } from './ingest-metrics.js';
import { RawSink } from './raw-sink.js';

const config = testConfig();
const logger = createLogger('raw-sink-test', 'silent');
const kafka = createKafka(config.kafka, logger, '-test');
const admin = kafka.admin();
const producer = createProducer(kafka);
const registry = createMetrics('ingest').registry;
const metrics = createIngestMetrics(registry);
const HARD_LIMIT = 2 * 1024 * 1024;
const sink = new RawSink(producer, metrics, logger, HARD_LIMIT);

const header = (headers: Record<string, unknown> | undefined, name: string) => String(headers?.[name]);

describe('RawSink (real Kafka)', () => {
  before(async () => {
    await admin.connect();
    await ensureTopics(admin, config.kafka);
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('produces records unchanged with source, origin and received_at headers; keeps one over 1 MiB', async () => {
    const topic = uniqueName('test.raw');
    await ensureTopics(admin, config.kafka, [topic]);
    const big = JSON.stringify({ eventID: 'big', requestParameters: { policy: 'p'.repeat(1_200_000) } });
    const records = [
      { key: 'e1', value: '{"eventID":"e1"}', origin: 's3://b/k.json.gz#0' },
      { key: 'big', value: big, origin: 's3://b/k.json.gz#1' },
    ];
    await sink.send('cloudtrailSqs', topic, records, new Date('2026-11-28T12:00:00Z'));

    const messages = await readMessages(kafka, topic, { count: 2 });
    const byKey = new Map(messages.map((message) => [message.key!.toString(), message]));
    assert.equal(byKey.get('e1')!.value!.toString(), '{"eventID":"e1"}');
    assert.equal(byKey.get('big')!.value!.toString(), big, 'a record over 1 MiB is kept whole');
    assert.equal(header(byKey.get('e1')!.headers, 'source'), 'cloudtrailSqs');
    assert.equal(header(byKey.get('big')!.headers, 'origin'), 's3://b/k.json.gz#1');
    assert.equal(header(byKey.get('e1')!.headers, 'received_at'), '2026-11-28T12:00:00.000Z');
  });

  it('sends a record over the hard limit to siem.dlq with its reason, size and hash, and the rest on', async () => {
    const topic = uniqueName('test.raw');
    await ensureTopics(admin, config.kafka, [topic]);
    const origin = `s3://b/${uniqueName('huge')}.json.gz#3`;
    const huge = JSON.stringify({ eventID: 'huge', blob: 'x'.repeat(HARD_LIMIT) });
    const dlqStart = await topicEnd(admin, TOPICS.dlq);
    await sink.send('cloudtrailSqs', topic, [
      { key: 'ok', value: '{"eventID":"ok"}', origin: 's3://b/k#0' },
      { key: 'huge', value: huge, origin },
    ]);

    const kept = await readMessages(kafka, topic, { count: 1 });
    assert.equal(kept[0]!.key!.toString(), 'ok');
    const [rejected] = await readMessages(kafka, TOPICS.dlq, {
      since: dlqStart,
      count: 1,
      match: (message) => message.key?.toString() === origin,
    });
    const entry = JSON.parse(rejected!.value!.toString()) as Record<string, unknown>;
    assert.equal(entry['stage'], 'size');
    assert.match(String(entry['error']), /over the hard limit of 2097152 bytes \(ingest\.maxRecordBytes\)/);
    assert.equal(entry['origin'], origin);
    assert.equal(entry['source'], 'cloudtrailSqs');
    assert.equal(entry['original_truncated'], true);
    assert.equal(entry['original_bytes'], Buffer.byteLength(huge));
    assert.equal(entry['original_sha256'], createHash('sha256').update(huge).digest('hex'));
    assert.ok(huge.startsWith(String(entry['original'])));
    assert.match(
      await registry.metrics(),
      /sentrail_ingest_dlq_total\{source="cloudtrailSqs",stage="size",service="ingest"\} 1/,
    );
  });

  it('keeps a binary reject byte for byte, as base64', async () => {
    const origin = `file:${uniqueName('inode')}:0`;
    const bytes = Buffer.from([0x1f, 0x8b, 0xff, 0x00, 0xfe]);
    const dlqStart = await topicEnd(admin, TOPICS.dlq);
    await sink.reject('wazuh', [{ error: 'not JSON', stage: 'parse', origin, original: bytes }]);
    const [rejected] = await readMessages(kafka, TOPICS.dlq, {
      since: dlqStart,
      count: 1,
      match: (message) => message.key?.toString() === origin,
    });
    const entry = JSON.parse(rejected!.value!.toString()) as Record<string, string>;
    assert.equal(entry['original_encoding'], 'base64');
    assert.deepEqual(Buffer.from(entry['original']!, 'base64'), bytes);
    assert.ok(!Number.isNaN(Date.parse(entry['received_at']!)));
  });
});
