import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { createS3Client } from '../aws.js';
import { KeyState } from '../key-state.js';
import type { SourceContext } from '../source.js';
import { sourceTestContext } from '../testing/source-context.js';
import { CloudtrailS3Source } from './cloudtrail-s3.js';

const config = testConfig();
const harness = await sourceTestContext(config, 'cloudtrail-s3');
const { kafka, admin } = harness;
const { logger, metrics, sink, s3, sqs } = harness.context;
// Nothing listens there: every S3 call of a source built on it fails.
const deadS3 = createS3Client({ ...config.aws, s3Endpoint: 'http://127.0.0.1:1' });
const bucket = config.ingest.cloudtrailBucket;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A fresh 12-digit account id per test, so its key prefixes are its own in the shared bucket. */
const newAccount = () => String(randomInt(100_000, 999_999)) + String(randomInt(100_000, 999_999));
const dayBack = (back: number) => new Date(Date.now() - back * DAY_MS).toISOString().slice(0, 10);

const putKeys: string[] = [];

/** Puts a CloudTrail log file as CloudTrail names it, `back` days ago; returns its key and eventIDs. */
async function putLog(account: string, region: string, back: number, options: { org?: string; body?: Buffer } = {}) {
  const day = dayBack(back);
  const stamp = `${day.replaceAll('-', '')}T${String(randomInt(0, 24)).padStart(2, '0')}05Z`;
  const root = options.org ? `AWSLogs/${options.org}/${account}` : `AWSLogs/${account}`;
  const key = `${root}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${account}_CloudTrail_${region}_${stamp}_${uniqueName('f')}.json.gz`;
  const eventIDs = [uniqueName('ev'), uniqueName('ev')];
  const records = eventIDs.map((eventID) => ({
    eventVersion: '1.11',
    eventTime: `${day}T12:00:00Z`,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: region,
    eventID,
    recipientAccountId: account,
  }));
  const body = options.body ?? gzipSync(JSON.stringify({ Records: records }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-gzip' }));
  putKeys.push(key);
  return { key, eventIDs };
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString() ?? '';

/**
 * Every message on siem.raw.cloudtrail from `since` up to the topic's end now whose origin is in the
 * account's prefixes: exact, duplicates included, without waiting for silence.
 */
async function producedFor(account: string, since: Map<number, string>): Promise<KafkaMessage[]> {
  const end = await topicEnd(admin, TOPICS.rawCloudtrail);
  let count = 0;
  for (const [partition, offset] of end) count += Number(BigInt(offset) - BigInt(since.get(partition) ?? '0'));
  const messages =
    count === 0 ? [] : await readMessages(kafka, TOPICS.rawCloudtrail, { since, count, timeoutMs: 60_000 });
  return messages.filter((message) => header(message, 'origin').includes(`/${account}/CloudTrail/`));
}

const eventIDsOf = (messages: KafkaMessage[]) =>
  messages.map((message) => (JSON.parse(message.value!.toString()) as { eventID: string }).eventID).sort();

describe('cloudtrailS3 source (real s3proxy and Kafka)', () => {
  let stateDir = '';
  const context = (client: S3Client = s3): SourceContext => ({ config, logger, sink, metrics, s3: client, sqs });
  const newSource = (settings: Record<string, unknown>, client?: S3Client) =>
    new CloudtrailS3Source(context(client), {
      regions: ['us-east-1', 'eu-west-1'],
      stateFile: join(stateDir, `${uniqueName('state')}.json`),
      ...settings,
    });

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cloudtrail-s3-'));
  });
  after(async () => {
    for (let n = 0; n < putKeys.length; n += 1000) {
      const Objects = putKeys.slice(n, n + 1000).map((Key) => ({ Key }));
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }));
    }
    await harness.close();
    deadS3.destroy();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('reads every object across days and regions once; a second run reads nothing new', async () => {
    const account = newAccount();
    const logs = [
      await putLog(account, 'us-east-1', 0),
      await putLog(account, 'eu-west-1', 0),
      await putLog(account, 'us-east-1', 1),
      await putLog(account, 'eu-west-1', 4),
    ];
    // Another account's file in the same bucket is not this source's.
    await putLog(newAccount(), 'us-east-1', 0);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const source = newSource({ accounts: [account] });

    assert.deepEqual(await source.runOnce(), { listed: 14, objects: 4 });
    const second = await source.runOnce();
    assert.equal(second.objects, 0);
    assert.equal(second.listed, 4, 'older days read in full are settled: only the two recent days are listed again');

    const messages = await producedFor(account, since);
    assert.deepEqual(eventIDsOf(messages), logs.flatMap((log) => log.eventIDs).sort(), 'each record exactly once');
    const first = messages.find((message) => header(message, 'origin') === `s3://${bucket}/${logs[0]!.key}#0`);
    assert.ok(first, 'origin names the object and the record index');
    assert.equal(first.key?.toString(), logs[0]!.eventIDs[0]);
    assert.equal(header(first, 'source'), 'cloudtrailS3');
  });

  it('reads a file delivered late into a recent day already listed, on the next run; settled days stay settled', async () => {
    const account = newAccount();
    const early = await putLog(account, 'us-east-1', 0);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const source = newSource({ accounts: [account], relistDays: 2 });
    assert.equal((await source.runOnce()).objects, 1);

    // Earlier in key order than the file already read: a StartAfter marker would skip it.
    const late = await putLog(account, 'us-east-1', 1);
    const lateToday = await putLog(account, 'eu-west-1', 0);
    assert.equal((await source.runOnce()).objects, 2);

    // Past relistDays a day is listed once after it left the recent days, then left alone.
    const tooLate = await putLog(account, 'us-east-1', 3);
    assert.equal((await source.runOnce()).objects, 0);

    const ids = eventIDsOf(await producedFor(account, since));
    assert.deepEqual(ids, [...early.eventIDs, ...late.eventIDs, ...lateToday.eventIDs].sort());
    assert.ok(!ids.includes(tooLate.eventIDs[0]!));
  });

  it('skips days before onlyLogsAfter', async () => {
    const account = newAccount();
    await putLog(account, 'us-east-1', 3);
    await putLog(account, 'us-east-1', 2);
    const kept = [await putLog(account, 'us-east-1', 1), await putLog(account, 'eu-west-1', 0)];
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const source = newSource({ accounts: [account], onlyLogsAfter: dayBack(1) });

    assert.deepEqual(await source.runOnce(), { listed: 4, objects: 2 });
    assert.deepEqual(eventIDsOf(await producedFor(account, since)), kept.flatMap((log) => log.eventIDs).sort());
  });

  it('does not read again after a restart with the same state file', async () => {
    const account = newAccount();
    const logs = [await putLog(account, 'us-east-1', 0), await putLog(account, 'eu-west-1', 5)];
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const settings = { accounts: [account], stateFile: join(stateDir, `${uniqueName('restart')}.json`) };
    assert.equal((await newSource(settings).runOnce()).objects, 2);

    const restarted = newSource(settings);
    assert.equal((await restarted.runOnce()).objects, 0);
    assert.deepEqual(eventIDsOf(await producedFor(account, since)), logs.flatMap((log) => log.eventIDs).sort());
  });

  it('keeps the state bounded: days before the look-back window are forgotten', async () => {
    const account = newAccount();
    const stateFile = join(stateDir, `${uniqueName('bounded')}.json`);
    const old = await KeyState.load(stateFile);
    old.add(dayBack(30), `AWSLogs/${account}/CloudTrail/us-east-1/old.json.gz`);
    old.add(dayBack(3), `AWSLogs/${account}/CloudTrail/us-east-1/gone.json.gz`);
    await old.save();
    await putLog(account, 'us-east-1', 0);
    await putLog(account, 'us-east-1', 1);

    await newSource({ accounts: [account], stateFile, lookBackDays: 3 }).runOnce();
    const days = (await KeyState.load(stateFile)).dayList();
    assert.deepEqual(days, [dayBack(2), dayBack(1), dayBack(0)]);
    assert.doesNotMatch(await readFile(stateFile, 'utf8'), /old\.json\.gz|gone\.json\.gz/);
  });

  it('lists organization trail prefixes when organizationIds are set', async () => {
    const account = newAccount();
    const org = `o-${uniqueName('x').replaceAll('-', '').slice(0, 12)}`;
    const orgLog = await putLog(account, 'us-east-1', 0, { org });
    await putLog(account, 'us-east-1', 0); // the account's own trail: not what was configured
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);

    assert.equal((await newSource({ accounts: [account], organizationIds: [org] }).runOnce()).objects, 1);
    const messages = await producedFor(account, since);
    assert.deepEqual(eventIDsOf(messages), [...orgLog.eventIDs].sort());
    assert.ok(header(messages[0]!, 'origin').includes(`/AWSLogs/${org}/${account}/`));
  });

  it('fails a run on an S3 listing error without losing state, and the next run recovers', async () => {
    const account = newAccount();
    const stateFile = join(stateDir, `${uniqueName('fault')}.json`);
    const first = await putLog(account, 'us-east-1', 0);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    assert.equal((await newSource({ accounts: [account], stateFile }).runOnce()).objects, 1);
    const stateBefore = await readFile(stateFile, 'utf8');

    const second = await putLog(account, 'us-east-1', 0);
    await assert.rejects(
      newSource({ accounts: [account], stateFile }, deadS3).runOnce(),
      /cannot list s3:\/\/.*ECONNREFUSED/,
    );
    assert.equal(await readFile(stateFile, 'utf8'), stateBefore, 'the failed run left the state as it was');

    assert.equal((await newSource({ accounts: [account], stateFile }).runOnce()).objects, 1);
    const ids = eventIDsOf(await producedFor(account, since));
    assert.deepEqual(ids, [...first.eventIDs, ...second.eventIDs].sort());
  });

  it('sends an object that is not gzip to siem.dlq once and goes on with the rest', async () => {
    const account = newAccount();
    const bad = await putLog(account, 'us-east-1', 0, { body: Buffer.from('not gzip') });
    const good = await putLog(account, 'eu-west-1', 0);
    const dlqSince = await topicEnd(admin, TOPICS.dlq);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const source = newSource({ accounts: [account] });

    assert.equal((await source.runOnce()).objects, 2);
    assert.equal((await source.runOnce()).objects, 0, 'a rejected object is done, not retried forever');
    const [rejected] = await readMessages(kafka, TOPICS.dlq, {
      since: dlqSince,
      count: 1,
      match: (message) => message.key?.toString() === `s3://${bucket}/${bad.key}`,
    });
    assert.equal((JSON.parse(rejected!.value!.toString()) as { stage: string }).stage, 'gunzip');
    assert.deepEqual(eventIDsOf(await producedFor(account, since)), [...good.eventIDs].sort());
  });

  it('start() reads at once and stop() lets the run in flight finish', async () => {
    const account = newAccount();
    const log = await putLog(account, 'us-east-1', 0);
    const since = await topicEnd(admin, TOPICS.rawCloudtrail);
    const source = newSource({ accounts: [account] });
    await source.start();
    const messages = await readMessages(kafka, TOPICS.rawCloudtrail, {
      since,
      count: 2,
      match: (message) => header(message, 'origin').includes(`/${account}/`),
      timeoutMs: 60_000,
    });
    await source.stop();
    assert.deepEqual(eventIDsOf(messages), [...log.eventIDs].sort());
    assert.deepEqual(await source.runOnce(), { listed: 0, objects: 0 }, 'a stopped source starts no work');
  });

  it('refuses bad settings with a ConfigError naming the key', () => {
    const refuses = (settings: Record<string, unknown>, key: RegExp) =>
      assert.throws(
        () => new CloudtrailS3Source(context(), settings),
        (error: unknown) => error instanceof ConfigError && key.test(error.message),
      );
    refuses({ accounts: ['123'] }, /ingest\.sources\.cloudtrailS3\.accounts\.0: must match/);
    refuses({}, /ingest\.sources\.cloudtrailS3\.accounts: is required/);
    refuses(
      { accounts: ['123456789012'], schedule: 'every minute' },
      /ingest\.sources\.cloudtrailS3\.schedule: not a cron/,
    );
    refuses({ accounts: ['123456789012'], regions: ['us-east'] }, /ingest\.sources\.cloudtrailS3\.regions\.0/);
    refuses({ accounts: ['123456789012'], organizationIds: ['org1'] }, /cloudtrailS3\.organizationIds\.0/);
    refuses(
      { accounts: ['123456789012'], relistDays: 9 },
      /cloudtrailS3\.relistDays: must be at most lookBackDays \(7\)/,
    );
    refuses({ accounts: ['123456789012'], onlyLogsAfter: '2026-02-30' }, /cloudtrailS3\.onlyLogsAfter: not a calendar/);
    refuses({ accounts: ['123456789012'], lookback: 3 }, /cloudtrailS3\.lookback: is not a known key/);

    const defaults = new CloudtrailS3Source(context(), { accounts: ['123456789012'] });
    assert.equal(defaults.bucket, config.ingest.cloudtrailBucket);
    assert.deepEqual(
      { ...defaults.settings },
      {
        accounts: ['123456789012'],
        lookBackDays: 7,
        relistDays: 2,
        schedule: '*/5 * * * *',
        stateFile: '.local/state/ingest/cloudtrail-s3.json',
        concurrency: 4,
      },
    );
  });
});
