import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createKafka, createProducer, ensureTopics, TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { createS3Client } from './aws.js';
import { ObjectFetchError, readCloudTrailObject, type S3Location } from './cloudtrail-object.js';
import { CloudTrailGenerator } from './demo/cloudtrail-generator.js';
import { createIngestMetrics } from './ingest-metrics.js';
import { RawSink } from './raw-sink.js';
import { startS3Proxy, type S3Fault } from './testing/s3-proxy.js';

const config = testConfig();
const logger = createLogger('cloudtrail-object-test', 'silent');
const kafka = createKafka(config.kafka, logger, '-test');
const admin = kafka.admin();
const producer = createProducer(kafka);
const metrics = createIngestMetrics(createMetrics('ingest').registry);
const HARD_LIMIT = 2 * 1024 * 1024;
const sink = new RawSink(producer, metrics, logger, HARD_LIMIT);
const s3 = createS3Client(config.aws);
const bucket = config.ingest.cloudtrailBucket;
const generator = new CloudTrailGenerator(randomInt(2 ** 31));
const SOURCE = 'cloudtrailObjectTest';

const header = (message: KafkaMessage, name: string) => String(message.headers?.[name]);
const fromObject = (location: S3Location) => (message: KafkaMessage) =>
  header(message, 'origin').startsWith(`s3://${location.bucket}/${location.key}`);

async function putObject(body: Buffer | string, client: S3Client = s3): Promise<S3Location> {
  const location = { bucket, key: generator.logFileKey(new Date(), `${uniqueName('test')}/`) };
  await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body }));
  return location;
}

const gzipLog = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

async function counterValue(counter: typeof metrics.retries, labels: Record<string, string>) {
  const { values } = await counter.get();
  return values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value ?? 0;
}

/** Reads an object expected to be rejected as a whole, and returns its siem.dlq entry. */
async function rejectedEntry(location: S3Location) {
  const since = await topicEnd(admin, TOPICS.dlq);
  const result = await readCloudTrailObject({ s3, sink, metrics, source: SOURCE }, location);
  assert.equal(result.records, 0);
  assert.ok(result.rejected);
  const [message] = await readMessages(kafka, TOPICS.dlq, { since, count: 1, match: fromObject(location) });
  return JSON.parse(message!.value!.toString()) as Record<string, unknown>;
}

describe('readCloudTrailObject (real S3 and Kafka)', () => {
  before(async () => {
    await admin.connect();
    await ensureTopics(admin, config.kafka);
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await admin.disconnect();
    s3.destroy();
  });

  it('produces every record keyed by eventID, its own JSON, origin #index, in batches', async () => {
    const records = generator.routine(new Date('2026-11-28T10:00:00Z'), 1203);
    const location = await putObject(gzipLog(records));
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);

    const result = await readCloudTrailObject({ s3, sink, metrics, source: SOURCE }, location, { batchRecords: 500 });
    assert.equal(result.records, 1203);
    assert.equal(result.rejected, undefined);
    assert.equal(result.newestEventTime?.toISOString(), new Date(records.at(-1)!.eventTime).toISOString());

    const messages = await readMessages(kafka, TOPICS.rawCloudtrail, {
      since,
      count: 1203,
      match: fromObject(location),
    });
    const byOrigin = new Map(messages.map((message) => [header(message, 'origin'), message]));
    assert.equal(byOrigin.size, 1203, 'each record once, each with its own origin');
    for (const [index, record] of records.entries()) {
      const message = byOrigin.get(`s3://${bucket}/${location.key}#${index}`)!;
      assert.equal(message.key!.toString(), record.eventID);
      assert.equal(message.value!.toString(), JSON.stringify(record));
      assert.equal(header(message, 'source'), SOURCE);
    }
    const lastEventTime = (await metrics.lastEventTime.get()).values.find((value) => value.labels.source === SOURCE);
    assert.equal(lastEventTime?.value, result.newestEventTime.getTime() / 1000);
  });

  it('keeps a record over 1 MiB; one over ingest.maxRecordBytes goes to siem.dlq alone', async () => {
    const [small, big, huge] = generator.routine(new Date(), 3);
    big!.requestParameters = { policy: 'p'.repeat(1_500_000) };
    huge!.requestParameters = { policy: 'p'.repeat(HARD_LIMIT + 1) };
    const location = await putObject(gzipLog([small, big, huge]));
    const rawSince = await topicEnd(admin, TOPICS.rawCloudtrail);
    const dlqSince = await topicEnd(admin, TOPICS.dlq);

    const result = await readCloudTrailObject({ s3, sink, metrics, source: SOURCE }, location);
    assert.equal(result.records, 3, 'all three acknowledged: two in the raw topic, one in siem.dlq');
    const raw = await readMessages(kafka, TOPICS.rawCloudtrail, {
      since: rawSince,
      count: 2,
      match: fromObject(location),
    });
    assert.deepEqual(raw.map((message) => message.key!.toString()).sort(), [small!.eventID, big!.eventID].sort());
    assert.equal(
      raw.find((message) => message.key!.toString() === big!.eventID)!.value!.toString(),
      JSON.stringify(big),
    );
    const [dlq] = await readMessages(kafka, TOPICS.dlq, { since: dlqSince, count: 1, match: fromObject(location) });
    const entry = JSON.parse(dlq!.value!.toString()) as Record<string, unknown>;
    assert.equal(entry['stage'], 'size');
    assert.equal(entry['origin'], `s3://${bucket}/${location.key}#2`);
  });

  it('rejects an object that is not gzip, keeping its bytes', async () => {
    const body = JSON.stringify({ Records: generator.routine(new Date(), 2) });
    const location = await putObject(body);
    const entry = await rejectedEntry(location);
    assert.equal(entry['stage'], 'gunzip');
    assert.match(String(entry['error']), /not a gzip CloudTrail object/);
    assert.equal(entry['origin'], `s3://${bucket}/${location.key}`);
    assert.equal(entry['original'], body);
  });

  it('rejects a truncated gzip', async () => {
    const whole = gzipLog(generator.routine(new Date(), 50));
    const entry = await rejectedEntry(await putObject(whole.subarray(0, whole.length - 40)));
    assert.equal(entry['stage'], 'gunzip');
    assert.equal(entry['original_encoding'], 'base64');
  });

  it('rejects gzip content that is not JSON', async () => {
    const entry = await rejectedEntry(await putObject(gzipSync('{"Records": [{"eventID": "a"},')));
    assert.equal(entry['stage'], 'parse');
    assert.match(String(entry['error']), /^not JSON/);
    assert.equal(entry['original'], '{"Records": [{"eventID": "a"},');
  });

  it('rejects JSON without a Records array', async () => {
    const entry = await rejectedEntry(await putObject(gzipSync(JSON.stringify({ records: [] }))));
    assert.equal(entry['stage'], 'envelope');
    assert.match(String(entry['error']), /no Records array/);
  });

  it('sends a Records element that is not an object to siem.dlq and the rest on', async () => {
    const [record] = generator.routine(new Date(), 1);
    const location = await putObject(gzipLog(['not a record', record]));
    const dlqSince = await topicEnd(admin, TOPICS.dlq);
    const result = await readCloudTrailObject({ s3, sink, metrics, source: SOURCE }, location);
    assert.equal(result.records, 1);
    const [dlq] = await readMessages(kafka, TOPICS.dlq, { since: dlqSince, count: 1, match: fromObject(location) });
    const entry = JSON.parse(dlq!.value!.toString()) as Record<string, unknown>;
    assert.equal(entry['stage'], 'envelope');
    assert.equal(entry['origin'], `s3://${bucket}/${location.key}#0`);
  });

  it('throws ObjectFetchError (missing) for an object that does not exist', async () => {
    const location = { bucket, key: `${uniqueName('test')}/gone.json.gz` };
    await assert.rejects(readCloudTrailObject({ s3, sink, metrics, source: SOURCE }, location), (error) => {
      assert.ok(error instanceof ObjectFetchError);
      assert.equal(error.missing, true);
      assert.match(error.message, /object does not exist/);
      return true;
    });
  });

  it('retries S3 5xx and throttling with backoff, counting the SDK retries too', async () => {
    const failures: S3Fault[] = [503, 500, 503, 500, 503].map((status) => ({
      status,
      code: status === 503 ? 'SlowDown' : 'InternalError',
    }));
    const proxy = await startS3Proxy(config.aws.s3Endpoint, async (_request, get) => failures[get]);
    const proxied = createS3Client({ ...config.aws, s3Endpoint: proxy.endpoint });
    const source = uniqueName('retrying');
    try {
      const records = generator.routine(new Date(), 20);
      const location = await putObject(gzipLog(records), proxied);
      const since = await topicEnd(admin, TOPICS.rawCloudtrail);
      const result = await readCloudTrailObject({ s3: proxied, sink, metrics, source }, location, {
        fetchRetryBaseMs: 50,
      });
      assert.equal(result.records, 20);
      assert.equal(proxy.gets, failures.length + 1, 'one GET succeeded after the failures');
      assert.equal(await counterValue(metrics.retries, { source }), failures.length, 'every retry counted once');
      await readMessages(kafka, TOPICS.rawCloudtrail, { since, count: 20, match: fromObject(location) });
    } finally {
      proxied.destroy();
      await proxy.close();
    }
  });
});
