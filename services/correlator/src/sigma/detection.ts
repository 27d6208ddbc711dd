// The detection section of a rule: every search identifier compiled once, then the condition
// (or the OR of a list of conditions) compiled into one test over them. Beside the test, what the
// condition implies, so that the detector can skip rules without running them: the fields that
// must equal one of a few strings for the rule to match (for the rule index), and for a rule on
// CloudTrail originals a guard, a test of the ECS document that any match passes (so the original
// is parsed only for events that pass it).

import { parseCondition, type ConditionNode } from './condition.js';
import { compileGuard, compileItem, type EventTest } from './detection-item.js';
import { isMap } from './documents.js';
import { SigmaError, within } from './errors.js';
import { allOf, anyOf, not } from './predicates.js';

/** Field → the lower-cased strings one of which it must equal whenever the rule matches. */
export type Equalities = ReadonlyMap<string, ReadonlySet<string>>;

export interface CompiledDetection {
  test: EventTest;
  equalities: Equalities;
  /** A test of the ECS document every match passes; only with `counterparts`, and only when the condition implies one. */
  guard?: EventTest;
}

const NONE: Equalities = new Map();

/** `counterparts`: for rules on originals, the fields the ECS document holds verbatim (original name → ECS name). */
export function compileDetection(
  detection: Record<string, unknown>,
  counterparts: ReadonlyMap<string, string> = new Map(),
): CompiledDetection {
  const { condition, ...searches } = detection;
  const identifiers = new Map(
    Object.entries(searches).map(([name, search]) => [
      name,
      within(`'${name}'`, () => compileSearch(search, counterparts)),
    ]),
  );
  const conditions = typeof condition === 'string' ? [condition] : condition;
  if (!Array.isArray(conditions) || conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) {
    throw new SigmaError('detection.condition must be a string or a list of strings');
  }
  return either(
    conditions.map((text) => within(`condition '${text}'`, () => resolve(parseCondition(text), identifiers))),
  );
}

/** A search identifier: a map of fields (AND), or a list (OR) of such maps and of keywords. */
function compileSearch(search: unknown, counterparts: ReadonlyMap<string, string>): CompiledDetection {
  if (isMap(search)) return compileMap(search, counterparts);
  if (!Array.isArray(search) || search.length === 0) {
    throw new SigmaError('a search identifier must be a map of fields or a non-empty list');
  }
  const maps = search.filter(isMap);
  const keywords = search.filter((item) => !isMap(item));
  const keywordSearches = keywords.length > 0 ? [{ test: compileItem('', keywords).test, equalities: NONE }] : [];
  return either([...maps.map((map) => compileMap(map, counterparts)), ...keywordSearches]);
}

function compileMap(map: Record<string, unknown>, counterparts: ReadonlyMap<string, string>): CompiledDetection {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaError('a map of fields is empty');
  const items = entries.map(([key, value]) =>
    within(`'${key}'`, () => ({ ...compileItem(key, value), guard: compileGuard(key, value, counterparts) })),
  );
  // AND has no side effects, so cheap items go first: most events fail on them.
  return both(
    items
      .sort((a, b) => a.cost - b.cost)
      .map(({ test, equals, guard }) => ({
        test,
        equalities: equals ? new Map([[equals.field, new Set(equals.values)]]) : NONE,
        guard,
      })),
  );
}

function resolve(node: ConditionNode, identifiers: ReadonlyMap<string, CompiledDetection>): CompiledDetection {
  switch (node.type) {
    case 'and':
      return both(node.operands.map((operand) => resolve(operand, identifiers)));
    case 'or':
      return either(node.operands.map((operand) => resolve(operand, identifiers)));
    case 'not':
      return { test: not(resolve(node.operand, identifiers).test), equalities: NONE };
    case 'identifier': {
      const search = identifiers.get(node.name);
      if (!search) throw new SigmaError(`'${node.name}' is not a search identifier of the detection`);
      return search;
    }
    case 'of': {
      const glob = node.pattern === undefined ? undefined : globRegExp(node.pattern);
      const matching = [...identifiers].filter(([name]) => (glob ? glob.test(name) : !name.startsWith('_')));
      if (matching.length === 0) {
        throw new SigmaError(`'${node.pattern ?? 'them'}' matches no search identifier of the detection`);
      }
      const searches = matching.map(([, search]) => search);
      return node.quantifier === 'all' ? both(searches) : either(searches);
    }
  }
}

/** AND: every operand's equalities and guards hold, and a field two of them constrain takes a value both allow. */
function both(operands: readonly CompiledDetection[]): CompiledDetection {
  const equalities = new Map<string, ReadonlySet<string>>();
  for (const operand of operands) {
    for (const [field, values] of operand.equalities) {
      const known = equalities.get(field);
      equalities.set(field, known ? new Set([...known].filter((value) => values.has(value))) : values);
    }
  }
  const guards = operands.flatMap(({ guard }) => (guard ? [guard] : []));
  return {
    test: allOf(operands.map(({ test }) => test)),
    equalities,
    guard: guards.length > 0 ? allOf(guards) : undefined,
  };
}

/** OR: only a field every operand constrains stays constrained, to any value one of them allows; a guard only if each has one. */
function either(operands: readonly CompiledDetection[]): CompiledDetection {
  const [first, ...rest] = operands.map(({ equalities }) => equalities);
  const equalities = new Map<string, ReadonlySet<string>>();
  for (const [field, values] of first ?? NONE) {
    if (rest.every((other) => other.has(field))) {
      equalities.set(field, new Set([...values, ...rest.flatMap((other) => [...other.get(field)!])]));
    }
  }
  const guards = operands.flatMap(({ guard }) => (guard ? [guard] : []));
  const guard = guards.length === operands.length ? anyOf(guards) : undefined;
  return { test: anyOf(operands.map(({ test }) => test)), equalities, guard };
}

function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[^A-Za-z0-9_*]/g, '\\$&').replaceAll('*', '.*')}$`);
}
