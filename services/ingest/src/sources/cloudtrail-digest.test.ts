import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { DigestWriter, isoSeconds, keyFingerprint, type LogFile } from '../demo/digest-writer.js';
import { startCloudTrailReplay, type CloudTrailReplay } from '../testing/cloudtrail-replay.js';
import { sourceTestContext } from '../testing/source-context.js';
import { createCloudtrailDigestSource, parseDigestKey, type DigestValidationEvent } from './cloudtrail-digest.js';

const config = testConfig();
const bucket = config.ingest.cloudtrailBucket;
const region = 'us-east-1';
const HOUR = 3_600_000;

const stamp = (date: Date) => date.toISOString().replace(/[-:]|\.\d{3}/g, ''); // 20260101T120000Z
const ymd = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '/');

// CloudTrail signs with a regional key pair; the test plays CloudTrail with one of its own.
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRegionKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const der = (key: KeyObject) => key.export({ type: 'pkcs1', format: 'der' });
const fingerprint = keyFingerprint;

interface Chain {
  account: string;
  digestKeys: string[];
  /** The log files each digest lists. */
  logKeys: string[][];
}

describe('cloudtrailDigest source (s3proxy, Kafka, CloudTrail API replayed)', () => {
  const prefix = `${uniqueName('test-digest')}/`;
  let harness: Awaited<ReturnType<typeof sourceTestContext>>;
  let replay: CloudTrailReplay;
  let stateDir: string;
  const put = (Key: string, Body: Buffer, Metadata?: Record<string, string>) =>
    harness.context.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, Metadata }));
  const remove = (Key: string) => harness.context.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));

  /** A trail's last three hours as CloudTrail delivers them: two log files an hour and a signed digest chain. */
  async function writeChain(now: Date): Promise<Chain> {
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    const writer = new DigestWriter({ account, region, trail: 'management-events', bucket, prefix, ...signing });
    const chain: Chain = { account, digestKeys: [], logKeys: [] };
    for (const hoursAgo of [3, 2, 1]) {
      const end = new Date(now.getTime() - hoursAgo * HOUR);
      const start = new Date(end.getTime() - HOUR);
      const logFiles: LogFile[] = [];
      for (const minutes of [10, 40]) {
        const delivered = new Date(start.getTime() + minutes * 60_000);
        const key = `${prefix}AWSLogs/${account}/CloudTrail/${region}/${ymd(delivered)}/${account}_CloudTrail_${region}_${stamp(delivered).slice(0, 13)}Z_${randomBytes(8).toString('hex')}.json.gz`;
        const json = JSON.stringify({
          Records: [
            {
              eventVersion: '1.11',
              eventTime: isoSeconds(delivered),
              eventSource: 'iam.amazonaws.com',
              eventName: 'CreateAccessKey',
              awsRegion: region,
              eventID: randomBytes(16).toString('hex'),
              recipientAccountId: account,
            },
          ],
        });
        await put(key, gzipSync(json));
        logFiles.push({ key, json, oldestEventTime: delivered, newestEventTime: delivered });
      }
      const digest = writer.write(start, end, logFiles);
      await put(digest.key, digest.body, digest.metadata);
      chain.digestKeys.push(digest.key);
      chain.logKeys.push(logFiles.map((file) => file.key));
    }
    return chain;
  }

  const settings = () => ({ prefix, endpoint: replay.endpoint, stateDir, lookbackHours: 6 });

  before(async () => {
    harness = await sourceTestContext(config, 'cloudtrail-digest');
    stateDir = await mkdtemp(join(tmpdir(), 'sentrail-digest-'));
    const validity = (key: KeyObject, daysBefore: number, daysAfter: number) => ({
      Value: der(key).toString('base64'),
      ValidityStartTime: Math.floor(Date.now() / 1000) - daysBefore * 86_400,
      ValidityEndTime: Math.floor(Date.now() / 1000) + daysAfter * 86_400,
      Fingerprint: fingerprint(key),
    });
    replay = await startCloudTrailReplay({
      ListPublicKeys: () => ({
        PublicKeyList: [validity(otherRegionKey, 40, -10), validity(signing.publicKey, 10, 20)],
      }),
    });
  });
  after(async () => {
    await replay.close();
    const listed = await harness.context.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const Objects = (listed.Contents ?? []).map(({ Key }) => ({ Key }));
    if (Objects.length > 0)
      await harness.context.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }));
    await harness.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('rejects bad settings naming the key', () => {
    assert.throws(
      () => createCloudtrailDigestSource(harness.context, { lookbackHours: 0 }),
      (error: unknown) =>
        error instanceof ConfigError && /ingest\.sources\.cloudtrailDigest\.lookbackHours/.test(error.message),
    );
    assert.throws(
      () => createCloudtrailDigestSource(harness.context, { schedule: 'every hour' }),
      (error: unknown) => error instanceof ConfigError && /cloudtrailDigest\.schedule/.test(error.message),
    );
  });

  it('parses digest keys, organization trails and backfills included', () => {
    const key =
      'p/AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2026/01/02/111122223333_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20260102T030405Z_backfill.json.gz';
    assert.deepEqual(parseDigestKey(key), {
      account: '111122223333',
      region: 'eu-west-1',
      trail: 'my_trail',
      end: new Date('2026-01-02T03:04:05Z'),
    });
    assert.equal(parseDigestKey('AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/x.json.gz'), undefined);
  });

  describe('a scheduled run over five trails', () => {
    const now = new Date();
    const chains: Record<string, Chain> = {};
    let events: Map<string, DigestValidationEvent>;
    let runResults: DigestValidationEvent[];

    before(async () => {
      for (const name of ['valid', 'logDeleted', 'logAltered', 'badSignature', 'middleMissing']) {
        chains[name] = await writeChain(now);
      }
      await remove(chains['logDeleted']!.logKeys[1]![0]!);
      await put(chains['logAltered']!.logKeys[1]![1]!, gzipSync('{"Records":[]}'));
      // Hiding a log file from the last digest: the content no longer matches its signature.
      const tampered = chains['badSignature']!.digestKeys[2]!;
      const original = await harness.context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: tampered }));
      const metadata = original.Metadata!;
      const body = JSON.parse(gunzipSync(await original.Body!.transformToByteArray()).toString()) as {
        logFiles: unknown[];
      };
      body.logFiles.pop();
      await put(tampered, gzipSync(JSON.stringify(body)), metadata);
      await remove(chains['middleMissing']!.digestKeys[1]!);

      const since = await topicEnd(harness.admin, TOPICS.rawIntegrity);
      // Accounts and regions are left to discovery under the test's own prefix.
      const source = createCloudtrailDigestSource(harness.context, settings());
      runResults = await source.runOnce(now);
      await source.stop!();
      const messages = await readMessages(harness.kafka, TOPICS.rawIntegrity, {
        since,
        count: 14,
        timeoutMs: 60_000,
        match: (message) => message.key?.toString().startsWith(`s3://${bucket}/${prefix}`) ?? false,
      });
      events = new Map(
        messages.map((message) => {
          assert.equal(message.headers?.['source']?.toString(), 'cloudtrailDigest');
          const event = JSON.parse(message.value!.toString()) as DigestValidationEvent;
          assert.equal(message.key!.toString(), event.id);
          return [event.id, event];
        }),
      );
    });

    const eventOf = (chain: string, index: number) => {
      const event = events.get(`s3://${bucket}/${chains[chain]!.digestKeys[index]!}`);
      assert.ok(event, `a result for digest ${index} of ${chain}`);
      return event;
    };
    const results = (chain: string) =>
      chains[chain]!.digestKeys.map((key) => events.get(`s3://${bucket}/${key}`)?.result);

    it('produces one result per digest found, the same as runOnce returns', () => {
      assert.equal(events.size, 14);
      assert.equal(runResults.length, 14);
    });

    it('finds an intact chain valid, with its identity and times', () => {
      assert.deepEqual(results('valid'), ['valid', 'valid', 'valid']);
      const last = eventOf('valid', 2);
      assert.equal(last.kind, 'digest_validation');
      assert.deepEqual(last.problems, []);
      assert.deepEqual(last.logFiles, { total: 2, valid: 2, missing: 0, mismatched: 0 });
      assert.equal(last.digest.accountId, chains['valid']!.account);
      assert.equal(last.digest.region, region);
      assert.equal(last.digest.trail, 'management-events');
      assert.equal(last.digest.endTime, isoSeconds(new Date(now.getTime() - HOUR)));
      assert.equal(last.digest.startTime, isoSeconds(new Date(now.getTime() - 2 * HOUR)));
      assert.equal(last.digest.previousDigest, `s3://${bucket}/${chains['valid']!.digestKeys[1]}`);
      assert.equal(last.digest.publicKeyFingerprint, fingerprint(signing.publicKey));
    });

    it('reports a deleted log file as missing', () => {
      assert.deepEqual(results('logDeleted'), ['valid', 'log_file_missing', 'valid']);
      const event = eventOf('logDeleted', 1);
      assert.deepEqual(event.logFiles, { total: 2, valid: 1, missing: 1, mismatched: 0 });
      assert.equal(event.problems[0]!.object, `s3://${bucket}/${chains['logDeleted']!.logKeys[1]![0]}`);
    });

    it('reports an altered log file as a hash mismatch', () => {
      assert.deepEqual(results('logAltered'), ['valid', 'hash_mismatch', 'valid']);
      const event = eventOf('logAltered', 1);
      assert.deepEqual(event.logFiles, { total: 2, valid: 1, missing: 0, mismatched: 1 });
      assert.equal(event.problems[0]!.object, `s3://${bucket}/${chains['logAltered']!.logKeys[1]![1]}`);
    });

    it('reports a digest altered after signing as signature invalid', () => {
      assert.deepEqual(results('badSignature'), ['valid', 'valid', 'signature_invalid']);
      assert.match(eventOf('badSignature', 2).problems[0]!.detail, /signature verification failed/);
    });

    it('reports a missing middle digest as a chain gap on the digest after it', () => {
      assert.deepEqual(results('middleMissing'), ['valid', undefined, 'chain_gap']);
      const gap = eventOf('middleMissing', 2);
      assert.deepEqual(gap.problems, [
        {
          result: 'chain_gap',
          detail: 'previous digest not found',
          object: `s3://${bucket}/${chains['middleMissing']!.digestKeys[1]}`,
        },
      ]);
      assert.deepEqual(gap.logFiles, { total: 2, valid: 2, missing: 0, mismatched: 0 });
    });

    it('asks CloudTrail for the public keys once for all fourteen digests, in their region', () => {
      const asked = replay.callsTo('ListPublicKeys');
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.region, region);
      assert.equal(typeof asked[0]!.input['StartTime'], 'number', 'times go over the wire as epoch seconds');
    });

    it('validates nothing twice, after a restart too', async () => {
      const again = createCloudtrailDigestSource(harness.context, settings());
      assert.deepEqual(await again.runOnce(now), []);
      await again.stop!();
    });

    it('validates one digest given its bucket and key, for other sources to call', async () => {
      const source = createCloudtrailDigestSource(harness.context, settings());
      const event = await source.validator.validate(bucket, chains['logAltered']!.digestKeys[0]!);
      assert.equal(event.result, 'valid');
      await source.stop!();
    });
  });
});
