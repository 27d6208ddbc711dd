import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNotification } from './notification.js';

const LOG_KEY =
  'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/28/111122223333_CloudTrail_eu-west-1_20261128T1005Z_x9T3.json.gz';
const DIGEST_KEY =
  'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/28/111122223333_CloudTrail-Digest_eu-west-1_trail_eu-west-1_20261128T100501Z.json.gz';

/** An S3 event notification as S3 sends it to SQS (event version 2.1), keys URL-encoded. */
function s3Event(entries: { key: string; eventName?: string }[], bucket = 'trail-bucket') {
  return JSON.stringify({
    Records: entries.map(({ key, eventName = 'ObjectCreated:Put' }) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2026-11-28T10:05:12.345Z',
      eventName,
      userIdentity: { principalId: 'AWS:AROAEXAMPLE:regionalDeliverySession' },
      requestParameters: { sourceIPAddress: '192.0.2.15' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjsk' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'cloudtrail-to-sentrail',
        bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
      },
    })),
  });
}

/** An SNS envelope as SNS delivers it to an SQS subscription without raw message delivery. */
function snsEnvelope(message: string) {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '8f8e4f3c-5d2b-5a1e-9f7c-0b2f8c1d3e4a',
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:cloudtrail-logs',
    Subject: 'Amazon S3 Notification',
    Message: message,
    Timestamp: '2026-11-28T10:05:12.456Z',
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL:
      'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:111122223333:cloudtrail-logs:0d1e2f3a',
  });
}

/** The notification CloudTrail itself publishes to its SNS topic. */
const cloudTrailMessage = (keys: string[]) => JSON.stringify({ s3Bucket: 'trail-bucket', s3ObjectKey: keys });

const TEST_EVENT = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-28T10:00:00.089Z',
  Bucket: 'trail-bucket',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
});

const objects = (...keys: string[]) => keys.map((key) => ({ bucket: 'trail-bucket', key }));

describe('parseNotification', () => {
  it('reads an S3 event notification sent directly, URL-decoding keys (+ and %xx)', () => {
    const key = 'my logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/28/a+b=c.json.gz';
    const encoded = 'my+logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/28/a%2Bb%3Dc.json.gz';
    assert.deepEqual(parseNotification(s3Event([{ key: LOG_KEY }, { key: encoded }])), {
      kind: 'objects',
      objects: objects(LOG_KEY, key),
      skipped: [],
    });
  });

  it('reads an S3 event notification wrapped in SNS', () => {
    assert.deepEqual(parseNotification(snsEnvelope(s3Event([{ key: LOG_KEY }]))), {
      kind: 'objects',
      objects: objects(LOG_KEY),
      skipped: [],
    });
  });

  it("reads CloudTrail's own SNS notification, through SNS and with raw message delivery", () => {
    const expected = { kind: 'objects', objects: objects(LOG_KEY, `${LOG_KEY}.2`), skipped: [] };
    assert.deepEqual(parseNotification(snsEnvelope(cloudTrailMessage([LOG_KEY, `${LOG_KEY}.2`]))), expected);
    assert.deepEqual(parseNotification(cloudTrailMessage([LOG_KEY, `${LOG_KEY}.2`])), expected);
  });

  it('skips digest files and removals, saying why', () => {
    const notification = parseNotification(
      s3Event([{ key: LOG_KEY }, { key: DIGEST_KEY }, { key: LOG_KEY, eventName: 'ObjectRemoved:Delete' }]),
    );
    assert.deepEqual(notification, {
      kind: 'objects',
      objects: objects(LOG_KEY),
      skipped: [
        { location: objects(LOG_KEY)[0], reason: 'object removed, not created' },
        { location: objects(DIGEST_KEY)[0], reason: 'CloudTrail digest file' },
      ],
    });
    assert.deepEqual(parseNotification(cloudTrailMessage([DIGEST_KEY])), {
      kind: 'objects',
      objects: [],
      skipped: [{ location: objects(DIGEST_KEY)[0], reason: 'CloudTrail digest file' }],
    });
  });

  it('recognises the s3:TestEvent, directly and through SNS', () => {
    assert.deepEqual(parseNotification(TEST_EVENT), { kind: 'test' });
    assert.deepEqual(parseNotification(snsEnvelope(TEST_EVENT)), { kind: 'test' });
  });

  it('says why a body is not a notification', () => {
    const reasons = new Map([
      ['hello', /^not JSON/],
      ['[1, 2]', /not a JSON object/],
      ['{"foo": 1}', /neither an S3 event notification/],
      [snsEnvelope('garbage'), /^SNS Message: not JSON/],
      ['{"Records": [{"eventSource": "aws:sqs"}]}', /not an S3 event/],
      [s3Event([{ key: '' }]), /without s3.bucket.name and s3.object.key/],
      [s3Event([{ key: 'bad%ZZkey' }]), /not URL-encoded/],
      ['{"s3Bucket": "b"}', /without an s3ObjectKey list/],
      ['{"s3Bucket": "", "s3ObjectKey": ["k"]}', /without s3Bucket/],
    ]);
    for (const [body, reason] of reasons) {
      const notification = parseNotification(body);
      assert.equal(notification.kind, 'invalid', body);
      assert.match((notification as { reason: string }).reason, reason, body);
    }
  });
});
