// End to end: the corpus handed to the sources as the real world hands it over (CloudTrail log files
// put on S3 and announced on SQS, lines appended to Wazuh's alerts.json, Kubernetes audit batches
// posted to the webhook), through ingest, normalizer and correlator, each its own process, until
// every record is searchable in Elasticsearch. Against the limit measured in the same run: the same
// final documents (normalize() in-process) bulk-created into the same node. Figures, with each
// service's peak memory, go to bench/results/pipeline.json.
import { createElastic, eventsIndexName, installTemplates, type ElasticClient } from '@sentrail/lib/elastic';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { corpus, type CorpusOptions } from './lib/corpus.js';
import { corpusSize } from './lib/corpus-size.js';
import { PipelineRig } from './lib/pipeline-rig.js';
import { rawMessages } from './lib/raw-messages.js';
import { writeResult } from './lib/report.js';

const CORPUS: CorpusOptions = { records: corpusSize(1_000_000), seed: 1 };
const RECORDS = CORPUS.records;
/** Deliveries under way at once, as many trails and agents deliver at the same time. */
const IN_FLIGHT = 4;
const POLL_MS = 2_000;
/** Searchable count not moving for this long while records are missing: something is lost, stop. */
const STALL_MS = 120_000;

const config = testConfig();
const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * The limit: the documents normalize() makes of the corpus, bulk-created into indices of their own,
 * one bulk at a time and of the normalizer's bulk size, as its writer sends them. Only the bulk
 * requests are timed: making the documents is not indexing.
 */
async function limit(elastic: ElasticClient): Promise<{ seconds: number; bulks: number }> {
  const prefix = uniqueName('bench-limit');
  await installTemplates(elastic, testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix }).elasticsearch);
  const context = createContext(config.normalizer.context);
  const { maxDocuments, maxBytes } = config.normalizer.bulk;
  const receivedAt = new Date().toISOString();
  let indexing = 0;
  let bulks = 0;
  let operations: object[] = [];
  let bytes = 0;
  const send = async () => {
    const began = performance.now();
    const response = await elastic.bulk({ operations });
    indexing += seconds(began);
    if (response.errors) throw new Error('the limit loader had item errors');
    bulks++;
    operations = [];
    bytes = 0;
  };
  try {
    for (const { value, meta } of rawMessages(CORPUS)) {
      const result = normalize(value, { ...meta, origin: 'bench', receivedAt }, { context });
      if (!result.ok) throw new Error(result.error);
      const size = Buffer.byteLength(JSON.stringify(result.document));
      if (operations.length > 0 && bytes + size > maxBytes) await send();
      operations.push({ create: { _index: eventsIndexName(prefix, result.document['@timestamp']), _id: result.id } });
      operations.push(result.document);
      bytes += size;
      if (operations.length / 2 >= maxDocuments) await send();
    }
    if (operations.length > 0) await send();
    return { seconds: indexing, bulks };
  } finally {
    await dropIndexPrefix(elastic, prefix);
  }
}

/** Waits until every delivered record is searchable; throws when the count stops moving short of it. */
async function allSearchable(rig: PipelineRig): Promise<void> {
  let count = 0;
  let moved = performance.now();
  for (;;) {
    const now = await rig.searchableCount();
    if (now >= rig.expected.size) return;
    if (now > count) [count, moved] = [now, performance.now()];
    if (performance.now() - moved > STALL_MS)
      throw new Error(
        `${now} of ${rig.expected.size} records searchable, none more for ${STALL_MS / 1000} s; in flight: ${JSON.stringify(await rig.inFlight())}`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The pipeline: timed from the first delivery until the last record is searchable. */
async function pipeline() {
  const starting = performance.now();
  const rig = await PipelineRig.start();
  console.log(`pipeline: services started in ${seconds(starting).toFixed(1)} s`);
  try {
    const deliveries = corpus(CORPUS);
    const began = performance.now();
    // The workers share one generator: each takes the next delivery when it is done with its own.
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (const delivery of deliveries) await rig.deliver(delivery);
      }),
    );
    const delivered = seconds(began);
    console.log(`pipeline: ${RECORDS} records delivered in ${delivered.toFixed(1)} s`);
    await allSearchable(rig);
    const searchable = seconds(began);
    console.log(`pipeline: all searchable after ${searchable.toFixed(1)} s`);
    return {
      delivered,
      seconds: searchable,
      records: rig.expected.size,
      alerts: (await rig.alerts()).length,
      peakRssMiB: await rig.peakRssMiB(),
    };
  } finally {
    const closing = performance.now();
    await rig.close();
    console.log(`pipeline: services stopped and indices dropped in ${seconds(closing).toFixed(1)} s`);
  }
}

const elastic = createElastic(config.elasticsearch);
try {
  console.log(`corpus: ${RECORDS} records (bench/lib/corpus.ts, seed ${CORPUS.seed})`);
  const began = performance.now();
  const bulk = await limit(elastic);
  const limitPerSecond = RECORDS / bulk.seconds;
  console.log(
    `limit: ${Math.round(limitPerSecond)} documents/s in ${bulk.seconds.toFixed(1)} s of _bulk (${seconds(began).toFixed(1)} s with making the documents)`,
  );
  const measured = await pipeline();
  if (measured.records !== RECORDS) throw new Error(`${measured.records} distinct records of ${RECORDS} delivered`);
  const perSecond = RECORDS / measured.seconds;
  const ratio = perSecond / limitPerSecond;
  const path = await writeResult('pipeline', {
    corpus: { records: RECORDS, generator: `bench/lib/corpus.ts (seed ${CORPUS.seed})` },
    settings: { in_flight_deliveries: IN_FLIGHT, bulk: config.normalizer.bulk, partitions: config.kafka.partitions },
    limit: {
      what: 'plain _bulk of the same final documents, one bulk at a time, into the same node',
      seconds: bulk.seconds,
      bulks: bulk.bulks,
      records_per_second: limitPerSecond,
    },
    pipeline: {
      what: 'S3 + SQS, Wazuh alerts.json, K8s audit webhook → ingest → Kafka → normalizer → Elasticsearch (+ correlator)',
      delivery_seconds: measured.delivered,
      seconds: measured.seconds,
      records_per_second: perSecond,
      alerts_raised: measured.alerts,
    },
    summary: {
      figure: perSecond,
      unit: 'records/s',
      limit: limitPerSecond,
      ratio,
      memory: measured.peakRssMiB,
    },
  });
  console.log(
    `pipeline ${Math.round(perSecond)} records/s end to end against ${Math.round(limitPerSecond)} for _bulk alone: ratio ${ratio.toFixed(2)}; ` +
      `peak RSS ${JSON.stringify(measured.peakRssMiB)} MiB → ${path}`,
  );
} finally {
  await elastic.close();
}
