import type { SentrailConfig } from '@sentrail/lib/config';
import { createKafka, createProducer, ensureTopics } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { createS3Client, createSqsClient } from '../aws.js';
import { createIngestMetrics } from '../ingest-metrics.js';
import { RawSink } from '../raw-sink.js';
import type { SourceContext } from '../source.js';

/**
 * What the ingest service hands a source, built on the real local servers, for a source's tests;
 * `kafka` and `admin` are there to read back what the source produced.
 */
export async function sourceTestContext(config: SentrailConfig, name: string) {
  // TEST_LOG_LEVEL=debug shows what the source logs while a test runs.
  const logger = createLogger(
    `${name}-test`,
    (process.env['TEST_LOG_LEVEL'] as Parameters<typeof createLogger>[1]) ?? 'silent',
  );
  const kafka = createKafka(config.kafka, logger, '-test');
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  await admin.connect();
  await ensureTopics(admin, config.kafka);
  await producer.connect();
  const registry = createMetrics('ingest').registry;
  const metrics = createIngestMetrics(registry);
  const context: SourceContext = {
    config,
    logger,
    metrics,
    sink: new RawSink(producer, metrics, logger, config.ingest.maxRecordBytes),
    s3: createS3Client(config.aws),
    sqs: createSqsClient(config.aws),
  };
  // A real client pointed at a port where no broker listens: Kafka unavailable, for real.
  const deadProducer = createProducer(createKafka({ ...config.kafka, brokers: ['127.0.0.1:1'] }, logger, '-dead'));
  await deadProducer.connect().catch(() => undefined);
  const kafkaDown: SourceContext = {
    ...context,
    sink: new RawSink(deadProducer, metrics, logger, config.ingest.maxRecordBytes),
  };
  return {
    context,
    /** The same, but Kafka never acknowledges: for the paths that must not ack upstream. */
    kafkaDown,
    kafka,
    admin,
    registry,
    async close() {
      context.s3.destroy();
      context.sqs.destroy();
      await Promise.all([producer.disconnect(), deadProducer.disconnect(), admin.disconnect()]);
    },
  };
}
