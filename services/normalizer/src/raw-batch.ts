// One Kafka batch of raw records through the normalizer: normalize each, write the documents to
// Elasticsearch, send each document to siem.events and each reject to siem.dlq. The consumer commits
// the batch's offsets only after this resolves, so a crash anywhere means the batch comes again,
// and the deterministic _id makes the second write a counted duplicate.
import { eventsIndexName } from '@sentrail/lib/elastic';
import { dlqMessage, type DlqEntry } from '@sentrail/lib/dlq';
import { correlationEntity, type EcsDocument } from '@sentrail/lib/ecs';
import { ACKS_ALL, messageHeader, TOPICS, type KafkaMessage, type Message, type Producer } from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import type { NormalizerContext } from './context-labels.js';
import type { IndexRequest, WriteResult } from './elastic-writer.js';
import type { RawMeta } from './mapper.js';
import type { MapperName } from './mappers/index.js';
import { normalize } from './normalize.js';
import type { NormalizerMetrics } from './normalizer-metrics.js';

export interface RawBatchDeps {
  /** Writes documents in bulks (BulkBuffer): resolves with these requests' results. */
  bulk: { add(requests: IndexRequest[], signal?: AbortSignal): Promise<WriteResult> };
  producer: Producer;
  metrics: NormalizerMetrics;
  logger: Logger;
  context: NormalizerContext;
  indexPrefix: string;
  /** DLQ originals over this are truncated (ingest.maxRecordBytes, the same limit as ingest's). */
  maxOriginalBytes: number;
}

export interface RawBatchCounts {
  records: number;
  indexed: number;
  duplicates: number;
  dlq: number;
}

interface Pending extends IndexRequest {
  ecs: EcsDocument;
  mapper: MapperName;
  meta: RawMeta;
}

/** siem.events messages are produced in slices, so one request stays well under the broker's limit. */
const PRODUCE_SLICE = 5_000;

async function produce(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += PRODUCE_SLICE) {
    await producer.send({ topic, acks: ACKS_ALL, messages: messages.slice(start, start + PRODUCE_SLICE) });
  }
}

export async function handleRawBatch(
  messages: KafkaMessage[],
  batch: { topic: string; signal?: AbortSignal },
  deps: RawBatchDeps,
): Promise<RawBatchCounts> {
  const { metrics, logger } = deps;
  const now = new Date();
  const pending: Pending[] = [];
  const rejects: { entry: DlqEntry; source: string; receivedAt: string; mapper: string }[] = [];

  for (const message of messages) {
    const meta: RawMeta = {
      topic: batch.topic,
      source: messageHeader(message, 'source') ?? '',
      origin: messageHeader(message, 'origin') || `kafka:${batch.topic}:${message.offset}`,
      receivedAt: messageHeader(message, 'received_at') || now.toISOString(),
    };
    const raw = message.value ?? Buffer.alloc(0);
    const result = normalize(raw, meta, { context: deps.context, now });
    const mapper = result.mapper ?? 'unknown';
    metrics.records.inc({ mapper });
    if (!result.ok) {
      rejects.push({
        entry: { error: result.error, stage: 'normalize', origin: meta.origin, original: raw },
        source: meta.source,
        receivedAt: meta.receivedAt,
        mapper,
      });
      continue;
    }
    const index = eventsIndexName(deps.indexPrefix, result.document['@timestamp']);
    const document = JSON.stringify(result.document);
    pending.push({ id: result.id, index, document, ecs: result.document, mapper: result.mapper, meta });
  }

  // siem.events gets the documents while Elasticsearch writes them (the two take about as long). A
  // document Elasticsearch then refuses is in siem.dlq too, so detection does not miss it; and a
  // replay's duplicates are there again, in case the first attempt died before reaching Kafka.
  const events = pending.map(({ id, index, document, ecs, meta }) => ({
    key: correlationEntity(ecs)?.value ?? null,
    value: document,
    headers: { id, index, source: meta.source, origin: meta.origin, dataset: ecs.event.dataset },
  }));
  const [written] = await Promise.all([
    pending.length > 0 ? deps.bulk.add(pending, batch.signal) : undefined,
    produce(deps.producer, TOPICS.events, events),
  ]);
  const created = (written?.created ?? []) as Pending[];
  const duplicates = (written?.duplicates ?? []) as Pending[];
  for (const { request, reason } of written?.rejected ?? []) {
    const { meta, mapper, ecs } = request as Pending;
    rejects.push({
      entry: { error: reason, stage: 'index', origin: meta.origin, original: ecs.event.original ?? '' },
      source: meta.source,
      receivedAt: meta.receivedAt,
      mapper,
    });
  }

  await produce(
    deps.producer,
    TOPICS.dlq,
    rejects.map(({ entry, source, receivedAt }) => dlqMessage(entry, source, receivedAt, deps.maxOriginalBytes)),
  );

  for (const { mapper, ecs } of created) {
    metrics.indexed.inc({ mapper });
    for (const element of ecs.pci_dss?.missing ?? []) metrics.incomplete.inc({ mapper, element });
    for (const requirement of ecs.pci_dss?.requirements ?? []) metrics.pci.inc({ requirement });
    metrics.lastEventTime.set({ mapper }, Math.max(Date.parse(ecs['@timestamp']) / 1000, 0));
  }
  for (const { mapper } of duplicates) metrics.duplicates.inc({ mapper });
  for (const { entry, mapper } of rejects) {
    metrics.dlq.inc({ mapper, stage: entry.stage });
    logger.warn({ origin: entry.origin, stage: entry.stage, reason: entry.error }, 'sent to siem.dlq');
  }
  return { records: messages.length, indexed: created.length, duplicates: duplicates.length, dlq: rejects.length };
}
