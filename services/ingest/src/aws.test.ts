import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { testConfig, uniqueName } from '@sentrail/lib/testing';
import { createS3Client, createSqsClient, pingBucket, queueUrl } from './aws.js';

const config = testConfig();

describe('SQS on ElasticMQ, through the ingest client', () => {
  const sqs = createSqsClient(config.aws);
  const queueName = uniqueName('test-queue');
  let url = '';
  after(async () => {
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    sqs.destroy();
  });

  it('finds the configured CloudTrail queue', async () => {
    assert.match(await queueUrl(sqs, config.ingest.cloudtrailQueue), /\/sentrail-cloudtrail$/);
  });

  it('sends, receives, makes visible again, and deletes a message', async () => {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '30' } })))
      .QueueUrl!;
    const body = JSON.stringify({ Records: [{ s3: { object: { key: 'AWSLogs/1/CloudTrail/x.json.gz' } } }] });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));

    const receive = () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
    const first = await receive();
    assert.equal(first.Messages?.length, 1);
    assert.equal(first.Messages[0]!.Body, body);
    assert.deepEqual((await receive()).Messages ?? [], [], 'in flight: invisible to other consumers');

    // Giving it back at once is what a consumer does when it cannot finish the object.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages[0]!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive();
    assert.equal(again.Messages?.length, 1);
    assert.equal(again.Messages[0]!.Attributes?.ApproximateReceiveCount, '2');

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages[0]!.ReceiptHandle! }));
    assert.deepEqual((await receive()).Messages ?? [], [], 'deleted for good');
  });
});

describe('S3 on s3proxy, through the ingest client', () => {
  const s3 = createS3Client(config.aws);
  const bucket = config.ingest.cloudtrailBucket;
  const prefix = `${uniqueName('test')}/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/28/`;
  after(() => s3.destroy());

  it('finds the configured CloudTrail bucket', async () => {
    await pingBucket(s3, bucket);
    await assert.rejects(pingBucket(s3, uniqueName('no-such-bucket')));
  });

  it('puts, lists, gets and deletes gzip CloudTrail objects', async () => {
    const records = { Records: [{ eventID: 'e1', eventName: 'ConsoleLogin' }] };
    const body = gzipSync(JSON.stringify(records));
    const keys = [`${prefix}a.json.gz`, `${prefix}b.json.gz`];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-gzip' }));
    }

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    assert.deepEqual(
      listed.Contents?.map((object) => object.Key),
      keys,
    );
    assert.equal(listed.Contents[0]!.Size, body.length);

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    assert.deepEqual(JSON.parse(gunzipSync(bytes).toString('utf8')), records);

    // DeleteObjects is the one call that must carry a checksum even with WHEN_REQUIRED.
    const deleted = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    assert.equal(deleted.Deleted?.length, 2);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    assert.equal(after.KeyCount, 0);
  });
});
