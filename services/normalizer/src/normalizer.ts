// The normalizer's work, apart from the service around it (index.ts) so a benchmark or a test can
// run it in-process: a consumer group over the raw topics, each batch normalized and written through
// one shared bulk buffer, offsets committed after Elasticsearch and Kafka have the results.
import type { SentrailConfig } from '@sentrail/lib/config';
import type { ElasticClient } from '@sentrail/lib/elastic';
import { startBatchConsumer, type BatchConsumer, type Kafka, type Producer, RAW_TOPICS } from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import { BulkBuffer } from './bulk-buffer.js';
import { createContext } from './context-labels.js';
import { ElasticWriter } from './elastic-writer.js';
import type { NormalizerMetrics } from './normalizer-metrics.js';
import { handleRawBatch } from './raw-batch.js';

export interface NormalizerDeps {
  config: SentrailConfig;
  logger: Logger;
  kafka: Kafka;
  producer: Producer;
  elastic: ElasticClient;
  metrics: NormalizerMetrics;
}

export interface Normalizer {
  /** Stops consuming, finishes (or after graceMs gives up) the batches in hand, flushes the buffer. */
  stop(graceMs?: number): Promise<void>;
}

export async function startNormalizer(deps: NormalizerDeps): Promise<Normalizer> {
  const { config, logger, metrics } = deps;
  const writer = new ElasticWriter(deps.elastic, metrics, logger);
  const bulk = new BulkBuffer(writer, config.normalizer.bulk);
  const batchDeps = {
    bulk,
    producer: deps.producer,
    metrics,
    logger,
    context: createContext(config.normalizer.context),
    indexPrefix: config.elasticsearch.indexPrefix,
    maxOriginalBytes: config.ingest.maxRecordBytes,
  };
  let consumer: BatchConsumer;
  try {
    consumer = await startBatchConsumer(deps.kafka, logger, {
      groupId: config.normalizer.groupId,
      topics: RAW_TOPICS,
      // Batches of several partitions at once fill one bulk between them.
      partitionsConcurrently: Math.min(8, RAW_TOPICS.length * config.kafka.partitions),
      // Batches of a few thousand CloudTrail records: fewer, larger bulks and produce requests.
      maxBytesPerPartition: 8 * 1024 * 1024,
      lag: metrics.lag,
      handle: async (messages, batch) => {
        await handleRawBatch(messages, batch, batchDeps);
      },
    });
  } catch (error) {
    await bulk.close();
    throw error;
  }
  return {
    async stop(graceMs) {
      await consumer.stop(graceMs);
      await bulk.close();
    },
  };
}
