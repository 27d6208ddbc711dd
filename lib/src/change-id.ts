import { createHash } from 'node:crypto';

/** JSON with every object's keys sorted and no whitespace: one text per value, whatever the sender's order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * The identity of a generic change event: its sender's `id`, else the SHA-256 of its canonical JSON,
 * so a resend is the same event. Ingest keys the Kafka record with it, the normalizer uses it as _id.
 */
export const changeId = (event: Record<string, unknown>) =>
  typeof event['id'] === 'string' ? event['id'] : createHash('sha256').update(canonicalJson(event)).digest('hex');
