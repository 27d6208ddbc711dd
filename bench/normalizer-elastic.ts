// Kafka → Elasticsearch: the normalizer (consumer group, normalize, bulk writer, siem.events) on the
// corpus's raw records already on their siem.raw.* topics, against the limit measured in the same run:
// the same final documents sent by a plain `_bulk` loader into the same node. Figures go to
// bench/results/normalizer-elastic.json. The raw records stay on the topics, as any input would.
import { createElastic, eventsIndexName, installTemplates } from '@sentrail/lib/elastic';
import { ACKS_ALL, createKafka, createProducer, ensureTopics, RAW_TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { dropIndexPrefix, startGroupAtEnd, testConfig, uniqueName } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { createNormalizerMetrics } from '@sentrail/normalizer/dist/normalizer-metrics.js';
import { startNormalizer } from '@sentrail/normalizer/dist/normalizer.js';
import { corpusSize } from './lib/corpus-size.js';
import { rawMessages } from './lib/raw-messages.js';
import { writeResult } from './lib/report.js';

const RECORDS = corpusSize(100_000);
const SEED = 11;
const AIM = 0.8;

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

const messages = [...rawMessages({ records: RECORDS, seed: SEED })];
const receivedAt = new Date().toISOString();
console.log(`corpus: ${RECORDS} records`);

/** The limit: the documents normalize() makes of the records, bulk-created in the same bulk size. */
async function limit(): Promise<number> {
  await installTemplates(elastic, limitConfig.elasticsearch);
  const context = createContext(config.normalizer.context);
  const documents = messages.map(({ value, meta }) => {
    const result = normalize(value, { ...meta, origin: 'bench', receivedAt }, { context });
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
  for (let i = 0; i < messages.length; i += 1000) {
    const batch = messages.slice(i, i + 1000).map(({ value, meta }, j) => ({
      topic: meta.topic,
      message: {
        key: null,
        value,
        headers: { source: meta.source, origin: `bench#${i + j}`, received_at: receivedAt },
      },
    }));
    await producer.sendBatch({
      acks: ACKS_ALL,
      topicMessages: RAW_TOPICS.map((topic) => ({
        topic,
        messages: batch.filter((entry) => entry.topic === topic).map(({ message }) => message),
      })).filter(({ messages }) => messages.length > 0),
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
  const path = await writeResult('normalizer-elastic', {
    corpus: { records: RECORDS, generator: `bench/lib/corpus.ts (seed ${SEED})` },
    settings: { bulk: config.normalizer.bulk, partitions: config.kafka.partitions },
    limit: {
      what: 'plain _bulk of the same documents',
      seconds: limitSeconds,
      documents_per_second: RECORDS / limitSeconds,
    },
    pipeline: {
      what: 'siem.raw.* → normalizer → Elasticsearch + siem.events',
      seconds: measured.seconds,
      documents_per_second: RECORDS / measured.seconds,
      peak_rss_mib: measured.rssMiB,
    },
    summary: {
      figure: RECORDS / measured.seconds,
      unit: 'documents/s',
      limit: RECORDS / limitSeconds,
      ratio,
      aim: `≥ ${AIM} of the limit`,
      met: ratio >= AIM,
    },
  });
  console.log(
    `limit ${Math.round(RECORDS / limitSeconds)} docs/s, normalizer ${Math.round(RECORDS / measured.seconds)} docs/s, ratio ${ratio.toFixed(2)} (aim ${AIM}) → ${path}`,
  );
} finally {
  await dropIndexPrefix(elastic, pipelinePrefix);
  await dropIndexPrefix(elastic, limitPrefix);
  await Promise.all([producer.disconnect(), admin.disconnect(), elastic.close()]);
}
