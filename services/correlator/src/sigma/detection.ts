// The detection section of a rule: every search identifier compiled once, then the condition
// (or the OR of a list of conditions) compiled into one test over them.

import { parseCondition, type ConditionNode } from './condition.js';
import { compileItem, type EventTest } from './detection-item.js';
import { isMap } from './documents.js';
import { SigmaError, within } from './errors.js';
import { allOf, anyOf, not } from './predicates.js';

export function compileDetection(detection: Record<string, unknown>): EventTest {
  const { condition, ...searches } = detection;
  const identifiers = new Map(
    Object.entries(searches).map(([name, search]) => [name, within(`'${name}'`, () => compileSearch(search))]),
  );
  const conditions = typeof condition === 'string' ? [condition] : condition;
  if (!Array.isArray(conditions) || conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) {
    throw new SigmaError('detection.condition must be a string or a list of strings');
  }
  return anyOf(
    conditions.map((text) => within(`condition '${text}'`, () => resolve(parseCondition(text), identifiers))),
  );
}

/** A search identifier: a map of fields (AND), or a list (OR) of such maps and of keywords. */
function compileSearch(search: unknown): EventTest {
  if (isMap(search)) return compileMap(search);
  if (!Array.isArray(search) || search.length === 0) {
    throw new SigmaError('a search identifier must be a map of fields or a non-empty list');
  }
  const maps = search.filter(isMap);
  const keywords = search.filter((item) => !isMap(item));
  return anyOf([...maps.map(compileMap), ...(keywords.length > 0 ? [compileItem('', keywords).test] : [])]);
}

function compileMap(map: Record<string, unknown>): EventTest {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaError('a map of fields is empty');
  const items = entries.map(([key, value]) => within(`'${key}'`, () => compileItem(key, value)));
  // AND has no side effects, so cheap items go first: most events fail on them.
  return allOf(items.sort((a, b) => a.cost - b.cost).map((item) => item.test));
}

function resolve(node: ConditionNode, identifiers: ReadonlyMap<string, EventTest>): EventTest {
  switch (node.type) {
    case 'and':
      return allOf(node.operands.map((operand) => resolve(operand, identifiers)));
    case 'or':
      return anyOf(node.operands.map((operand) => resolve(operand, identifiers)));
    case 'not':
      return not(resolve(node.operand, identifiers));
    case 'identifier': {
      const test = identifiers.get(node.name);
      if (!test) throw new SigmaError(`'${node.name}' is not a search identifier of the detection`);
      return test;
    }
    case 'of': {
      const glob = node.pattern === undefined ? undefined : globRegExp(node.pattern);
      const matching = [...identifiers].filter(([name]) => (glob ? glob.test(name) : !name.startsWith('_')));
      if (matching.length === 0) {
        throw new SigmaError(`'${node.pattern ?? 'them'}' matches no search identifier of the detection`);
      }
      const tests = matching.map(([, test]) => test);
      return node.quantifier === 'all' ? allOf(tests) : anyOf(tests);
    }
  }
}

function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[^A-Za-z0-9_*]/g, '\\$&').replaceAll('*', '.*')}$`);
}
