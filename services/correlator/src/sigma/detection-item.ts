// One entry of a selection, `field|modifier…: value or values`, compiled into a test of an event.
// A field's values are alternatives (OR) unless `all` makes them all required; an entry without a
// field name (`'|all': […]`, or a plain list of strings in a selection) searches every value in
// the event for its keywords.

import { SigmaError } from './errors.js';
import { anyScalar, anyValue, fieldPath, type FieldPath } from './fields.js';
import { applyTransforms, isAnchor, parseModifiers, type Modifiers, type ValueKind } from './modifiers.js';
import { compilePattern, parseSigmaString } from './pattern.js';
import { allOf, anyOf, not, type Predicate } from './predicates.js';
import { cidrTest, numberTest, regexTest, textOf, textTest, type ValueTest } from './values.js';

export type EventTest = Predicate<unknown>;

type Scalar = string | number | boolean | null;

/** How an item looks values up: in one field, or anywhere in the event. */
type Search = (event: unknown, test: ValueTest) => boolean;

export interface CompiledItem {
  test: EventTest;
  /** Rough cost of a test, so a selection can try cheap items first and skip the rest. */
  cost: number;
  /** Set when the item matches only if its field equals one of these strings (lower-cased): what a rule index keys on. */
  equals?: { field: string; values: string[] };
}

export function compileItem(key: string, value: unknown): CompiledItem {
  const [field = '', ...names] = key.split('|');
  const modifiers = parseModifiers(names);
  const values = scalars(value);
  if (modifiers.all && values.length < 2) throw new SigmaError("'all' needs a list of two or more values");
  const test = field === '' ? keywordTest(modifiers, values) : fieldTest(fieldPath(field), modifiers, values);
  return {
    test: modifiers.negate ? not(test) : test,
    cost: costOf(field, modifiers),
    equals: equalityOf(field, modifiers, values),
  };
}

/**
 * The same item as a test of the ECS document, when its field has a counterpart there that the
 * normalizer copies verbatim (`counterparts`, CloudTrail name → ECS name) and the item can only
 * match a value such a copy keeps: the guard that must pass before the original is worth parsing.
 * Not for negations, `exists`, `null` or field references, nor for an item an empty or null value
 * satisfies: the normalizer drops those values, so the copy would be missing where the original
 * still matches.
 */
export function compileGuard(
  key: string,
  value: unknown,
  counterparts: ReadonlyMap<string, string>,
): EventTest | undefined {
  const [field = '', ...names] = key.split('|');
  const counterpart = counterparts.get(field);
  if (counterpart === undefined) return undefined;
  const modifiers = parseModifiers(names);
  if (modifiers.negate || modifiers.kind === 'exists' || modifiers.kind === 'fieldref') return undefined;
  if (scalars(value).includes(null)) return undefined;
  const { test } = compileItem(key, value);
  const path = fieldPath(field);
  if ([null, ''].some((empty) => test(eventWith(path, empty)))) return undefined;
  return compileItem([counterpart, ...names].join('|'), value).test;
}

function eventWith(path: FieldPath, value: unknown): unknown {
  return path.reduceRight((inner, key) => ({ [key]: inner }), value);
}

function equalityOf(field: string, modifiers: Modifiers, values: Scalar[]): CompiledItem['equals'] {
  const exact =
    field !== '' &&
    modifiers.kind === 'plain' &&
    !modifiers.negate &&
    !modifiers.all &&
    modifiers.transforms.length === 0;
  if (!exact || !values.every((value) => typeof value === 'string')) return undefined;
  const literals = values.map((value) => parseSigmaString(value));
  if (!literals.every((tokens) => tokens.every((token) => typeof token === 'string'))) return undefined;
  return { field, values: literals.map((tokens) => tokens.join('').toLowerCase()) };
}

function costOf(field: string, modifiers: Modifiers): number {
  if (field === '') return KEYWORD_COST;
  return modifiers.kind === 'plain' && modifiers.transforms.length > 0 ? TRANSFORMED_COST : COST[modifiers.kind];
}

// Equality, comparisons and lookups first; then prefixes, suffixes and substrings; regular
// expressions; CIDR checks (Node's BlockList builds an address object per call); last, keyword
// searches, which walk the whole event.
const COST: Record<ValueKind, number> = {
  plain: 0,
  exists: 0,
  lt: 0,
  lte: 0,
  gt: 0,
  gte: 0,
  fieldref: 2,
  re: 3,
  cidr: 4,
};
const TRANSFORMED_COST = 1;
const KEYWORD_COST = 5;

function scalars(value: unknown): Scalar[] {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (values.length === 0) throw new SigmaError('the list of values is empty');
  for (const item of values) {
    if (item !== null && !['string', 'number', 'boolean'].includes(typeof item)) {
      throw new SigmaError('a value must be a string, a number, a boolean or null (nested fields use dotted names)');
    }
  }
  return values as Scalar[];
}

function fieldTest(path: FieldPath, modifiers: Modifiers, values: Scalar[]): EventTest {
  if (modifiers.kind === 'exists') return existsTest(path, values);
  if (modifiers.kind === 'fieldref') {
    const tests = values.map((value) => fieldRefTest(path, value, modifiers));
    return modifiers.all ? allOf(tests) : anyOf(tests);
  }
  const search: Search = (event, test) => anyValue(event, path, test, undefined);
  const missing = (event: unknown) => !anyValue(event, path, isNotNull, undefined);
  if (modifiers.all) {
    return allOf(values.map((value) => (value === null ? missing : valueSearch(search, valueTest(value, modifiers)))));
  }
  const present = values.filter((value) => value !== null);
  const matches = present.length > 0 ? [valueSearch(search, anyOf(present.map((v) => valueTest(v, modifiers))))] : [];
  // `null` in a rule: the field is absent, null, or only nulls.
  return anyOf(present.length < values.length ? [missing, ...matches] : matches);
}

function keywordTest(modifiers: Modifiers, values: Scalar[]): EventTest {
  if (modifiers.kind !== 'plain' && modifiers.kind !== 're') {
    throw new SigmaError(`'${modifiers.kind}' needs a field name; keywords search the whole event`);
  }
  // A keyword is found inside a value, as a full-text search would, unless the rule anchors it.
  const keywords =
    modifiers.kind === 'plain' && !modifiers.transforms.some(isAnchor)
      ? { ...modifiers, transforms: [...modifiers.transforms, 'contains' as const] }
      : modifiers;
  const tests = values.map((value) => {
    if (value === null) throw new SigmaError('a keyword cannot be null');
    return valueTest(value, keywords);
  });
  const search: Search = (event, test) => anyScalar(event, test);
  return modifiers.all ? allOf(tests.map((test) => valueSearch(search, test))) : valueSearch(search, anyOf(tests));
}

function valueSearch(search: Search, test: ValueTest): EventTest {
  return (event) => search(event, test);
}

function valueTest(value: string | number | boolean, modifiers: Modifiers): ValueTest {
  switch (modifiers.kind) {
    case 're':
      return regexTest(String(value), modifiers.regexFlags);
    case 'cidr':
      return cidrTest(String(value));
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      if (typeof value !== 'number') throw new SigmaError(`'${modifiers.kind}' needs a number, not '${value}'`);
      return numberTest(modifiers.kind, value);
    default:
      if (typeof value === 'number' && modifiers.transforms.length === 0) return numberTest('eq', value);
      return textTest(
        anyOf(
          applyTransforms(parseSigmaString(String(value)), modifiers.transforms).map((tokens) =>
            compilePattern(tokens, modifiers.cased),
          ),
        ),
      );
  }
}

function existsTest(path: FieldPath, values: Scalar[]): EventTest {
  const [expected] = values;
  if (values.length !== 1 || typeof expected !== 'boolean') throw new SigmaError("'exists' needs true or false");
  // Presence only, as the specification says: a field holding null exists.
  return (event) => anyValue(event, path, isAnything, undefined) === expected;
}

/** `fieldref`: the field equals (or contains, starts or ends with) another field of the same event. */
function fieldRefTest(path: FieldPath, value: Scalar, modifiers: Modifiers): EventTest {
  if (typeof value !== 'string' || /[*?]/.test(value)) {
    throw new SigmaError("'fieldref' needs a field name without wildcards");
  }
  const other = fieldPath(value);
  const fold = modifiers.cased ? (text: string) => text : (text: string) => text.toLowerCase();
  const compare = referenceComparison(modifiers);
  const matchesReference = (candidate: unknown, text: string) => {
    const reference = textOf(candidate);
    return reference !== undefined && compare(text, fold(reference));
  };
  const matchesField = (candidate: unknown, event: unknown) => {
    const text = textOf(candidate);
    return text !== undefined && anyValue(event, other, matchesReference, fold(text));
  };
  return (event) => anyValue(event, path, matchesField, event);
}

function referenceComparison({ transforms }: Modifiers): (text: string, reference: string) => boolean {
  const starts = transforms.includes('startswith') || transforms.includes('contains');
  const ends = transforms.includes('endswith') || transforms.includes('contains');
  if (starts && ends) return (text, reference) => text.includes(reference);
  if (starts) return (text, reference) => text.startsWith(reference);
  if (ends) return (text, reference) => text.endsWith(reference);
  return (text, reference) => text === reference;
}

function isNotNull(value: unknown): boolean {
  return value !== null;
}

function isAnything(): boolean {
  return true;
}
