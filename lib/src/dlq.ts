import { createHash } from 'node:crypto';
import type { Message } from './kafka.js';

export interface DlqEntry {
  error: string;
  /** Which step refused it: `gunzip`, `parse`, `envelope`, `size`, `fetch`, `normalize`, `index`, … */
  stage: string;
  origin: string;
  original: Buffer | string;
}

/**
 * The siem.dlq message of DESIGN.md §3, `{error, stage, origin, received_at, source, original}`,
 * keyed by origin. The original is text when it is valid UTF-8 (the usual case), else base64, so no
 * byte is lost. One over `maxOriginalBytes` cannot fit in Kafka either: its head, size and SHA-256
 * are kept, and its origin says where the whole is.
 */
export function dlqMessage(entry: DlqEntry, source: string, receivedAt: string, maxOriginalBytes: number): Message {
  return {
    key: entry.origin,
    value: JSON.stringify({
      error: entry.error,
      stage: entry.stage,
      origin: entry.origin,
      received_at: receivedAt,
      source,
      ...originalFields(entry.original, maxOriginalBytes),
    }),
    headers: { source, origin: entry.origin, stage: entry.stage },
  };
}

const TRUNCATED_BYTES = 64 * 1024;

function originalFields(original: Buffer | string, maxOriginalBytes: number) {
  let bytes = typeof original === 'string' ? Buffer.from(original, 'utf8') : original;
  const truncated = bytes.length > maxOriginalBytes;
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
