import { connectElastic } from '@sentrail/lib/elastic';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import { createNormalizerMetrics } from './normalizer-metrics.js';
import { startNormalizer } from './normalizer.js';
import { checkRetention, scheduleRetention } from './retention.js';

await runService('normalizer', async (context) => {
  const { config, logger, shutdown } = context;
  checkRetention(config.normalizer.retention, logger);
  const kafka = await connectKafka(context);
  const elastic = await connectElastic(context);
  const metrics = createNormalizerMetrics(context.metrics.registry);
  const retention = scheduleRetention(
    elastic.client,
    config.elasticsearch.indexPrefix,
    config.normalizer.retention,
    logger,
  );
  shutdown.add('retention', () => retention.stop());
  const normalizer = await startNormalizer({
    ...context,
    kafka: kafka.kafka,
    producer: kafka.producer,
    elastic: elastic.client,
    metrics,
  });
  shutdown.add('normalizer', () => normalizer.stop());
  return { checks: { kafka: kafka.ping, elasticsearch: elastic.ping } };
});
