import type { S3Location } from './cloudtrail-object.js';

/**
 * What an SQS message body says about new CloudTrail objects. Accepted shapes, directly or inside an
 * SNS envelope (`{"Type": "Notification", "Message": "<one of these, as a string>"}`):
 * - an S3 event notification `{"Records": [{"eventSource": "aws:s3", "s3": {...}}]}`;
 * - CloudTrail's own SNS notification `{"s3Bucket": "...", "s3ObjectKey": ["..."]}`.
 */
export type Notification =
  /** `skipped`: objects named but not for this source, with why (digest files, removals). */
  | { kind: 'objects'; objects: S3Location[]; skipped: { location: S3Location; reason: string }[] }
  /** s3:TestEvent, sent once when a bucket notification is configured: nothing to read. */
  | { kind: 'test' }
  | { kind: 'invalid'; reason: string };

export function parseNotification(body: string): Notification {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch (error) {
    return invalid(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(message)) return invalid('not a JSON object');
  if (message['Type'] === 'Notification' && typeof message['Message'] === 'string') {
    // SNS wraps the S3 or CloudTrail notification as a string, once; never an envelope in an envelope.
    const inner = parseNotification(message['Message']);
    return inner.kind === 'invalid' ? invalid(`SNS Message: ${inner.reason}`) : inner;
  }
  if (message['Event'] === 's3:TestEvent') return { kind: 'test' };
  if ('s3Bucket' in message) return cloudTrailNotification(message);
  if (Array.isArray(message['Records'])) return s3EventNotification(message['Records']);
  return invalid('neither an S3 event notification, an SNS envelope nor a CloudTrail notification');
}

/** Digest files sit beside the logs in the same bucket and are another source's business. */
const isDigest = (key: string) => /(^|\/)CloudTrail-Digest\//.test(key);

function collect(named: S3Location[], removals: S3Location[] = []): Notification {
  const objects: S3Location[] = [];
  const skipped = removals.map((location) => ({ location, reason: 'object removed, not created' }));
  for (const location of named) {
    if (isDigest(location.key)) skipped.push({ location, reason: 'CloudTrail digest file' });
    else objects.push(location);
  }
  return { kind: 'objects', objects, skipped };
}

function cloudTrailNotification(message: Record<string, unknown>): Notification {
  const bucket = message['s3Bucket'];
  const keys = message['s3ObjectKey'];
  if (typeof bucket !== 'string' || !bucket) return invalid('CloudTrail notification without s3Bucket');
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string' && key))
    return invalid('CloudTrail notification without an s3ObjectKey list');
  // CloudTrail's own keys are plain, not URL-encoded.
  return collect((keys as string[]).map((key) => ({ bucket, key })));
}

function s3EventNotification(records: unknown[]): Notification {
  const created: S3Location[] = [];
  const removed: S3Location[] = [];
  for (const record of records) {
    if (!isObject(record) || record['eventSource'] !== 'aws:s3' || !isObject(record['s3']))
      return invalid('Records element is not an S3 event');
    const { bucket, object } = record['s3'];
    const name = isObject(bucket) ? bucket['name'] : undefined;
    const encodedKey = isObject(object) ? object['key'] : undefined;
    if (typeof name !== 'string' || typeof encodedKey !== 'string' || !name || !encodedKey)
      return invalid('S3 event without s3.bucket.name and s3.object.key');
    let key: string;
    try {
      // S3 event keys are URL-encoded the way HTML forms are: a space is '+'.
      key = decodeURIComponent(encodedKey.replaceAll('+', ' '));
    } catch {
      return invalid(`S3 event key is not URL-encoded: ${encodedKey}`);
    }
    const eventName = record['eventName'];
    const isCreated = typeof eventName === 'string' && eventName.startsWith('ObjectCreated:');
    (isCreated ? created : removed).push({ bucket: name, key });
  }
  return collect(created, removed);
}

const invalid = (reason: string): Notification => ({ kind: 'invalid', reason });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
