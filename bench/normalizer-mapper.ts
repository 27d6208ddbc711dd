// Mapper throughput: the corpus's records (CloudTrail, Wazuh, Kubernetes audit) through `normalize`
// (parse, map, context, PCI tags, completeness) on one core, against JSON.parse alone of the same
// records in the same run, the floor any mapper pays. Figures go to bench/results/normalizer-mapper.json.
import { testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { corpusSize } from './lib/corpus-size.js';
import { rawMessages } from './lib/raw-messages.js';
import { writeResult } from './lib/report.js';

const RECORDS = corpusSize(200_000);
const SEED = 7;
const ROUNDS = 3;
const AIM = 50_000;

const context = createContext(testConfig().normalizer.context);
const now = new Date('2026-11-28T00:00:00Z');
const messages = [...rawMessages({ records: RECORDS, seed: SEED })].map(({ value, meta }) => ({
  value,
  meta: { ...meta, origin: 'bench', receivedAt: now.toISOString() },
}));
const bytes = messages.reduce((sum, { value }) => sum + Buffer.byteLength(value), 0);
console.log(`corpus: ${RECORDS} records, ${(bytes / 2 ** 20).toFixed(1)} MiB of JSON`);

/** The best of a few rounds: the least disturbed by the rest of the machine. */
function fastest(run: () => number): { seconds: number; failed: number } {
  let best = { seconds: Infinity, failed: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const began = performance.now();
    const failed = run();
    const seconds = (performance.now() - began) / 1000;
    if (seconds < best.seconds) best = { seconds, failed };
  }
  return best;
}

const parse = fastest(() => {
  let failed = 0;
  for (const { value } of messages) if (typeof JSON.parse(value) !== 'object') failed++;
  return failed;
});
const mapper = fastest(() => {
  let failed = 0;
  for (const { value, meta } of messages) if (!normalize(value, meta, { context, now }).ok) failed++;
  return failed;
});
if (mapper.failed > 0) throw new Error(`${mapper.failed} of ${RECORDS} records failed to map`);

const perSecond = RECORDS / mapper.seconds;
const limitPerSecond = RECORDS / parse.seconds;
const path = await writeResult('normalizer-mapper', {
  corpus: { records: RECORDS, json_bytes: bytes, generator: `bench/lib/corpus.ts (seed ${SEED})` },
  settings: { rounds: ROUNDS, cores_used: 1 },
  limit: { what: 'JSON.parse of the same records', seconds: parse.seconds, records_per_second: limitPerSecond },
  mapper: { what: 'normalize() of the records', seconds: mapper.seconds, records_per_second: perSecond },
  heap_used_mib: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  summary: {
    figure: perSecond,
    unit: 'records/s per core',
    limit: limitPerSecond,
    ratio: perSecond / limitPerSecond,
    aim: `≥ ${AIM / 1000}k records/s per core`,
    met: perSecond >= AIM,
  },
});
console.log(
  `JSON.parse ${Math.round(limitPerSecond)} records/s, normalize ${Math.round(perSecond)} records/s per core (aim ${AIM}), ratio ${(perSecond / limitPerSecond).toFixed(2)} → ${path}`,
);
