// Mapper throughput: CloudTrail records through `normalize` (parse, map, context, PCI tags,
// completeness) on one core, against JSON.parse alone of the same records in the same run, the
// floor any mapper pays. Figures go to bench/results/normalizer-mapper.json.
import { testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { cloudtrailLines } from './lib/corpus.js';
import { writeResult } from './lib/report.js';

const RECORDS = Number(process.env['BENCH_MAPPER_RECORDS'] ?? 200_000);
const ROUNDS = 3;
const AIM = 50_000;

const context = createContext(testConfig().normalizer.context);
const start = new Date('2026-11-28T00:00:00Z');
const lines = cloudtrailLines(RECORDS, 7, 1000);
const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
console.log(`corpus: ${RECORDS} CloudTrail records, ${(bytes / 2 ** 20).toFixed(1)} MiB of JSON`);

const meta = { ...MAPPER_INPUTS.cloudtrail, origin: 'bench', receivedAt: start.toISOString() };

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
  for (const line of lines) if (typeof JSON.parse(line) !== 'object') failed++;
  return failed;
});
const mapper = fastest(() => {
  let failed = 0;
  for (const line of lines) if (!normalize(line, meta, { context, now: start }).ok) failed++;
  return failed;
});
if (mapper.failed > 0) throw new Error(`${mapper.failed} of ${RECORDS} records failed to map`);

const perSecond = RECORDS / mapper.seconds;
const path = writeResult('normalizer-mapper', {
  corpus: { records: RECORDS, json_bytes: bytes, generator: 'CloudTrailGenerator(seed 7): routine + suspicious' },
  settings: { rounds: ROUNDS, cores_used: 1 },
  limit: {
    what: 'JSON.parse of the same records',
    seconds: parse.seconds,
    records_per_second: RECORDS / parse.seconds,
  },
  mapper: { what: 'normalize() of CloudTrail records', seconds: mapper.seconds, records_per_second: perSecond },
  ratio: parse.seconds / mapper.seconds,
  aim: { records_per_second_per_core: AIM, met: perSecond >= AIM },
  heap_used_mib: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
});
console.log(
  `JSON.parse ${Math.round(RECORDS / parse.seconds)} records/s, normalize ${Math.round(perSecond)} records/s per core (aim ${AIM}), ratio ${(parse.seconds / mapper.seconds).toFixed(2)} → ${path}`,
);
