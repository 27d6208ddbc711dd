import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TOPICS } from '@sentrail/lib/kafka';
import { retry } from '@sentrail/lib/retry';
import type { IngestMetrics } from './ingest-metrics.js';
import type { RawRecord, RawSink, Rejected } from './raw-sink.js';

export interface S3Location {
  bucket: string;
  key: string;
}

/** What a CloudTrail object reader needs; `source` labels metrics and the records' `source` header. */
export interface CloudTrailObjectContext {
  s3: S3Client;
  sink: RawSink;
  metrics: IngestMetrics;
  source: string;
}

export interface CloudTrailObjectOptions {
  /** Records per producer call, so one large object does not become one giant request. */
  batchRecords?: number;
  /** Bytes per producer call (a single larger record goes alone): well under the topics' max.message.bytes. */
  batchBytes?: number;
  /** Retries of GetObject on 5xx, throttling or a broken connection, on top of the SDK's own. */
  fetchRetries?: number;
  fetchRetryBaseMs?: number;
}

export interface CloudTrailObjectResult {
  /** Records acknowledged by Kafka (those over ingest.maxRecordBytes included: RawSink sent them to siem.dlq). */
  records: number;
  /** Bytes of the object as stored (compressed). */
  bytes: number;
  newestEventTime: Date | undefined;
  /** Why the object as a whole went to siem.dlq (bad gzip, not JSON, no Records), if it did. */
  rejected?: string;
}

/**
 * S3 would not give the object: `missing` when it does not exist (S3 is eventually consistent, so a
 * caller may ask again later), otherwise a fault that outlasted the retries (access denied, 5xx …).
 */
export class ObjectFetchError extends Error {
  constructor(
    readonly location: S3Location,
    readonly missing: boolean,
    options: { cause: unknown },
  ) {
    super(
      `${missing ? 'object does not exist' : 'cannot read object'} ${objectOrigin(location)}: ${errorMessage(options.cause)}`,
      options,
    );
    this.name = 'ObjectFetchError';
  }
}

export const objectOrigin = ({ bucket, key }: S3Location) => `s3://${bucket}/${key}`;

/**
 * Reads one CloudTrail log object (gzip JSON `{"Records": [...]}`) and produces each record to
 * siem.raw.cloudtrail, keyed by eventID, origin `s3://bucket/key#<index>`. The value is the record
 * re-serialised with JSON.stringify from the parsed object: the same members in the same order and
 * the same meaning; only the spelling of escapes and numbers (and whitespace, which CloudTrail does
 * not write) could differ from the file's bytes.
 *
 * Resolves once Kafka has acknowledged every record, or, when the object itself is bad (not gzip,
 * not JSON, no Records array), once its reject is in siem.dlq. Throws ObjectFetchError when S3
 * does not give the object, and the producer's error when Kafka fails: nothing is acknowledged then,
 * and a retry may send some records again (at-least-once).
 */
export async function readCloudTrailObject(
  context: CloudTrailObjectContext,
  location: S3Location,
  options: CloudTrailObjectOptions = {},
): Promise<CloudTrailObjectResult> {
  const { sink, metrics, source } = context;
  const { batchRecords = 500, batchBytes = 4 * 1024 * 1024 } = options;
  const origin = objectOrigin(location);
  const fetched = await fetchObject(context, location, options);
  metrics.objects.inc({ source });
  metrics.bytes.inc({ source }, fetched.bytes);
  const rejectObject = async (stage: string, error: string, original: Buffer) => {
    await sink.reject(source, [{ error, stage, origin, original }]);
    return { records: 0, bytes: fetched.bytes, newestEventTime: undefined, rejected: `${stage}: ${error}` };
  };
  if ('gunzipError' in fetched) return rejectObject('gunzip', fetched.gunzipError, fetched.compressed);

  let document: unknown;
  try {
    document = JSON.parse(fetched.json.toString('utf8'));
  } catch (error) {
    return rejectObject('parse', `not JSON: ${errorMessage(error)}`, fetched.json);
  }
  const records = (document as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) {
    return rejectObject('envelope', 'not a CloudTrail log file: no Records array', fetched.json);
  }

  const receivedAt = new Date();
  let newest = Number.NEGATIVE_INFINITY;
  let batch: RawRecord[] = [];
  let pendingBytes = 0;
  const notRecords: Rejected[] = [];
  const flush = async () => {
    if (batch.length > 0) await sink.send(source, TOPICS.rawCloudtrail, batch, receivedAt);
    batch = [];
    pendingBytes = 0;
  };
  for (const [index, record] of records.entries()) {
    const recordOrigin = `${origin}#${index}`;
    const value = JSON.stringify(record);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      notRecords.push({
        error: 'Records element is not an object',
        stage: 'envelope',
        origin: recordOrigin,
        original: value,
      });
      continue;
    }
    const { eventID, eventTime } = record as { eventID?: unknown; eventTime?: unknown };
    const time = typeof eventTime === 'string' ? Date.parse(eventTime) : Number.NaN;
    if (time > newest) newest = time;
    const size = Buffer.byteLength(value);
    if (batch.length >= batchRecords || (batch.length > 0 && pendingBytes + size > batchBytes)) await flush();
    batch.push({ key: typeof eventID === 'string' ? eventID : null, value, origin: recordOrigin });
    pendingBytes += size;
  }
  await flush();
  await sink.reject(source, notRecords, receivedAt);

  const accepted = records.length - notRecords.length;
  metrics.records.inc({ source }, accepted);
  const newestEventTime = Number.isFinite(newest) ? new Date(newest) : undefined;
  if (newestEventTime) await raiseLastEventTime(metrics, source, newestEventTime);
  return { records: accepted, bytes: fetched.bytes, newestEventTime };
}

/** The gauge only moves forward: objects read concurrently finish in any order. */
async function raiseLastEventTime(metrics: IngestMetrics, source: string, time: Date) {
  const seconds = time.getTime() / 1000;
  const current = (await metrics.lastEventTime.get()).values.find((value) => value.labels.source === source);
  if (!current || current.value < seconds) metrics.lastEventTime.set({ source }, seconds);
}

type Fetched = { bytes: number; json: Buffer } | { bytes: number; gunzipError: string; compressed: Buffer };

/** Past this, an object is not a CloudTrail log file (they are tens of MB at most) but a gzip bomb. */
const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;

const gunzipAsync = promisify(gunzip);

/**
 * GetObject with retries, then gunzip off the main thread. The compressed body is read whole first
 * (a tenth of the JSON's size): a broken connection is then a plain retry, and a bad gzip keeps its bytes
 * for the DLQ.
 */
async function fetchObject(
  { s3, metrics, source }: CloudTrailObjectContext,
  location: S3Location,
  { fetchRetries = 4, fetchRetryBaseMs = 500 }: CloudTrailObjectOptions,
): Promise<Fetched> {
  const countSdkRetries = (attempts: number | undefined) => {
    if (attempts && attempts > 1) metrics.retries.inc({ source }, attempts - 1);
  };
  let compressed: Buffer;
  try {
    compressed = await retry(
      async () => {
        let response;
        try {
          response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
        } catch (error) {
          countSdkRetries((error as SdkError).$metadata?.attempts);
          throw error;
        }
        countSdkRetries(response.$metadata.attempts);
        const body = await response.Body!.transformToByteArray();
        return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      },
      {
        retries: fetchRetries,
        baseMs: fetchRetryBaseMs,
        retryable: isTransient,
        onRetry: () => metrics.retries.inc({ source }),
      },
    );
  } catch (error) {
    // NoSuchBucket is a configuration fault, not an object S3 has yet to show.
    throw new ObjectFetchError(location, (error as SdkError).name === 'NoSuchKey', { cause: error });
  }
  try {
    return {
      bytes: compressed.length,
      json: await gunzipAsync(compressed, { maxOutputLength: MAX_UNCOMPRESSED_BYTES }),
    };
  } catch (error) {
    return {
      bytes: compressed.length,
      gunzipError: `not a gzip CloudTrail object: ${errorMessage(error)}`,
      compressed,
    };
  }
}

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Worth another GetObject: 5xx, throttling, timeouts and broken connections; not 403/404 and the like. */
function isTransient(error: unknown): boolean {
  const status = (error as SdkError).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429 || status === 408;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
