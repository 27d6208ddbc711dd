import { createHash } from 'node:crypto';
import { ACKS_ALL, TOPICS, type Producer } from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import type { IngestMetrics } from './ingest-metrics.js';

export interface RawRecord {
  /** Partition key of DESIGN.md §3 (eventID, alert id, …); null spreads records over partitions. */
  key: string | null;
  /** The source's own bytes, unchanged, so the record can be replayed. */
  value: Buffer | string;
  /** Where it came from: `s3://bucket/key#17`, `file:inode:offset`, `http:<request id>`. */
  origin: string;
}

export interface Rejected {
  error: string;
  /** Which step refused it: `gunzip`, `parse`, `envelope`, `size`, `notification`, `fetch`, … */
  stage: string;
  origin: string;
  original: Buffer | string;
}

/**
 * Where every ingest source writes: raw records to their topic, rejects to siem.dlq. Both resolve
 * only once Kafka has acknowledged (acks=all), so a caller acks upstream only after that.
 */
export class RawSink {
  constructor(
    private readonly producer: Producer,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    private readonly maxRecordBytes: number,
  ) {}

  async send(source: string, topic: string, records: RawRecord[], receivedAt = new Date()): Promise<void> {
    const accepted: RawRecord[] = [];
    const oversized: Rejected[] = [];
    for (const record of records) {
      const size = Buffer.byteLength(record.value);
      if (size > this.maxRecordBytes) {
        oversized.push({
          error: `record of ${size} bytes is over the hard limit of ${this.maxRecordBytes} bytes (ingest.maxRecordBytes)`,
          stage: 'size',
          origin: record.origin,
          original: record.value,
        });
      } else {
        accepted.push(record);
      }
    }
    if (accepted.length > 0) {
      await this.producer.send({
        topic,
        acks: ACKS_ALL,
        messages: accepted.map(({ key, value, origin }) => ({
          key,
          value,
          headers: { source, origin, received_at: receivedAt.toISOString() },
        })),
      });
      this.metrics.produced.inc({ source }, accepted.length);
    }
    if (oversized.length > 0) await this.reject(source, oversized, receivedAt);
  }

  /** Sends rejects to siem.dlq as `{error, stage, origin, received_at, original}`, keyed by origin. */
  async reject(source: string, rejected: Rejected[], receivedAt = new Date()): Promise<void> {
    if (rejected.length === 0) return;
    await this.producer.send({
      topic: TOPICS.dlq,
      acks: ACKS_ALL,
      messages: rejected.map((entry) => ({
        key: entry.origin,
        value: JSON.stringify({
          error: entry.error,
          stage: entry.stage,
          origin: entry.origin,
          received_at: receivedAt.toISOString(),
          source,
          ...this.originalFields(entry.original),
        }),
        headers: { source, origin: entry.origin, stage: entry.stage },
      })),
    });
    for (const entry of rejected) {
      this.metrics.dlq.inc({ source, stage: entry.stage });
      this.logger.warn({ source, origin: entry.origin, stage: entry.stage, reason: entry.error }, 'sent to siem.dlq');
    }
  }

  /**
   * The original as text when it is valid UTF-8 (the usual case), else as base64, so no byte is lost.
   * One over the hard limit cannot fit in Kafka either: its head, size and SHA-256 are kept, and its
   * origin says where the whole is.
   */
  private originalFields(original: Buffer | string) {
    let bytes = typeof original === 'string' ? Buffer.from(original, 'utf8') : original;
    const truncated = bytes.length > this.maxRecordBytes;
    const whole = truncated
      ? { original_bytes: bytes.length, original_sha256: createHash('sha256').update(bytes).digest('hex') }
      : {};
    if (truncated) bytes = bytes.subarray(0, TRUNCATED_BYTES);
    const text = new TextDecoder('utf-8').decode(bytes);
    const exact = Buffer.from(text, 'utf8').equals(bytes);
    return {
      ...(exact ? { original: text } : { original: bytes.toString('base64'), original_encoding: 'base64' }),
      ...(truncated ? { original_truncated: true, ...whole } : {}),
    };
  }
}

const TRUNCATED_BYTES = 64 * 1024;
