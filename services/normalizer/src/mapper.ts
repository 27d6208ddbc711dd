import type { EcsDocument } from '@sentrail/lib/ecs';
import type { Json } from './fields.js';

/** What the raw message's headers and topic say about a record. */
export interface RawMeta {
  topic: string;
  /** The ingest source that produced it (the `source` header): cloudtrailSqs, wazuh, k8sAudit, … */
  source: string;
  origin: string;
  receivedAt: string;
}

export interface Mapped {
  /** The deterministic Elasticsearch _id (DESIGN.md §3): a replay of the record is a no-op. */
  id: string;
  document: EcsDocument;
}

/**
 * Turns one parsed raw record into its ECS document. Throws MappingError (fields.ts) when the record
 * cannot be mapped; the caller adds PCI tags, completeness, context labels and event.original.
 */
export type Mapper = (record: Json, meta: RawMeta) => Mapped;
