// Ingest throughput: CloudTrail log files announced on SQS, read from S3, produced to Kafka by the
// cloudtrailSqs source, against the same records produced straight to Kafka by a minimal producer in
// the same run (the limit). Figures go to bench/results/ingest-cloudtrail.json.
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { s3Notification } from '@sentrail/ingest/dist/sources/demo.js';
import { cloudtrailSqs } from '@sentrail/ingest/dist/sources/cloudtrail-sqs.js';
import { sourceTestContext } from '@sentrail/ingest/dist/testing/source-context.js';
import { ACKS_ALL, createProducer, ensureTopics } from '@sentrail/lib/kafka';
import { testConfig, uniqueName } from '@sentrail/lib/testing';
import { corpus } from './lib/corpus.js';
import { corpusSize } from './lib/corpus-size.js';
import { writeResult } from './lib/report.js';

const RECORDS = corpusSize(100_000);
const SEED = 42;
const RECORDS_PER_FILE = 1_000;
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const BATCH = 500; // records per producer call, as cloudtrail-object sends them

const config = testConfig();
const bench = await sourceTestContext(config, 'bench');
const { context } = bench;
const bucket = config.ingest.cloudtrailBucket;
const prefix = `${uniqueName('bench')}/`;

/** The corpus's CloudTrail log files, until they hold RECORDS records. */
function cloudtrailFiles() {
  const files = [];
  let records = 0;
  for (const delivery of corpus({ records: Number.MAX_SAFE_INTEGER, seed: SEED, recordsPerFile: RECORDS_PER_FILE })) {
    if (delivery.source !== 'cloudtrail') continue;
    const json = JSON.stringify({ Records: delivery.records });
    files.push({
      key: `${prefix}${delivery.key}`,
      records: delivery.records,
      jsonBytes: Buffer.byteLength(json),
      body: gzipSync(json),
    });
    records += delivery.records.length;
    if (records >= RECORDS) return { files, records };
  }
  throw new Error('the corpus ended early');
}
const { files, records: TOTAL } = cloudtrailFiles();
console.log(`corpus: ${files.length} files, ${TOTAL} CloudTrail records`);
for (const file of files)
  await context.s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body }));

/** The limit: the same records, already parsed, produced straight to Kafka with the same batch size and concurrency. */
async function baseline(): Promise<number> {
  const topic = uniqueName('bench.baseline');
  await ensureTopics(bench.admin, config.kafka, [topic]);
  const producer = createProducer(bench.kafka);
  await producer.connect();
  const batches: { key: string; value: string }[][] = [];
  for (const file of files) {
    for (let i = 0; i < file.records.length; i += BATCH) {
      batches.push(
        file.records.slice(i, i + BATCH).map((record) => ({ key: record.eventID, value: JSON.stringify(record) })),
      );
    }
  }
  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await producer.send({ topic, acks: ACKS_ALL, messages: batches[next++]! });
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  await producer.disconnect();
  await bench.admin.deleteTopics({ topics: [topic] });
  return seconds;
}

async function produced(): Promise<number> {
  const { values } = await context.metrics.produced.get();
  return values.find((value) => value.labels['source'] === 'cloudtrailSqs')?.value ?? 0;
}

/** The pipeline: notifications already queued; timed from the source's start until every message is deleted. */
async function pipeline(): Promise<number> {
  const queue = uniqueName('bench-queue');
  const url = (
    await context.sqs.send(new CreateQueueCommand({ QueueName: queue, Attributes: { VisibilityTimeout: '300' } }))
  ).QueueUrl!;
  for (let i = 0; i < files.length; i += 10) {
    await context.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: files.slice(i, i + 10).map((file, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(
            s3Notification(bucket, file.key, file.body.length, new Date(), config.aws.region),
          ),
        })),
      }),
    );
  }
  const source = cloudtrailSqs(context, { queue, concurrency: CONCURRENCY, waitTimeSeconds: 1 });
  const before = await produced();
  const began = performance.now();
  await source.start!();
  for (;;) {
    const { Attributes = {} } = await context.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const left =
      Number(Attributes['ApproximateNumberOfMessages']) + Number(Attributes['ApproximateNumberOfMessagesNotVisible']);
    if (left === 0 && (await produced()) - before >= TOTAL) break;
    await sleep(50);
  }
  const seconds = (performance.now() - began) / 1000;
  await source.stop!();
  await context.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  return seconds;
}

try {
  const baselineSeconds = await baseline();
  const pipelineSeconds = await pipeline();
  const result = {
    corpus: {
      records: TOTAL,
      generator: `bench/lib/corpus.ts (seed ${SEED}), its CloudTrail log files only`,
      files: files.length,
      gzip_bytes: files.reduce((sum, file) => sum + file.body.length, 0),
      json_bytes: files.reduce((sum, file) => sum + file.jsonBytes, 0),
    },
    settings: { concurrency: CONCURRENCY, batch: BATCH },
    baseline: {
      what: 'minimal producer straight to Kafka',
      seconds: baselineSeconds,
      records_per_second: TOTAL / baselineSeconds,
    },
    pipeline: {
      what: 'SQS + S3 → Kafka (cloudtrailSqs)',
      seconds: pipelineSeconds,
      records_per_second: TOTAL / pipelineSeconds,
    },
    summary: {
      figure: TOTAL / pipelineSeconds,
      unit: 'records/s',
      limit: TOTAL / baselineSeconds,
      ratio: baselineSeconds / pipelineSeconds,
    },
  };
  await writeResult('ingest-cloudtrail', result);
  console.log(
    `baseline ${Math.round(result.baseline.records_per_second)} records/s, pipeline ${Math.round(result.pipeline.records_per_second)} records/s, ratio ${result.summary.ratio.toFixed(2)}`,
  );
} finally {
  for (let i = 0; i < files.length; i += 1000) {
    await context.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: files.slice(i, i + 1000).map((file) => ({ Key: file.key })) },
      }),
    );
  }
  await bench.close();
}
