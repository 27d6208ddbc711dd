import { connectElastic } from '@sentrail/lib/elastic';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import { createCorrelatorMetrics } from './correlator-metrics.js';
import { startCorrelator } from './correlator.js';

await runService('correlator', async (context) => {
  const { shutdown } = context;
  const kafka = await connectKafka(context);
  const elastic = await connectElastic(context);
  const metrics = createCorrelatorMetrics(context.metrics.registry);
  const correlator = await startCorrelator({
    ...context,
    kafka: kafka.kafka,
    admin: kafka.admin,
    producer: kafka.producer,
    elastic: elastic.client,
    metrics,
  });
  shutdown.add('correlator', () => correlator.stop());
  return { checks: { kafka: kafka.ping, elasticsearch: elastic.ping } };
});
