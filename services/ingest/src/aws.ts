import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SentrailConfig } from '@sentrail/lib/config';

type AwsConfig = SentrailConfig['aws'];

/** Region, endpoint override and credentials, as every AWS client of the ingest service takes them. */
export function common(aws: AwsConfig, endpoint: string) {
  return {
    region: aws.region,
    ...(endpoint ? { endpoint } : {}),
    // Empty keys mean the SDK's default credential chain (instance role, environment, profile).
    ...(aws.accessKeyId ? { credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } } : {}),
  };
}

export function createSqsClient(aws: AwsConfig): SQSClient {
  return new SQSClient(common(aws, aws.sqsEndpoint));
}

/**
 * Checksums only where the API requires them: S3-compatible servers such as s3proxy reject the
 * CRC32 trailers and aws-chunked uploads the SDK sends by default since 3.729.
 */
export function createS3Client(aws: AwsConfig): S3Client {
  return new S3Client({
    ...common(aws, aws.s3Endpoint),
    forcePathStyle: aws.s3ForcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function queueUrl(sqs: SQSClient, queueName: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (!QueueUrl) throw new Error(`queue ${queueName} has no URL`);
  return QueueUrl;
}

export async function pingBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));
}
