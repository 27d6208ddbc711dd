import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ConfigError } from '@sentrail/lib/config';
import { createLogger } from '@sentrail/lib/logger';
import { testConfig, uniqueName } from '@sentrail/lib/testing';
import { createS3Client, createSqsClient } from '../aws.js';
import { CloudTrailGenerator } from '../demo/cloudtrail-generator.js';
import { sha256 } from '../demo/digest-writer.js';
import type { SourceContext } from '../source.js';
import { demo } from './demo.js';

describe('CloudTrailGenerator', () => {
  it('gives the same corpus for the same seed, with unique event ids', () => {
    const start = new Date('2026-11-28T10:00:00Z');
    const one = new CloudTrailGenerator(7).routine(start, 5_000);
    const two = new CloudTrailGenerator(7).routine(start, 5_000);
    assert.deepEqual(one, two);
    assert.equal(new Set(one.map((record) => record.eventID)).size, 5_000);
    assert.notDeepEqual(new CloudTrailGenerator(8).routine(start, 5), one.slice(0, 5));
  });

  it('names log files the way CloudTrail delivers them', () => {
    const key = new CloudTrailGenerator(1, '123456789012', 'us-east-1').logFileKey(new Date('2026-01-02T03:04:05Z'));
    assert.match(
      key,
      /^AWSLogs\/123456789012\/CloudTrail\/us-east-1\/2026\/01\/02\/123456789012_CloudTrail_us-east-1_20260102T0304Z_[0-9A-Za-z]{16}\.json\.gz$/,
    );
  });
});

describe('demo feeder (real s3proxy and ElasticMQ)', () => {
  const queueName = uniqueName('test-demo');
  const config = testConfig({ SENTRAIL_INGEST__CLOUDTRAIL_QUEUE: queueName });
  const s3 = createS3Client(config.aws);
  const sqs = createSqsClient(config.aws);
  const alertsFile = join(mkdtempSync(join(tmpdir(), 'sentrail-demo-')), 'wazuh', 'alerts.json');
  const context = { config, logger: createLogger('demo-test', 'silent'), s3, sqs } as unknown as SourceContext;
  let url = '';
  after(async () => {
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    s3.destroy();
    sqs.destroy();
  });

  it('writes a CloudTrail log file with its S3 notification, and Wazuh alerts, including what should alert', async () => {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const feeder = demo(context, { intervalSeconds: 3600, recordsPerFile: 20, alertsFile, digestEvery: 1 });
    await feeder.start!();
    await feeder.stop!(); // waits for the first tick, which runs at start

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.equal(Messages.length, 1);
    const notification = JSON.parse(Messages[0]!.Body!) as {
      Records: { s3: { bucket: { name: string }; object: { key: string } } }[];
    };
    const { bucket, object } = notification.Records[0]!.s3;
    assert.equal(bucket.name, config.ingest.cloudtrailBucket);
    const key = decodeURIComponent(object.key.replaceAll('+', ' '));
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
    const content = gunzipSync(await stored.Body!.transformToByteArray()).toString();
    const { Records } = JSON.parse(content) as {
      Records: {
        eventName: string;
        sourceIPAddress: string;
        userIdentity: { type: string };
        responseElements: { ConsoleLogin?: string } | null;
      }[];
    };
    const names = Records.map((record) => record.eventName);
    for (const name of ['StopLogging', 'CreateAccessKey', 'AuthorizeSecurityGroupIngress'])
      assert.ok(names.includes(name), name);
    const failures = Records.filter((record) => record.responseElements?.ConsoleLogin === 'Failure');
    assert.ok(
      failures.length >= 5 && new Set(failures.map((record) => record.sourceIPAddress)).size === 1,
      'a brute force from one address',
    );
    assert.ok(Records.some((record) => record.eventName === 'ConsoleLogin' && record.userIdentity.type === 'Root'));
    assert.ok(Records.length >= 20);

    // The signed digest of that file, as CloudTrail writes it beside the logs.
    const digestKey = key.replace('/CloudTrail/', '/CloudTrail-Digest/');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket.name, Prefix: digestKey.slice(0, digestKey.lastIndexOf('/') + 1) }),
    );
    // Other runs' digests share the demo account's folder: the one that lists this file is this run's.
    let signed: { metadata: Record<string, string>; logFiles: { s3Object: string; hashValue: string }[] } | undefined;
    for (const candidate of (listed.Contents ?? []).filter((object) => object.Key!.includes('_CloudTrail-Digest_'))) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: candidate.Key }));
      const { logFiles } = JSON.parse(gunzipSync(await got.Body!.transformToByteArray()).toString()) as {
        logFiles: { s3Object: string; hashValue: string }[];
      };
      if (logFiles.some((file) => file.s3Object === key)) signed = { metadata: got.Metadata ?? {}, logFiles };
    }
    assert.ok(signed, 'a digest lists the log file');
    assert.equal(signed.metadata['signature-algorithm'], 'SHA256withRSA');
    assert.match(signed.metadata['signature'] ?? '', /^[0-9a-f]{512}$/);
    assert.equal(signed.logFiles.find((file) => file.s3Object === key)?.hashValue, sha256(content));

    const alerts = readFileSync(alertsFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { rule: { id: string } });
    assert.deepEqual(new Set(alerts.map((alert) => alert.rule.id)), new Set(['5760', '550', '506']));
  });

  it('refuses a bad setting, naming it', () => {
    assert.throws(
      () => demo(context, { intervalSeconds: 0 }),
      (error: ConfigError) => {
        assert.deepEqual(error.problems, ['ingest.sources.demo.intervalSeconds: must be >= 0.1']);
        return true;
      },
    );
  });
});
