import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SentrailConfig } from '@sentrail/lib/config';
import type { ReadinessCheck } from '@sentrail/lib/health';
import type { Logger } from '@sentrail/lib/logger';
import type { FastifyPluginAsync } from 'fastify';
import type { IngestMetrics } from './ingest-metrics.js';
import type { RawSink } from './raw-sink.js';

/** What every source gets from the ingest service. */
export interface SourceContext {
  config: SentrailConfig;
  logger: Logger;
  sink: RawSink;
  metrics: IngestMetrics;
  s3: S3Client;
  sqs: SQSClient;
}

/**
 * One source of records: its own settings (a section under ingest.sources, checked by its own
 * schema), its own work loop, and optionally HTTP routes on the ingest listener.
 */
export interface Source {
  /** Begins the work; resolves once it is under way (a loop keeps running in the background). */
  start?(): Promise<void>;
  /** Stops taking work, finishes what is in flight, acknowledges only what Kafka has; then resolves. */
  stop?(): Promise<void>;
  checks?: Record<string, ReadinessCheck>;
  routes?: FastifyPluginAsync;
}

/** Checks its settings (throwing ConfigError naming the key) and builds the source. */
export type SourceFactory = (context: SourceContext, settings: unknown) => Source;
