import { ConfigError } from '@sentrail/lib/config';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import type { FastifyPluginAsync } from 'fastify';
import { createS3Client, createSqsClient, pingBucket, queueUrl } from './aws.js';
import { createIngestMetrics } from './ingest-metrics.js';
import { RawSink } from './raw-sink.js';
import type { Source } from './source.js';
import { SOURCES } from './sources/index.js';

await runService('ingest', async (context) => {
  const { config, logger, shutdown } = context;
  const kafka = await connectKafka(context);
  const sqs = createSqsClient(config.aws);
  const s3 = createS3Client(config.aws);
  shutdown.add('aws clients', () => {
    sqs.destroy();
    s3.destroy();
  });
  const metrics = createIngestMetrics(context.metrics.registry);
  const sink = new RawSink(kafka.producer, metrics, logger, config.ingest.maxRecordBytes);

  const sources: [string, Source][] = [];
  for (const [name, settings] of Object.entries(config.ingest.sources)) {
    const factory = SOURCES[name];
    if (!factory)
      throw new ConfigError(`ingest.sources`, [
        `ingest.sources.${name}: no such source (known: ${Object.keys(SOURCES).join(', ')})`,
      ]);
    if (settings['enabled'] === false) continue;
    sources.push([name, factory({ config, logger: logger.child({ source: name }), sink, metrics, s3, sqs }, settings)]);
  }
  for (const [name, source] of sources) {
    await source.start?.();
    // Registered after the producer, so each source stops (and acks what Kafka has) before it closes.
    shutdown.add(`source ${name}`, () => source.stop?.());
    logger.info({ source: name }, 'source started');
  }

  const routes: FastifyPluginAsync = async (app) => {
    for (const [, source] of sources) if (source.routes) await app.register(source.routes);
  };
  return {
    checks: {
      kafka: kafka.ping,
      sqs: () => queueUrl(sqs, config.ingest.cloudtrailQueue),
      s3: () => pingBucket(s3, config.ingest.cloudtrailBucket),
      ...Object.fromEntries(sources.flatMap(([, source]) => Object.entries(source.checks ?? {}))),
    },
    routes,
  };
});
