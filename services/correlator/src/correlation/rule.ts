// A Sigma correlation rule (correlation specification v2.0.2), checked and compiled against the
// detection rules that loaded. What the engine cannot honour is refused here, with the
// correlation's id and the reason: an unknown type, a bad timespan or condition, a reference to
// a rule that is not loaded. A correlation may refer to other correlations (chaining): what they
// raise counts as an event of theirs; a chain through a refused correlation, or a cycle, is refused.

import { isMap } from '../sigma/documents.js';
import { SigmaError } from '../sigma/errors.js';
import { fieldPath } from '../sigma/fields.js';
import type { CorrelationDocument, RefusedRule } from '../sigma/load.js';
import { LEVELS, type Level } from '@sentrail/lib/alerts/alert';
import { countRange, keepFor, type CountRange } from './condition.js';

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

/** The largest count a condition may need a group to keep: a bound on the memory of each group. */
export const MAX_COUNT = 1000;

const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const MAX_TITLE = 256;
const TIMESPAN = /^([1-9][0-9]{0,8})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const CORRELATION_KEYS = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases']);

export interface CompiledCorrelation {
  readonly id: string;
  readonly name?: string;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly type: CorrelationType;
  /** The referenced detection rules' and correlations' ids, in the order listed (the order temporal_ordered wants). */
  readonly rules: readonly string[];
  /** The group-by names as written: ECS field names, or aliases. They name the alert's group key. */
  readonly groupBy: readonly string[];
  /** Per rule (same order as `rules`), the ECS field each group-by name is read from in its events. */
  readonly groupFields: readonly (readonly string[])[];
  /** Milliseconds. */
  readonly timespan: number;
  /** For temporal types without a condition: every listed rule. */
  readonly condition: CountRange;
  /** value_count: the ECS field whose distinct values are counted. */
  readonly field?: string;
  /** Whether the referenced rules should also alert on their own; Sigma's default is not. */
  readonly generate: boolean;
}

/** What a correlation needs to know of a loaded detection rule. */
export interface DetectionRuleRef {
  readonly id: string;
  readonly name?: string;
}

export interface CompiledCorrelations {
  correlations: CompiledCorrelation[];
  refused: RefusedRule[];
}

/** `5m`, `1h`, `30s`, `1d` in milliseconds; throws SigmaError otherwise. */
export function parseTimespan(value: unknown): number {
  const match = typeof value === 'string' ? TIMESPAN.exec(value) : null;
  if (match === null) throw new SigmaError("'timespan' must be a number and one of s, m, h, d, e.g. 5m");
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * Compiles every correlation document; those refused are listed with file, id and reason and the
 * others still load. `rules` are the detection rules that loaded (a refused one cannot be referenced).
 */
export function compileCorrelations(
  documents: readonly CorrelationDocument[],
  rules: readonly DetectionRuleRef[],
): CompiledCorrelations {
  const references = new References(rules, documents);
  const compiled: CompiledCorrelations = { correlations: [], refused: [] };
  const idFiles = new Map<string, string>();
  for (const { file, document } of documents) {
    const id = typeof document.id === 'string' && document.id !== '' ? document.id : undefined;
    try {
      const earlier = id === undefined ? undefined : idFiles.get(id);
      if (earlier !== undefined) throw new SigmaError(`the id is already the id of a correlation in ${earlier}`);
      compiled.correlations.push(compile(document, references));
      if (id !== undefined) idFiles.set(id, file);
    } catch (error) {
      if (!(error instanceof SigmaError)) throw error;
      compiled.refused.push({ file, id, reason: error.message });
    }
  }
  return chained(compiled, references, idFiles);
}

/**
 * The compiled correlations in chain order, each after those it refers to; a correlation whose
 * chain reaches a refused or cyclic one is refused too, naming it.
 */
function chained(
  { correlations, refused }: CompiledCorrelations,
  references: References,
  files: ReadonlyMap<string, string>,
): CompiledCorrelations {
  const byId = new Map(correlations.map((correlation) => [correlation.id, correlation]));
  const ordered: CompiledCorrelation[] = [];
  const placed = new Set<string>();
  const refusedIds = new Map<string, string>();
  // Depth-first: `path` holds the correlations being placed, so meeting one of them again is a cycle.
  const place = (correlation: CompiledCorrelation, path: string[]): string | undefined => {
    if (placed.has(correlation.id)) return undefined;
    const known = refusedIds.get(correlation.id);
    if (known !== undefined) return known;
    if (path.includes(correlation.id))
      return `the chain of correlations loops: ${[...path, correlation.id].join(' → ')}`;
    for (const reference of correlation.rules.filter((rule) => references.isCorrelationId(rule))) {
      const referenced = byId.get(reference);
      const problem = referenced
        ? place(referenced, [...path, correlation.id])
        : `it refers to correlation '${reference}', which was refused`;
      if (problem !== undefined) {
        refusedIds.set(correlation.id, problem);
        return problem;
      }
    }
    placed.add(correlation.id);
    ordered.push(correlation);
    return undefined;
  };
  for (const correlation of correlations) place(correlation, []);
  // In the order of the files, as the other refusals are.
  const chainRefusals = correlations
    .filter(({ id }) => refusedIds.has(id))
    .map(({ id }) => ({ file: files.get(id)!, id, reason: refusedIds.get(id)! }));
  return { correlations: ordered, refused: [...refused, ...chainRefusals] };
}

/** Resolves a correlation's `rules` entries, ids or names, to detection rule or correlation ids. */
class References {
  private readonly ids = new Set<string>();
  /** Name → id; undefined when several rules share the name. */
  private readonly names = new Map<string, string | undefined>();
  /** Correlation id or name → its id; undefined when several correlations share the name. */
  private readonly correlations = new Map<string, string | undefined>();
  private readonly correlationIds = new Set<string>();

  constructor(rules: readonly DetectionRuleRef[], documents: readonly CorrelationDocument[]) {
    for (const rule of rules) {
      this.ids.add(rule.id);
      if (rule.name !== undefined) this.names.set(rule.name, this.names.has(rule.name) ? undefined : rule.id);
    }
    for (const { document } of documents) {
      if (typeof document.id !== 'string' || document.id === '') continue;
      this.correlationIds.add(document.id);
      this.correlations.set(document.id, document.id);
      if (typeof document.name === 'string')
        this.correlations.set(document.name, this.correlations.has(document.name) ? undefined : document.id);
    }
  }

  isRuleId(id: string): boolean {
    return this.ids.has(id);
  }

  isCorrelationId(id: string): boolean {
    return this.correlationIds.has(id) && !this.ids.has(id);
  }

  resolve(reference: string): string {
    if (this.ids.has(reference)) return reference;
    if (this.names.has(reference)) {
      const id = this.names.get(reference);
      if (id === undefined) throw new SigmaError(`rule name '${reference}' is the name of several detection rules`);
      return id;
    }
    if (this.correlations.has(reference)) {
      const id = this.correlations.get(reference);
      if (id === undefined) throw new SigmaError(`'${reference}' is the name of several correlations`);
      return id;
    }
    throw new SigmaError(`'${reference}' is not the id or name of a loaded detection rule or correlation`);
  }
}

function compile(document: Record<string, unknown>, references: References): CompiledCorrelation {
  const title = requiredString(document, 'title');
  if (title.length > MAX_TITLE) throw new SigmaError(`'title' is longer than ${MAX_TITLE} characters`);
  // Optional in Sigma, but alert ids and the alert's rule are built on it.
  const id = requiredString(document, 'id');
  if (references.isRuleId(id)) throw new SigmaError('the id is already the id of a detection rule');
  if (document.status === 'unsupported') throw new SigmaError("the rule's status is 'unsupported'");
  // As for detection rules: an alert needs a severity, and guessing one would misroute it.
  const level = document.level;
  if (!(LEVELS as readonly unknown[]).includes(level))
    throw new SigmaError(`'level' must be one of ${LEVELS.join(', ')}`);
  const tags = stringList(document.tags, 'tags') ?? [];
  const badTag = tags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) throw new SigmaError(`tag '${badTag}' is not a lower-case 'namespace.name'`);
  const name = document.name;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new SigmaError("'name' must be a non-empty string");
  }
  const generate = document.generate ?? false;
  if (typeof generate !== 'boolean') throw new SigmaError("'generate' must be true or false");

  const correlation = document.correlation;
  if (!isMap(correlation)) throw new SigmaError("'correlation' must be a map");
  const unknown = Object.keys(correlation).find((key) => !CORRELATION_KEYS.has(key));
  if (unknown !== undefined) throw new SigmaError(`'correlation.${unknown}' is not a correlation key`);
  const type = correlation.type;
  if (!(CORRELATION_TYPES as readonly unknown[]).includes(type)) {
    throw new SigmaError(`'correlation.type' must be one of ${CORRELATION_TYPES.join(', ')}`);
  }
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const listed = stringList(correlation.rules, 'correlation.rules');
  if (listed === undefined || listed.length === 0) throw new SigmaError("'correlation.rules' must list rules");
  if (temporal && listed.length < 2) throw new SigmaError(`a ${type as string} correlation needs at least 2 rules`);
  const rules = listed.map((reference) => references.resolve(reference));
  const repeated = rules.find((rule, index) => rules.indexOf(rule) !== index);
  if (repeated !== undefined) throw new SigmaError(`'correlation.rules' lists rule '${repeated}' twice`);
  const groupBy = stringList(correlation['group-by'], 'correlation.group-by');
  if (groupBy === undefined) throw new SigmaError("'correlation.group-by' is missing");
  if (new Set(groupBy).size !== groupBy.length) throw new SigmaError("'correlation.group-by' repeats a field");
  const timespan = parseTimespan(correlation.timespan);
  const { condition, field } = compileCondition(type as CorrelationType, correlation.condition, rules.length);
  const groupFields = aliasedFields(correlation.aliases, groupBy, listed, rules, references);
  return {
    id,
    name,
    title,
    level: level as Level,
    tags,
    type: type as CorrelationType,
    rules,
    groupBy,
    groupFields,
    timespan,
    condition,
    field,
    generate,
  };
}

function compileCondition(
  type: CorrelationType,
  condition: unknown,
  ruleCount: number,
): { condition: CountRange; field?: string } {
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  // The specification makes the condition optional for temporal types: every rule must match.
  if (temporal && condition === undefined) return { condition: { min: ruleCount, max: Infinity } };
  if (!isMap(condition)) throw new SigmaError("'correlation.condition' must be a map of gt, gte, lt, lte, eq");
  const range = countRange(condition);
  const field = condition.field;
  if (type !== 'value_count') {
    if (field !== undefined) throw new SigmaError("'condition.field' only applies to value_count");
  } else if (typeof field !== 'string' || field === '') {
    throw new SigmaError("a value_count correlation needs 'condition.field', the one field whose values it counts");
  } else {
    fieldPath(field);
  }
  if (temporal && range.min > ruleCount) {
    throw new SigmaError(`'condition' can never be met: it asks for more than the ${ruleCount} listed rules`);
  }
  if (!temporal && keepFor(range) > MAX_COUNT) {
    throw new SigmaError(`'condition' bounds must stay below ${MAX_COUNT}, the most a group keeps`);
  }
  return { condition: range, field: typeof field === 'string' ? field : undefined };
}

/**
 * Per rule, the field each group-by name is read from: the name itself, or, for an alias, the
 * field the alias gives for that rule. Aliases may name rules by id or name; an alias used in
 * group-by must give a field for every listed rule, since an event without its key cannot be grouped.
 */
function aliasedFields(
  aliases: unknown,
  groupBy: readonly string[],
  listed: readonly string[],
  rules: readonly string[],
  references: References,
): string[][] {
  const byAlias = new Map<string, Map<string, string>>();
  if (aliases !== undefined) {
    if (!isMap(aliases)) throw new SigmaError("'correlation.aliases' must be a map of alias to {rule: field}");
    for (const [alias, fields] of Object.entries(aliases)) {
      if (!isMap(fields)) throw new SigmaError(`alias '${alias}' must be a map of rule to field`);
      const perRule = new Map<string, string>();
      for (const [reference, field] of Object.entries(fields)) {
        const rule = references.resolve(reference);
        if (!rules.includes(rule))
          throw new SigmaError(`alias '${alias}' names rule '${reference}', which is not listed`);
        if (typeof field !== 'string')
          throw new SigmaError(`alias '${alias}' must give a field name for '${reference}'`);
        fieldPath(field);
        perRule.set(rule, field);
      }
      byAlias.set(alias, perRule);
    }
  }
  return rules.map((rule, index) =>
    groupBy.map((name) => {
      const perRule = byAlias.get(name);
      if (perRule === undefined) {
        fieldPath(name);
        return name;
      }
      const field = perRule.get(rule);
      if (field === undefined) throw new SigmaError(`alias '${name}' gives no field for rule '${listed[index]}'`);
      return field;
    }),
  );
}

function requiredString(document: Record<string, unknown>, key: string): string {
  const value = document[key];
  if (typeof value !== 'string' || value === '') throw new SigmaError(`'${key}' must be a non-empty string`);
  return value;
}

function stringList(value: unknown, key: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new SigmaError(`'${key}' must be a list of non-empty strings`);
  }
  return value as string[];
}
