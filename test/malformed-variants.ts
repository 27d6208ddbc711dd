// Malformed variants of valid records, seeded: a field dropped, a field of the wrong type or an
// impossible date, nesting too deep, a value too long, or not an object at all. Only the variants
// the normalizer's own code refuses are kept, each with its reason: a test then checks the running
// pipeline puts each in siem.dlq with that reason. (A mutation the mappers tolerate, e.g. a Wazuh
// `agent` that is a number, is mapped without it and is not malformed by this definition.)
import { seededRandom } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import type { NormalizerContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS, type MapperName } from '@sentrail/normalizer/dist/mappers/index.js';
import { MAX_DEPTH, MAX_FIELD_CHARS, normalize } from '@sentrail/normalizer/dist/normalize.js';

export interface Variant {
  /** What was done to the record, e.g. `eventTime = 42`. */
  what: string;
  record: Record<string, unknown>;
  /** Why the normalizer refuses it. */
  reason: string;
}

const WRONG_VALUES: unknown[] = [42, true, [], {}, null, 'not-a-date', '2026-13-45T99:61:00Z'];

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { level: value };
  return value;
}

type Mutation = { what: string; apply: (record: Record<string, unknown>) => Record<string, unknown> };

function mutationsOf(record: Record<string, unknown>): Mutation[] {
  const mutations: Mutation[] = [];
  for (const key of Object.keys(record)) {
    mutations.push({
      what: `${key} dropped`,
      apply: (original) => Object.fromEntries(Object.entries(original).filter(([name]) => name !== key)),
    });
    for (const value of WRONG_VALUES)
      mutations.push({
        what: `${key} = ${JSON.stringify(value)}`,
        apply: (original) => ({ ...original, [key]: value }),
      });
    mutations.push({
      what: `${key} nested ${MAX_DEPTH + 2} levels deep`,
      apply: (original) => ({ ...original, [key]: nested(MAX_DEPTH + 2) }),
    });
    mutations.push({
      what: `${key} ${MAX_FIELD_CHARS + 1} characters long`,
      apply: (original) => ({ ...original, [key]: 'x'.repeat(MAX_FIELD_CHARS + 1) }),
    });
  }
  return mutations;
}

/**
 * `count` variants the normalizer refuses, each a random mutation of a random one of `records`;
 * `mark` is added to each (a field the mappers ignore) so its siem.dlq entry can be told apart.
 */
export function malformedVariants(
  mapper: MapperName,
  records: Record<string, unknown>[],
  {
    count,
    seed,
    context,
    mark = {},
  }: { count: number; seed: number; context: NormalizerContext; mark?: Record<string, string> },
): Variant[] {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const meta = { ...MAPPER_INPUTS[mapper], origin: 'variants', receivedAt: new Date().toISOString() };
  const variants: Variant[] = [];
  for (let tries = 0; variants.length < count; tries++) {
    if (tries > count * 50) throw new Error(`only ${variants.length} of ${count} ${mapper} variants are refused`);
    const original = pick(records);
    const { what, apply } = pick(mutationsOf(original));
    const record = { ...apply(original), ...mark };
    const result = normalize(JSON.stringify(record), meta, { context });
    if (!result.ok) variants.push({ what, record, reason: result.error });
  }
  return variants;
}
