// Kafka → Elasticsearch: the normalizer (consumer group, normalize, bulk writer, siem.events) on raw
// CloudTrail records already in Kafka, against the limit measured in the same run: the same final
// documents sent by a plain `_bulk` loader into the same node. Figures go to
// bench/results/normalizer-elastic.json. The records stay in siem.raw.cloudtrail under the account
// 000000000000, as any input would.
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { ACKS_ALL, createKafka, createProducer, ensureTopics, TOPICS, RAW_TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { dropIndexPrefix, startGroupAtEnd, testConfig, uniqueName } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { createNormalizerMetrics } from '@sentrail/normalizer/dist/normalizer-metrics.js';
import { startNormalizer } from '@sentrail/normalizer/dist/normalizer.js';
import { eventsIndexName } from '@sentrail/lib/elastic';
import { cloudtrailLines } from './lib/corpus.js';
import { writeResult } from './lib/report.js';

const RECORDS = Number(process.env['BENCH_NORMALIZER_RECORDS'] ?? 100_000);
const AIM = 0.8;
const ACCOUNT = '000000000000';

const pipelinePrefix = uniqueName('bench-pipeline');
const limitPrefix = uniqueName('bench-limit');
const groupId = uniqueName('bench-normalizer');
const config = testConfig({
  SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: pipelinePrefix,
  SENTRAIL_NORMALIZER__GROUP_ID: groupId,
});
const limitConfig = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: limitPrefix });
const logger = createLogger('bench', 'warn');
const elastic = createElastic(config.elasticsearch);
const kafka = createKafka(config.kafka, logger, '-bench');
const admin = kafka.admin();
const producer = createProducer(kafka);

const lines = cloudtrailLines(RECORDS, 11, 100, ACCOUNT);
const receivedAt = new Date().toISOString();
console.log(`corpus: ${RECORDS} CloudTrail records`);

/** The limit: the documents normalize() makes of the records, bulk-created in the same bulk size. */
async function limit(): Promise<number> {
  await installTemplates(elastic, limitConfig.elasticsearch);
  const context = createContext(config.normalizer.context);
  const meta = { ...MAPPER_INPUTS.cloudtrail, origin: 'bench', receivedAt };
  const documents = lines.map((line) => {
    const result = normalize(line, meta, { context });
    if (!result.ok) throw new Error(result.error);
    return result;
  });
  const size = config.normalizer.bulk.maxDocuments;
  const began = performance.now();
  for (let i = 0; i < documents.length; i += size) {
    const operations = documents
      .slice(i, i + size)
      .flatMap(({ id, document }) => [
        { create: { _index: eventsIndexName(limitPrefix, document['@timestamp']), _id: id } },
        document,
      ]);
    const response = await elastic.bulk({ operations });
    if (response.errors) throw new Error('the limit loader had item errors');
  }
  return (performance.now() - began) / 1000;
}

/** The normalizer in-process, timed from its start until every record is indexed. */
async function pipeline(): Promise<{ seconds: number; rssMiB: number }> {
  await installTemplates(elastic, config.elasticsearch);
  await startGroupAtEnd(kafka, groupId, RAW_TOPICS);
  for (let i = 0; i < lines.length; i += 1000) {
    await producer.send({
      topic: TOPICS.rawCloudtrail,
      acks: ACKS_ALL,
      messages: lines.slice(i, i + 1000).map((value, j) => ({
        key: null,
        value,
        headers: { source: 'cloudtrailSqs', origin: `bench#${i + j}`, received_at: receivedAt },
      })),
    });
  }
  const metrics = createNormalizerMetrics(createMetrics('normalizer').registry);
  const indexed = async () => (await metrics.indexed.get()).values.reduce((sum, { value }) => sum + value, 0);
  let rss = 0;
  const began = performance.now();
  const normalizer = await startNormalizer({ config, logger, kafka, producer, elastic, metrics });
  while ((await indexed()) < RECORDS) {
    rss = Math.max(rss, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - began) / 1000;
  await normalizer.stop();
  return { seconds, rssMiB: Math.round(rss / 2 ** 20) };
}

await admin.connect();
await ensureTopics(admin, config.kafka);
await producer.connect();
try {
  const limitSeconds = await limit();
  const measured = await pipeline();
  const ratio = limitSeconds / measured.seconds;
  const path = writeResult('normalizer-elastic', {
    corpus: { records: RECORDS, generator: 'CloudTrailGenerator(seed 11): routine + suspicious' },
    settings: { bulk: config.normalizer.bulk, partitions: config.kafka.partitions },
    limit: {
      what: 'plain _bulk of the same documents',
      seconds: limitSeconds,
      documents_per_second: RECORDS / limitSeconds,
    },
    pipeline: {
      what: 'siem.raw.cloudtrail → normalizer → Elasticsearch + siem.events',
      seconds: measured.seconds,
      documents_per_second: RECORDS / measured.seconds,
      peak_rss_mib: measured.rssMiB,
    },
    ratio,
    aim: { ratio: AIM, met: ratio >= AIM },
  });
  console.log(
    `limit ${Math.round(RECORDS / limitSeconds)} docs/s, normalizer ${Math.round(RECORDS / measured.seconds)} docs/s, ratio ${ratio.toFixed(2)} (aim ${AIM}) → ${path}`,
  );
} finally {
  await dropIndexPrefix(elastic, pipelinePrefix);
  await dropIndexPrefix(elastic, limitPrefix);
  await Promise.all([producer.disconnect(), admin.disconnect(), elastic.close()]);
}
