import { dlqMessage, type DlqEntry } from '@sentrail/lib/dlq';
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

export type Rejected = DlqEntry;

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
      messages: rejected.map((entry) => dlqMessage(entry, source, receivedAt.toISOString(), this.maxRecordBytes)),
    });
    for (const entry of rejected) {
      this.metrics.dlq.inc({ source, stage: entry.stage });
      this.logger.warn({ source, origin: entry.origin, stage: entry.stage, reason: entry.error }, 'sent to siem.dlq');
    }
  }
}
