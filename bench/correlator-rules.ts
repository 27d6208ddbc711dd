// Detection throughput: the corpus's records, normalized, through the correlator's Detector with the
// whole rules/ pack plus 50 generated rules of the same shapes (exact, contains, startswith,
// endswith, regex, CIDR, ECS rules), on one core; and the memory of one million distinct group keys
// in a correlation window. Figures go to bench/results/correlator-rules.json.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '@sentrail/correlator/dist/detector.js';
import { loadRulePack } from '@sentrail/correlator/dist/rule-pack.js';
import { CorrelationEngine } from '@sentrail/correlator/dist/correlation/engine.js';
import { compileCorrelations } from '@sentrail/correlator/dist/correlation/rule.js';
import { REPO_ROOT, testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { corpusSize } from './lib/corpus-size.js';
import { rawMessages } from './lib/raw-messages.js';
import { writeResult } from './lib/report.js';

const EVENTS = corpusSize(100_000);
const SEED = 13;
const GROUPS = Number(process.env['BENCH_CORRELATOR_GROUPS'] ?? 1_000_000);
const AIM = 100_000;

/** 50 rules like the pack's, none of which the corpus's routine activity triggers. */
function generatedRules(folder: string): void {
  const shapes = [
    (i: number) => `eventName: GeneratedAction${i}`,
    (i: number) => `eventName|contains: Phantom${i}`,
    (i: number) => `eventName|startswith: Zz${i}`,
    (i: number) => `userAgent|endswith: 'generated-agent/${i}'`,
    (i: number) => `eventSource|re: '^gen${i}\\.[a-z]+\\.amazonaws\\.com$'`,
    (i: number) => `sourceIPAddress|cidr: 192.0.2.${i}/32`,
  ];
  for (let i = 0; i < 50; i++) {
    const ecs = i % 7 === 6;
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const logsource = ecs ? '{ product: kubernetes, service: audit }' : '{ product: aws, service: cloudtrail }';
    const selection = ecs ? `event.action: generated-${i}` : shapes[i % shapes.length]!(i);
    writeFileSync(
      join(folder, `generated_${i}.yml`),
      `title: Generated ${i}\nid: ${id}\nlevel: low\nlogsource: ${logsource}\ndetection:\n  selection:\n    ${selection}\n  filter:\n    userIdentity.type: AWSService\n  condition: selection and not filter\n`,
    );
  }
}

const pack = await loadRulePack(join(REPO_ROOT, 'rules'));
const folder = mkdtempSync(join(tmpdir(), 'sentrail-bench-rules-'));
generatedRules(folder);
const generated = await loadRulePack(folder);
if (pack.refused.length + generated.refused.length > 0) throw new Error('rules refused');
const all = { ...pack, rules: [...pack.rules, ...generated.rules] };

const context = createContext(testConfig().normalizer.context);
const receivedAt = new Date().toISOString();
const documents = [...rawMessages({ records: EVENTS, seed: SEED })].map(({ value, meta }) => {
  const result = normalize(value, { ...meta, origin: 'bench', receivedAt }, { context });
  if (!result.ok) throw new Error(result.error);
  return result;
});
console.log(
  `corpus: ${EVENTS} normalized documents; ${all.rules.length} detection and ${all.correlations.length} correlation rules`,
);

/** Fresh document objects per round: the parse of event.original is cached per object, as it is per message. */
const copies = () => documents.map(({ id, document }) => ({ id, document: { ...document } }));
let best = Infinity;
let detections = 0;
for (let round = 0; round < 3; round++) {
  const detector = new Detector(all);
  const input = copies();
  const began = performance.now();
  detections = 0;
  for (const { id, document } of input) detections += detector.detect(id, document).length;
  best = Math.min(best, (performance.now() - began) / 1000);
}

// One million distinct keys in one event_count window: the memory the groups take.
const [correlation] = compileCorrelations(
  [
    {
      file: 'bench.yml',
      document: {
        title: 'Bench',
        id: '00000000-0000-4000-8000-100000000000',
        level: 'low',
        correlation: {
          type: 'event_count',
          rules: [pack.rules[0]!.id],
          'group-by': ['user.name'],
          timespan: '1h',
          condition: { gte: 5 },
        },
      },
    },
  ],
  pack.rules,
).correlations;
global.gc?.();
const before = process.memoryUsage().heapUsed;
const engine = new CorrelationEngine([correlation!], { maxGroups: GROUPS });
const start = Date.parse('2026-11-28T00:00:00Z');
for (let i = 0; i < GROUPS; i++)
  engine.process(`e${i}`, { user: { name: `user-${i}` } }, [pack.rules[0]!.id], start + i);
global.gc?.();
const groupsMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;

const perSecond = EVENTS / best;
const path = await writeResult('correlator-rules', {
  corpus: { records: EVENTS, generator: `bench/lib/corpus.ts (seed ${SEED}), normalized` },
  rules: { detection: all.rules.length, correlation: all.correlations.length, generated: generated.rules.length },
  detector: { seconds: best, events_per_second: perSecond, detections },
  groups: {
    keys: GROUPS,
    tracked: engine.trackedGroups(),
    heap_mib: Math.round(groupsMiB),
    bytes_per_group: Math.round((groupsMiB * 2 ** 20) / GROUPS),
  },
  summary: {
    figure: perSecond,
    unit: 'events/s per core',
    aim: `≥ ${AIM / 1000}k events/s per core`,
    met: perSecond >= AIM,
  },
});
console.log(
  `${Math.round(perSecond)} events/s per core through ${all.rules.length + all.correlations.length} rules (aim ${AIM}); ${GROUPS} group keys: ${Math.round(groupsMiB)} MiB → ${path}`,
);
