import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { readMessages, REPO_ROOT, startServiceProcess, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { createS3Client } from '../aws.js';
import type { S3Location } from '../cloudtrail-object.js';
import { CloudTrailGenerator, type CloudTrailRecord } from '../demo/cloudtrail-generator.js';
import type { Source } from '../source.js';
import { sourceTestContext } from '../testing/source-context.js';
import { startS3Proxy } from '../testing/s3-proxy.js';
import { cloudtrailSqs } from './cloudtrail-sqs.js';
import { s3Notification } from './demo.js';

const config = testConfig();
const harness = await sourceTestContext(config, 'cloudtrail-sqs');
const { kafka, admin } = harness;
const { logger, metrics, sink, s3, sqs } = harness.context;
const bucket = config.ingest.cloudtrailBucket;
const generator = new CloudTrailGenerator(randomInt(2 ** 31));
const SOURCE = 'cloudtrailSqs';

const header = (message: KafkaMessage, name: string) => String(message.headers?.[name]);
const origin = (location: S3Location) => `s3://${location.bucket}/${location.key}`;
const fromObjects =
  (...locations: S3Location[]) =>
  (message: KafkaMessage) =>
    locations.some((location) => header(message, 'origin').startsWith(`${origin(location)}#`));

const queues: string[] = [];
async function createQueue(): Promise<{ name: string; url: string }> {
  const name = uniqueName('test-cloudtrail');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  queues.push(QueueUrl!);
  return { name, url: QueueUrl! };
}

async function send(url: string, body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
}

/** Messages still in the queue, visible or in flight. */
async function queued(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

async function putLog(records: CloudTrailRecord[], prefix = `${uniqueName('test')}/`): Promise<S3Location> {
  const location = { bucket, key: generator.logFileKey(new Date(), prefix) };
  const body = gzipSync(JSON.stringify({ Records: records }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: location.key, Body: body }));
  return location;
}

const s3Event = (location: S3Location) =>
  JSON.stringify(s3Notification(location.bucket, location.key, 1, new Date(), config.aws.region));

/** The SNS envelope SNS delivers to an SQS subscription without raw message delivery. */
const snsEnvelope = (message: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: '8f8e4f3c-5d2b-5a1e-9f7c-0b2f8c1d3e4a',
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:cloudtrail-logs',
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
  });

function startSource(settings: Record<string, unknown>, s3Client = s3): Source {
  const source = cloudtrailSqs({ config, logger, sink, metrics, s3: s3Client, sqs }, settings);
  void source.start!();
  return source;
}

async function counterValue(counter: typeof metrics.messages, labels: Record<string, string> = { source: SOURCE }) {
  const { values } = await counter.get();
  return values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value ?? 0;
}

/** Fast retries: these tests are about what happens, not when. */
const QUICK = { waitTimeSeconds: 1, retryDelaySeconds: 0 };

after(async () => {
  for (const url of queues) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await harness.close();
});

describe('cloudtrailSqs source (real SQS, S3 and Kafka)', () => {
  it('checks its settings, naming the key', () => {
    assert.throws(
      () => cloudtrailSqs({ config, logger, sink, metrics, s3, sqs }, { concurrency: 0, queus: 'x' }),
      (error) =>
        error instanceof ConfigError &&
        error.problems.some((problem) => problem.startsWith('ingest.sources.cloudtrailSqs.concurrency')) &&
        error.problems.some((problem) => problem.includes('queus: is not a known key')),
    );
  });

  it('reads objects of S3 events (direct and through SNS) and CloudTrail notifications, then deletes', async () => {
    const queue = await createQueue();
    const logs = await Promise.all([10, 20, 30, 40].map((count) => putLog(generator.routine(new Date(), count))));
    // A key with a space: S3 events carry it URL-encoded ('+').
    logs.push(await putLog(generator.routine(new Date(), 5), `${uniqueName('test')}/with space/`));
    const [direct, wrapped, first, second, spaced] = logs as [
      S3Location,
      S3Location,
      S3Location,
      S3Location,
      S3Location,
    ];
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    await send(queue.url, s3Event(direct));
    await send(queue.url, snsEnvelope(s3Event(wrapped)));
    await send(queue.url, snsEnvelope(JSON.stringify({ s3Bucket: bucket, s3ObjectKey: [first.key, second.key] })));
    await send(queue.url, s3Event(spaced));
    await send(queue.url, JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket }));
    const messagesBefore = await counterValue(metrics.messages);

    const source = startSource({ ...QUICK, queue: queue.name, concurrency: 3 });
    const messages = await readMessages(kafka, TOPICS.rawCloudtrail, {
      since,
      count: 105,
      match: fromObjects(...logs),
      timeoutMs: 120_000,
    });
    await source.stop!();

    assert.equal(new Set(messages.map((message) => header(message, 'origin'))).size, 105, 'every record once');
    assert.ok(messages.every((message) => header(message, 'source') === SOURCE));
    assert.equal(await queued(queue.url), 0, 'every message deleted, the test event too');
    assert.equal((await counterValue(metrics.messages)) - messagesBefore, 5, 'each received once');
  });

  it('sends a body that is not a notification to siem.dlq with the reason, then deletes it', async () => {
    const queue = await createQueue();
    const since = await topicEnd(admin, TOPICS.dlq);
    await send(queue.url, '{"hello": "world"}');
    const source = startSource({ ...QUICK, queue: queue.name });
    const [message] = await readMessages(kafka, TOPICS.dlq, {
      since,
      count: 1,
      match: (candidate) => header(candidate, 'origin').startsWith(`sqs://${queue.name}/`),
    });
    await source.stop!();
    const entry = JSON.parse(message!.value!.toString()) as Record<string, unknown>;
    assert.equal(entry['stage'], 'notification');
    assert.match(String(entry['error']), /neither an S3 event notification/);
    assert.equal(entry['original'], '{"hello": "world"}');
    assert.equal(await queued(queue.url), 0);
  });

  it('asks again for an object that does not exist, then sends the message to siem.dlq and deletes it', async () => {
    const queue = await createQueue();
    const gone = { bucket, key: `${uniqueName('test')}/AWSLogs/111122223333/CloudTrail/gone.json.gz` };
    const since = await topicEnd(admin, TOPICS.dlq);
    await send(queue.url, s3Event(gone));
    const source = startSource({ ...QUICK, queue: queue.name, missingObjectReceives: 3 });
    const [message] = await readMessages(kafka, TOPICS.dlq, {
      since,
      count: 1,
      match: (candidate) => header(candidate, 'origin').startsWith(`sqs://${queue.name}/`),
    });
    await source.stop!();
    const entry = JSON.parse(message!.value!.toString()) as Record<string, unknown>;
    assert.equal(entry['stage'], 'fetch');
    assert.match(String(entry['error']), new RegExp(`object does not exist ${origin(gone)}.*\\(after 3 receives\\)`));
    assert.equal(await queued(queue.url), 0);
  });

  it('sends a message that keeps failing to siem.dlq after maxReceives', async () => {
    const queue = await createQueue();
    const log = await putLog(generator.routine(new Date(), 3));
    const proxy = await startS3Proxy(config.aws.s3Endpoint, async () => ({ status: 403, code: 'AccessDenied' }));
    const denied = createS3Client({ ...config.aws, s3Endpoint: proxy.endpoint });
    const since = await topicEnd(admin, TOPICS.dlq);
    await send(queue.url, s3Event(log));
    const source = startSource({ ...QUICK, queue: queue.name, maxReceives: 2 }, denied);
    try {
      const [message] = await readMessages(kafka, TOPICS.dlq, {
        since,
        count: 1,
        match: (candidate) => header(candidate, 'origin').startsWith(`sqs://${queue.name}/`),
      });
      const entry = JSON.parse(message!.value!.toString()) as Record<string, unknown>;
      assert.equal(entry['stage'], 'message');
      assert.match(String(entry['error']), /cannot read object .*AccessDenied.*\(after 2 receives\)/);
      assert.equal(proxy.gets, 2, 'no retries of a 403 within a receive');
    } finally {
      await source.stop!();
      denied.destroy();
      await proxy.close();
    }
    assert.equal(await queued(queue.url), 0);
  });

  it('extends the visibility of a message while its object is being read', async () => {
    const queue = await createQueue();
    const log = await putLog(generator.routine(new Date(), 10));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    // The GET waits until the test lets it go: the message stays in processing meanwhile.
    const proxy = await startS3Proxy(config.aws.s3Endpoint, async () => {
      held();
      await released;
      return undefined;
    });
    const slow = createS3Client({ ...config.aws, s3Endpoint: proxy.endpoint });
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const messagesBefore = await counterValue(metrics.messages);
    await send(queue.url, s3Event(log));
    const visibilityTimeoutSeconds = 4;
    const source = startSource({ ...QUICK, queue: queue.name, visibilityTimeoutSeconds }, slow);
    try {
      await holding;
      // Three visibility timeouts: without the heartbeat the message would be visible again by now.
      await sleep(3 * visibilityTimeoutSeconds * 1000);
      const stolen = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 0 }));
      assert.equal(stolen.Messages?.length ?? 0, 0, 'still invisible to other consumers');
      release();
      await readMessages(kafka, TOPICS.rawCloudtrail, { since, count: 10, match: fromObjects(log) });
    } finally {
      release();
      await source.stop!();
      slow.destroy();
      await proxy.close();
    }
    assert.equal((await counterValue(metrics.messages)) - messagesBefore, 1, 'received once only');
    assert.equal(await queued(queue.url), 0);
  });
});

/** The ingest service as its own process, as `npm start` runs it, with only this source configured. */
function startIngest(queue: string) {
  return startServiceProcess('ingest', {
    SENTRAIL_INGEST__SOURCES__CLOUDTRAIL_SQS: `{queue: ${queue}, waitTimeSeconds: 1, visibilityTimeoutSeconds: 5, retryDelaySeconds: 1}`,
  });
}

/** A consumer of siem.raw.cloudtrail that has joined its group, so it sees what is produced from now on. */
async function watchRaw(onMessage: (message: KafkaMessage) => void) {
  const consumer = kafka.consumer({ groupId: uniqueName('test-watch') });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.rawCloudtrail, fromBeginning: false });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({ eachMessage: async ({ message }) => onMessage(message) });
  await joined;
  return consumer;
}

/** Waits until `count` distinct eventIDs of the object are in Kafka; duplicates are expected (at-least-once). */
async function allEventIDs(log: S3Location, since: Map<number, string>, count: number): Promise<Set<string>> {
  const seen = new Set<string>();
  await readMessages(kafka, TOPICS.rawCloudtrail, {
    since,
    count,
    timeoutMs: 300_000,
    match: (message) => {
      const eventID = message.key!.toString();
      if (!fromObjects(log)(message) || seen.has(eventID)) return false;
      seen.add(eventID);
      return true;
    },
  });
  return seen;
}

// Faults that disturb shared servers or take long: run them on purpose, e.g. --test-name-pattern=faults.
describe('cloudtrailSqs faults', () => {
  it('faults: SIGKILL while producing a large object loses no record after a restart', async () => {
    const queue = await createQueue();
    const records = generator.routine(new Date(), 50_000);
    const log = await putLog(records);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    let producing!: () => void;
    const firstRecord = new Promise<void>((resolve) => (producing = resolve));
    const watcher = await watchRaw((message) => {
      if (fromObjects(log)(message)) producing();
    });
    const first = startIngest(queue.name);
    try {
      await first.address;
      await send(queue.url, s3Event(log));
      await firstRecord;
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
    } finally {
      await watcher.disconnect();
    }
    assert.equal(await queued(queue.url), 1, 'killed before Kafka had the whole object: the message is not deleted');

    const second = startIngest(queue.name);
    try {
      await second.address;
      const eventIDs = await allEventIDs(log, since, records.length);
      assert.deepEqual([...eventIDs].sort(), records.map((record) => record.eventID).sort());
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
    assert.equal(await queued(queue.url), 0, 'deleted once every record was in Kafka');
  });

  it('faults: Kafka down keeps the message in the queue; after Kafka returns every record is in Kafka', async () => {
    const queue = await createQueue();
    const records = generator.routine(new Date(), 2000);
    const log = await putLog(records);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const messagesBefore = await counterValue(metrics.messages);
    const infra = (script: string) =>
      promisify(execFile)(`${REPO_ROOT}/infra/${script}`, ['kafka'], { cwd: REPO_ROOT });
    // High enough that an outage never sends the message to siem.dlq as poison.
    const source = startSource({ queue: queue.name, waitTimeSeconds: 1, retryDelaySeconds: 1, maxReceives: 1000 });
    await infra('stop.sh');
    try {
      await send(queue.url, s3Event(log));
      // A second receive means the first attempt failed on Kafka and the loop went on.
      while ((await counterValue(metrics.messages)) - messagesBefore < 2) await sleep(500);
      assert.equal(await queued(queue.url), 1, 'not deleted while Kafka is down');
    } finally {
      await infra('start.sh');
    }
    try {
      const eventIDs = await allEventIDs(log, since, records.length);
      assert.deepEqual([...eventIDs].sort(), records.map((record) => record.eventID).sort());
    } finally {
      await source.stop!();
    }
    assert.equal(await queued(queue.url), 0);
  });
});
