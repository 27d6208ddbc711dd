// Ingest + normalizer as `npm start` runs them: CloudTrail files announced on SQS end up in
// Elasticsearch exactly once, even when the same input arrives twice.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSqsClient } from '@sentrail/ingest/dist/aws.js';
import { CloudTrailGenerator } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { createElastic } from '@sentrail/lib/elastic';
import { createKafka, RAW_TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import {
  dropIndexPrefix,
  metric,
  startGroupAtEnd,
  startServiceProcess,
  stopService,
  testConfig,
  uniqueName,
  waitUntil,
  type ServiceProcess,
} from '@sentrail/lib/testing';

const config = testConfig();

const until = <T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean) =>
  waitUntil(what, probe, done, 120_000);

describe('ingest + normalizer, end to end', () => {
  const prefix = uniqueName('test-e2e');
  const groupId = uniqueName('test-normalizer');
  const queue = uniqueName('test-e2e-queue');
  const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  const elastic = createElastic(config.elasticsearch);
  const kafka = createKafka(config.kafka, createLogger('e2e-test', 'silent'), '-test');
  const admin = kafka.admin();
  const sqs = createSqsClient(config.aws);
  const s3 = createS3Client(config.aws);
  const services: ServiceProcess[] = [];
  let queueUrl = '';
  let key = '';

  before(async () => {
    await admin.connect();
    await startGroupAtEnd(kafka, groupId, RAW_TOPICS);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
  });
  after(async () => {
    await Promise.all(services.map(stopService));
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    if (key) await s3.send(new DeleteObjectCommand({ Bucket: config.ingest.cloudtrailBucket, Key: key }));
    await dropIndexPrefix(elastic, prefix);
    sqs.destroy();
    s3.destroy();
    await Promise.all([admin.disconnect(), elastic.close()]);
  });

  it('indexes every record of a file announced twice exactly once', async () => {
    const generator = new CloudTrailGenerator(Math.floor(Math.random() * 2 ** 31), account);
    const start = new Date('2026-11-27T23:58:00Z'); // spans two days: two daily indices
    const records = [...generator.routine(start, 150), ...generator.suspicious(new Date('2026-11-28T00:01:00Z'))];
    key = generator.logFileKey(start);
    await s3.send(
      new PutObjectCommand({
        Bucket: config.ingest.cloudtrailBucket,
        Key: key,
        Body: gzipSync(JSON.stringify({ Records: records })),
      }),
    );
    const notification = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: config.ingest.cloudtrailBucket }, object: { key } },
        },
      ],
    });
    // The same file twice, as SQS may deliver it (and as a replayed notification would).
    for (let i = 0; i < 2; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: notification }));

    const normalizer = startServiceProcess('normalizer', {
      SENTRAIL_NORMALIZER__GROUP_ID: groupId,
      SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix,
    });
    services.push(normalizer);
    await normalizer.address;
    const ingest = startServiceProcess('ingest', {
      SENTRAIL_INGEST__CLOUDTRAIL_QUEUE: queue,
      SENTRAIL_INGEST__SOURCES: '{cloudtrailSqs: {waitTimeSeconds: 1}}',
    });
    services.push(ingest);
    await ingest.address;

    // Both copies handled: one created each record, the other found it there.
    await until(
      'records indexed + duplicates',
      async () =>
        (await metric(normalizer, 'sentrail_normalizer_indexed_total', 'mapper="cloudtrail"')) +
        (await metric(normalizer, 'sentrail_normalizer_duplicates_total', 'mapper="cloudtrail"')),
      (handled) => handled >= 2 * records.length,
    );
    await elastic.indices.refresh({ index: `${prefix}-events-*` });
    const found = await elastic.search<{ event: { id: string } }>({
      index: `${prefix}-events`,
      query: { term: { 'cloud.account.id': account } },
      size: 1000,
      _source: ['event.id'],
    });
    const ids = found.hits.hits.map((hit) => hit._id!);
    assert.equal(found.hits.hits.length, records.length, 'one document per record');
    assert.deepEqual(new Set(ids), new Set(records.map((record) => record.eventID)));
    assert.deepEqual(
      found.hits.hits.map((hit) => hit._source!.event.id).sort(),
      records.map((record) => record.eventID).sort(),
    );
    assert.equal(
      await metric(normalizer, 'sentrail_normalizer_duplicates_total', 'mapper="cloudtrail"'),
      records.length,
    );
    const indices = Object.keys(await elastic.indices.get({ index: `${prefix}-events-*` })).sort();
    assert.deepEqual(indices, [`${prefix}-events-2026.11.27`, `${prefix}-events-2026.11.28`]);
  });
});
