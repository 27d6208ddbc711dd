import { connectElastic } from '@sentrail/lib/elastic';
import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';

await runService('normalizer', async (context) => {
  const kafka = await connectKafka(context);
  const elastic = await connectElastic(context);
  return { checks: { kafka: kafka.ping, elasticsearch: elastic.ping } };
});
