import { connectElastic } from '@sentrail/lib/elastic';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import { apiRoutes } from './app.js';
import { ApiKeys } from './auth/api-keys.js';
import { ROUTE_GROUPS } from './routes/index.js';

await runService('api', async (context) => {
  const { config, logger } = context;
  const kafka = await connectKafka(context);
  const elastic = await connectElastic(context);
  const keys = new ApiKeys(elastic.client, config.elasticsearch.indexPrefix);
  const deps = { config, logger, elastic: elastic.client, producer: kafka.producer, keys };
  return {
    checks: { kafka: kafka.ping, elasticsearch: elastic.ping },
    routes: apiRoutes(deps, ROUTE_GROUPS),
    bodyLimit: config.api.bodyLimitBytes,
  };
});
