// Plays CloudTrail's part for digest files: lists the hour's log files with their SHA-256, signs the
// digest with an RSA key (SHA256withRSA over digestEndTime, bucket/key, the digest's hash and the
// previous signature) and chains it to the previous one. Used by the demo feeder and by the tests
// of the digest source, so both write what CloudTrail writes.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
export const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const stamp = (date: Date) => date.toISOString().replace(/[-:]|\.\d{3}/g, ''); // 20260101T120000Z
const ymd = (date: Date) => date.toISOString().slice(0, 10).replaceAll('-', '/');

/** The identifier CloudTrail gives a public key; MD5 of its DER form stands in for it, 32 hex digits as in AWS's samples. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('md5')
    .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
    .digest('hex');
}

export interface LogFile {
  key: string;
  /** The uncompressed JSON: CloudTrail hashes the content, not the gzip bytes. */
  json: string;
  oldestEventTime: Date;
  newestEventTime: Date;
}

export interface DigestFile {
  key: string;
  /** gzip of the digest JSON. */
  body: Buffer;
  /** S3 user metadata CloudTrail puts on a digest object. */
  metadata: { signature: string; 'signature-algorithm': 'SHA256withRSA' };
  /** The digest JSON, for tests that alter it. */
  json: string;
}

export interface DigestWriterOptions {
  account: string;
  region: string;
  trail: string;
  bucket: string;
  /** Put before `AWSLogs/`, as a trail with an S3 key prefix does. */
  prefix?: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export class DigestWriter {
  private previous: { key: string; signature: string; hash: string } | undefined;

  constructor(private readonly options: DigestWriterOptions) {}

  /** The digest of the log files delivered between `start` and `end`, chained to the last one written. */
  write(start: Date, end: Date, logFiles: LogFile[]): DigestFile {
    const { account, region, trail, bucket, prefix = '', privateKey, publicKey } = this.options;
    const key = `${prefix}AWSLogs/${account}/CloudTrail-Digest/${region}/${ymd(end)}/${account}_CloudTrail-Digest_${region}_${trail}_${region}_${stamp(end)}.json.gz`;
    const times = logFiles.flatMap((file) => [file.oldestEventTime.getTime(), file.newestEventTime.getTime()]);
    const json = JSON.stringify({
      awsAccountId: account,
      digestStartTime: isoSeconds(start),
      digestEndTime: isoSeconds(end),
      digestS3Bucket: bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: keyFingerprint(publicKey),
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: times.length > 0 ? isoSeconds(new Date(Math.max(...times))) : null,
      oldestEventTime: times.length > 0 ? isoSeconds(new Date(Math.min(...times))) : null,
      previousDigestS3Bucket: this.previous ? bucket : null,
      previousDigestS3Object: this.previous?.key ?? null,
      previousDigestHashValue: this.previous?.hash ?? null,
      previousDigestHashAlgorithm: this.previous ? 'SHA-256' : null,
      previousDigestSignature: this.previous?.signature ?? null,
      logFiles: logFiles.map((file) => ({
        s3Bucket: bucket,
        s3Object: file.key,
        hashValue: sha256(file.json),
        hashAlgorithm: 'SHA-256',
        newestEventTime: isoSeconds(file.newestEventTime),
        oldestEventTime: isoSeconds(file.oldestEventTime),
      })),
    });
    const signed = `${isoSeconds(end)}\n${bucket}/${key}\n${sha256(json)}\n${this.previous?.signature ?? 'null'}`;
    const signature = sign('sha256', Buffer.from(signed), privateKey).toString('hex');
    this.previous = { key, signature, hash: sha256(json) };
    return { key, body: gzipSync(json), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' }, json };
  }
}
