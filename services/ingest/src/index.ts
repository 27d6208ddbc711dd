import { connectKafka } from '@sentrail/lib/kafka';
import { runService } from '@sentrail/lib/service';
import { createS3Client, createSqsClient, pingBucket, queueUrl } from './aws.js';

await runService('ingest', async (context) => {
  const { config, shutdown } = context;
  const kafka = await connectKafka(context);
  const sqs = createSqsClient(config.aws);
  const s3 = createS3Client(config.aws);
  shutdown.add('aws clients', () => {
    sqs.destroy();
    s3.destroy();
  });
  return {
    checks: {
      kafka: kafka.ping,
      sqs: () => queueUrl(sqs, config.ingest.cloudtrailQueue),
      s3: () => pingBucket(s3, config.ingest.cloudtrailBucket),
    },
  };
});
