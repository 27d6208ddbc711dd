import { connectElastic } from '@sentrail/lib/elastic';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import { apiRoutes } from './app.js';
import { ApiKeys } from './auth/api-keys.js';
import { AccessLog } from './audit/access-log.js';
import { ROUTE_GROUPS } from './routes/index.js';

await runService('api', async (context) => {
  const { config, logger, metrics, shutdown } = context;
  const kafka = await connectKafka(context);
  const elastic = await connectElastic(context);
  const accessLog = new AccessLog({ producer: kafka.producer, logger, metrics });
  // After the requests stop and before the producer goes: every request's record reaches Kafka.
  shutdown.add('access log', () => accessLog.flushed());
  const keys = new ApiKeys(elastic.client, config.elasticsearch.indexPrefix);
  const deps = { config, logger, metrics, elastic: elastic.client, producer: kafka.producer, keys, accessLog };
  return {
    checks: { kafka: kafka.ping, elasticsearch: elastic.ping },
    routes: apiRoutes(deps, ROUTE_GROUPS),
    bodyLimit: config.api.bodyLimitBytes,
    closeHttpFirst: true,
  };
});
