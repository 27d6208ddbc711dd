import { createHash, verify } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { ScheduledRuns } from '@sentrail/lib/schedule';
import { checkSection } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import type { JSONSchemaType } from 'ajv';
import { checkSchedule, CloudTrailClients, JsonStateFile, PublicKeyCache, SHARED_SETTINGS } from '../cloudtrail-api.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { RawRecord } from '../raw-sink.js';
import type { Source, SourceContext, SourceFactory } from '../source.js';

/**
 * CloudTrail digest files: each one is checked as AWS's "custom implementation" guide lays out —
 * the RSA-SHA256 signature over (end time, location, SHA-256 of the uncompressed digest, previous
 * signature), the link to the previous digest, and the SHA-256 of the uncompressed content of every
 * log file it lists — and one result per digest goes to siem.raw.integrity.
 */

export const SOURCE = 'cloudtrailDigest';

export interface CloudtrailDigestSettings {
  enabled: boolean;
  /** Bucket of the digests; empty means ingest.cloudtrailBucket. */
  bucket: string;
  /** The trail's S3 key prefix, before `AWSLogs/` (with its trailing slash), if it has one. */
  prefix: string;
  /** Account ids (or `o-org/account` for organization trails); empty means every one found under AWSLogs/. */
  accounts: string[];
  /** Regions; empty means every one found under the account's CloudTrail-Digest/. */
  regions: string[];
  /** How far back the listing looks for digests not validated yet. */
  lookbackHours: number;
  schedule: string;
  endpoint: string;
  stateDir: string;
}

const schema: JSONSchemaType<CloudtrailDigestSettings> = {
  type: 'object',
  properties: {
    ...SHARED_SETTINGS,
    bucket: { type: 'string', default: '' },
    prefix: { type: 'string', pattern: '^(.*/)?$', default: '' },
    accounts: { type: 'array', items: { type: 'string', pattern: '^(o-[a-z0-9]+/)?[0-9]{12}$' }, default: [] },
    regions: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, default: [] },
    lookbackHours: { type: 'integer', minimum: 1, default: 48 },
    // Digests arrive hourly; twice an hour notices a late one within half an hour.
    schedule: { type: 'string', default: '7,37 * * * *' },
  },
  required: [],
  additionalProperties: false,
};

export type DigestResult = 'valid' | 'signature_invalid' | 'chain_gap' | 'hash_mismatch' | 'log_file_missing';

/** The event's `result` is the gravest problem found; every problem is listed. */
const GRAVITY: DigestResult[] = ['signature_invalid', 'chain_gap', 'hash_mismatch', 'log_file_missing'];

export interface DigestProblem {
  result: Exclude<DigestResult, 'valid'>;
  detail: string;
  /** The log file or previous digest concerned, as s3://bucket/key. */
  object?: string;
}

export interface DigestValidationEvent {
  kind: 'digest_validation';
  /** s3://bucket/key of the digest: the same digest always gives the same id. */
  id: string;
  result: DigestResult;
  problems: DigestProblem[];
  digest: {
    bucket: string;
    key: string;
    accountId: string | null;
    region: string | null;
    trail: string | null;
    startTime: string | null;
    endTime: string | null;
    oldestEventTime: string | null;
    newestEventTime: string | null;
    publicKeyFingerprint: string | null;
    previousDigest: string | null;
  };
  logFiles: { total: number; valid: number; missing: number; mismatched: number };
  checkedAt: string;
}

interface DigestFile {
  awsAccountId?: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm?: string;
  newestEventTime?: string | null;
  oldestEventTime?: string | null;
  previousDigestS3Bucket?: string | null;
  previousDigestS3Object?: string | null;
  previousDigestHashValue?: string | null;
  previousDigestSignature: string | null;
  logFiles: { s3Bucket: string; s3Object: string; hashValue: string; hashAlgorithm?: string }[];
}

const REQUIRED_FIELDS = [
  'digestStartTime',
  'digestEndTime',
  'digestS3Bucket',
  'digestS3Object',
  'digestPublicKeyFingerprint',
  'previousDigestSignature',
  'logFiles',
] as const;

const SIGNATURE_ALGORITHM = 'SHA256withRSA';

/**
 * `<prefix>AWSLogs/[o-org/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 * <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>[_backfill].json.gz`
 */
const DIGEST_KEY =
  /AWSLogs\/(?:o-[a-z0-9]+\/)?(?<account>\d{12})\/CloudTrail-Digest\/(?<region>[a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/\k<account>_CloudTrail-Digest_\k<region>_(?<trail>.+)_[a-z]{2}(?:-[a-z]+)+-\d_(?<end>\d{8}T\d{6}Z)(?:_backfill)?\.json\.gz$/;

interface DigestKeyParts {
  account: string;
  region: string;
  trail: string;
  /** The digest's end time, from its name. */
  end: Date;
}

export function parseDigestKey(key: string): DigestKeyParts | undefined {
  const groups = DIGEST_KEY.exec(key)?.groups;
  if (!groups) return undefined;
  const stamp = groups['end']!;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  return { account: groups['account']!, region: groups['region']!, trail: groups['trail']!, end: new Date(iso) };
}

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;
const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** undefined when S3 says the object is not there; any other failure is thrown (worth another try). */
async function getObject(s3: S3Client, bucket: string, key: string) {
  try {
    return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Validates one digest given its bucket and key. Used by the scheduled listing here, and by any
 * source that learns of a digest key (the SQS notifications).
 */
export class DigestValidator {
  constructor(
    private readonly s3: S3Client,
    private readonly publicKeys: PublicKeyCache,
    private readonly metrics: IngestMetrics,
  ) {}

  async validate(bucket: string, key: string, checkedAt = new Date()): Promise<DigestValidationEvent> {
    const parts = parseDigestKey(key);
    const event: DigestValidationEvent = {
      kind: 'digest_validation',
      id: s3Uri(bucket, key),
      result: 'valid',
      problems: [],
      digest: {
        bucket,
        key,
        accountId: parts?.account ?? null,
        region: parts?.region ?? null,
        trail: parts?.trail ?? null,
        startTime: null,
        endTime: parts?.end.toISOString().replace('.000Z', 'Z') ?? null,
        oldestEventTime: null,
        newestEventTime: null,
        publicKeyFingerprint: null,
        previousDigest: null,
      },
      logFiles: { total: 0, valid: 0, missing: 0, mismatched: 0 },
      checkedAt: checkedAt.toISOString(),
    };
    const problem = (entry: DigestProblem) => event.problems.push(entry);

    const object = await getObject(this.s3, bucket, key);
    if (!object) throw new Error(`digest ${s3Uri(bucket, key)} is not there`);
    const compressed = Buffer.from(await object.Body!.transformToByteArray());
    this.metrics.objects.inc({ source: SOURCE });
    this.metrics.bytes.inc({ source: SOURCE }, compressed.length);

    let raw: Buffer;
    let digest: DigestFile;
    try {
      raw = gunzipSync(compressed);
      digest = JSON.parse(raw.toString('utf8')) as DigestFile;
      const missing = REQUIRED_FIELDS.filter((field) => !(field in digest));
      if (missing.length > 0) throw new Error(`no ${missing.join(', ')}`);
    } catch (error) {
      // A digest that cannot be read cannot be verified: for integrity that is a failed signature.
      problem({ result: 'signature_invalid', detail: `invalid digest format: ${(error as Error).message}` });
      return finish(event);
    }
    Object.assign(event.digest, {
      accountId: digest.awsAccountId ?? event.digest.accountId,
      startTime: digest.digestStartTime,
      endTime: digest.digestEndTime,
      oldestEventTime: digest.oldestEventTime ?? null,
      newestEventTime: digest.newestEventTime ?? null,
      publicKeyFingerprint: digest.digestPublicKeyFingerprint,
      previousDigest: digest.previousDigestS3Object
        ? s3Uri(digest.previousDigestS3Bucket ?? bucket, digest.previousDigestS3Object)
        : null,
    });

    const signatureProblem = await this.checkSignature(bucket, key, digest, raw, object.Metadata ?? {});
    if (signatureProblem) problem({ result: 'signature_invalid', detail: signatureProblem });
    const chainProblem = await this.checkChain(digest);
    if (chainProblem) problem(chainProblem);

    event.logFiles.total = digest.logFiles.length;
    for (const logFile of digest.logFiles) {
      const uri = s3Uri(logFile.s3Bucket, logFile.s3Object);
      const hash = await this.logFileHash(logFile.s3Bucket, logFile.s3Object);
      if (hash === undefined) {
        event.logFiles.missing++;
        problem({ result: 'log_file_missing', detail: 'log file not found', object: uri });
      } else if (hash !== logFile.hashValue) {
        event.logFiles.mismatched++;
        problem({ result: 'hash_mismatch', detail: `SHA-256 ${hash}, digest says ${logFile.hashValue}`, object: uri });
      } else {
        event.logFiles.valid++;
      }
    }
    return finish(event);
  }

  /** Why the signature does not hold, or undefined when it does. */
  private async checkSignature(
    bucket: string,
    key: string,
    digest: DigestFile,
    raw: Buffer,
    metadata: Record<string, string>,
  ): Promise<string | undefined> {
    const signature = metadata['signature'];
    const algorithm = metadata['signature-algorithm'];
    if (!signature) return 'no x-amz-meta-signature on the digest object';
    if (algorithm !== SIGNATURE_ALGORITHM)
      return `signature algorithm ${algorithm ?? '(none)'} is not ${SIGNATURE_ALGORITHM}`;
    // A valid digest copied elsewhere proves nothing about the place it was copied to.
    if (digest.digestS3Bucket !== bucket || digest.digestS3Object !== key) {
      return `digest moved from its original location ${s3Uri(digest.digestS3Bucket, digest.digestS3Object)}`;
    }
    const region = parseDigestKey(key)?.region;
    if (!region) return 'digest key does not name its region';
    const publicKey = await this.publicKeys.get(
      region,
      digest.digestPublicKeyFingerprint,
      new Date(digest.digestStartTime),
      new Date(digest.digestEndTime),
    );
    if (!publicKey)
      return `no CloudTrail public key in ${region} with fingerprint ${digest.digestPublicKeyFingerprint}`;
    const signed = [
      digest.digestEndTime,
      `${digest.digestS3Bucket}/${digest.digestS3Object}`,
      sha256Hex(raw),
      // The first digest of a chain signs the word null, as AWS's own validator does.
      digest.previousDigestSignature ?? 'null',
    ].join('\n');
    const valid = verify('sha256', Buffer.from(signed, 'utf8'), publicKey, Buffer.from(signature, 'hex'));
    return valid ? undefined : 'RSA-SHA256 signature verification failed';
  }

  /** The previous digest must still be there, unchanged, with the signature this one links to. */
  private async checkChain(digest: DigestFile): Promise<DigestProblem | undefined> {
    if (digest.previousDigestSignature === null) return undefined; // the first digest of a chain
    if (!digest.previousDigestS3Object) {
      return { result: 'chain_gap', detail: 'previous digest signature given without its location' };
    }
    const bucket = digest.previousDigestS3Bucket ?? digest.digestS3Bucket;
    const uri = s3Uri(bucket, digest.previousDigestS3Object);
    const previous = await getObject(this.s3, bucket, digest.previousDigestS3Object);
    if (!previous) return { result: 'chain_gap', detail: 'previous digest not found', object: uri };
    if (previous.Metadata?.['signature'] !== digest.previousDigestSignature) {
      return { result: 'chain_gap', detail: 'previous digest has another signature than the one linked', object: uri };
    }
    let hash: string;
    try {
      hash = sha256Hex(gunzipSync(Buffer.from(await previous.Body!.transformToByteArray())));
    } catch (error) {
      return { result: 'chain_gap', detail: `previous digest unreadable: ${(error as Error).message}`, object: uri };
    }
    if (digest.previousDigestHashValue && hash !== digest.previousDigestHashValue) {
      return { result: 'chain_gap', detail: 'previous digest content differs from the hash linked', object: uri };
    }
    return undefined;
  }

  /** SHA-256 hex of the log file's uncompressed content, streamed; undefined when it is gone. */
  private async logFileHash(bucket: string, key: string): Promise<string | undefined> {
    const object = await getObject(this.s3, bucket, key);
    if (!object) return undefined;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        object.Body as Readable,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            yield chunk;
          }
        },
        createGunzip(),
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) hash.update(chunk);
        },
      );
    } catch {
      // A file that no longer gunzips was altered all the same: its hash cannot match.
      return `not gzip (${bytes} bytes)`;
    } finally {
      this.metrics.bytes.inc({ source: SOURCE }, bytes);
    }
    return hash.digest('hex');
  }
}

function finish(event: DigestValidationEvent): DigestValidationEvent {
  event.result = GRAVITY.find((result) => event.problems.some((entry) => entry.result === result)) ?? 'valid';
  return event;
}

/** The Kafka record of a result: keyed by the digest, as DESIGN §3 asks of siem.raw.integrity. */
export function digestRecord(event: DigestValidationEvent): RawRecord {
  return { key: event.id, value: JSON.stringify(event), origin: event.id };
}

interface DigestState {
  /** Digests already validated and acknowledged by Kafka (s3 URI → end time), within the look-back window. */
  validated: Record<string, string>;
}

export interface CloudtrailDigestSource extends Source {
  /** One listing and validation pass (what the schedule runs); resolves with the results produced. */
  runOnce(now?: Date): Promise<DigestValidationEvent[]>;
  validator: DigestValidator;
}

export function createCloudtrailDigestSource(context: SourceContext, rawSettings: unknown): CloudtrailDigestSource {
  const settings = checkSection(`ingest.sources.${SOURCE}`, schema, rawSettings);
  checkSchedule(`ingest.sources.${SOURCE}.schedule`, settings.schedule);
  const { s3, sink, metrics, logger } = context;
  const bucket = settings.bucket || context.config.ingest.cloudtrailBucket;
  const clients = new CloudTrailClients(context.config.aws, settings.endpoint);
  const validator = new DigestValidator(s3, new PublicKeyCache(clients, logger), metrics);
  const stateFile = new JsonStateFile<DigestState>(settings.stateDir, `${SOURCE}.json`);
  let state: DigestState | undefined;

  async function childPrefixes(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const { Prefix } of page.CommonPrefixes ?? []) if (Prefix) found.push(Prefix.slice(prefix.length, -1));
      token = page.NextContinuationToken;
    } while (token);
    return found;
  }

  async function accounts(): Promise<string[]> {
    if (settings.accounts.length > 0) return settings.accounts;
    const base = `${settings.prefix}AWSLogs/`;
    const found: string[] = [];
    for (const segment of await childPrefixes(base)) {
      if (/^\d{12}$/.test(segment)) found.push(segment);
      else if (segment.startsWith('o-')) {
        for (const account of await childPrefixes(`${base}${segment}/`)) found.push(`${segment}/${account}`);
      }
    }
    return found;
  }

  /** Digest keys of the look-back window, oldest first, one day prefix at a time. */
  async function digestKeys(now: Date): Promise<string[]> {
    const since = new Date(now.getTime() - settings.lookbackHours * 3_600_000);
    const keys: string[] = [];
    for (const account of await accounts()) {
      const accountBase = `${settings.prefix}AWSLogs/${account}/CloudTrail-Digest/`;
      const regions = settings.regions.length > 0 ? settings.regions : await childPrefixes(accountBase);
      for (const region of regions) {
        for (let day = startOfDay(since); day <= now; day = new Date(day.getTime() + 86_400_000)) {
          const prefix = `${accountBase}${region}/${day.toISOString().slice(0, 10).replaceAll('-', '/')}/`;
          let token: string | undefined;
          do {
            const page = await s3.send(
              new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            );
            for (const { Key } of page.Contents ?? []) {
              const end = Key ? parseDigestKey(Key)?.end : undefined;
              if (end && end >= since) keys.push(Key!);
            }
            token = page.NextContinuationToken;
          } while (token);
        }
      }
    }
    return keys.sort((a, b) => parseDigestKey(a)!.end.getTime() - parseDigestKey(b)!.end.getTime());
  }

  async function runOnce(now = new Date()): Promise<DigestValidationEvent[]> {
    state ??= await stateFile.load({ validated: {} });
    const since = now.getTime() - settings.lookbackHours * 3_600_000;
    // Bounded: what falls out of the window is never listed again, so it need not be remembered.
    for (const [uri, end] of Object.entries(state.validated)) {
      if (Date.parse(end) < since) delete state.validated[uri];
    }
    const produced: DigestValidationEvent[] = [];
    for (const key of await digestKeys(now)) {
      const uri = s3Uri(bucket, key);
      if (uri in state.validated) continue;
      metrics.inFlight.inc({ source: SOURCE });
      try {
        const event = await validator.validate(bucket, key, now);
        await sink.send(SOURCE, TOPICS.rawIntegrity, [digestRecord(event)]);
        // Remembered only once Kafka has the result: a crash before means validating it again.
        state.validated[uri] = parseDigestKey(key)!.end.toISOString();
        await stateFile.save(state);
        produced.push(event);
        logResult(logger, event);
      } catch (error) {
        // S3, the CloudTrail API or Kafka failed: not remembered, so the next run tries it again.
        logger.error({ err: error, digest: uri }, 'digest not validated; next run tries again');
      } finally {
        metrics.inFlight.dec({ source: SOURCE });
      }
    }
    return produced;
  }

  const runs = new ScheduledRuns(settings.schedule, runOnce, logger);
  return {
    validator,
    runOnce,
    async start() {
      runs.start();
      void runs.runNow(); // a look at once, so a restart does not wait for the next tick
    },
    async stop() {
      await runs.stop();
      clients.destroy();
    },
  };
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function logResult(logger: Logger, event: DigestValidationEvent): void {
  const fields = { digest: event.id, result: event.result, problems: event.problems };
  if (event.result === 'valid') logger.debug(fields, 'digest valid');
  else logger.warn(fields, 'digest validation failed');
}

export const cloudtrailDigest: SourceFactory = createCloudtrailDigestSource;
