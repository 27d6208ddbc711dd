// Which group an event falls in: the values of the correlation's group-by fields in its ECS
// document (CloudTrail rules test the original record, but grouping always reads ECS names such as
// user.name and source.ip). A field holding an array puts the event in a group per element, as a
// rule on an array field matches any element; an event missing a group-by field belongs to no
// group, since lumping every keyless event together would correlate strangers.

import { anyValue, type FieldPath } from '../sigma/fields.js';

export type GroupValue = string | number | boolean;

/** At most this many values per field and groups per event, so an event with huge arrays stays cheap. */
const MAX_KEYS_PER_EVENT = 16;

export interface GroupKey {
  /** Canonical text of the values, in group-by order: the group's identity and part of alert ids. */
  readonly id: string;
  readonly values: readonly GroupValue[];
}

/** The distinct string, number and boolean values at `path`, in document order; empty strings are no value. */
export function valuesAt(document: unknown, path: FieldPath): GroupValue[] {
  const values: GroupValue[] = [];
  anyValue(document, path, collect, values);
  return values;
}

function collect(value: unknown, values: GroupValue[]): boolean {
  const usable = (typeof value === 'string' && value !== '') || typeof value === 'number' || typeof value === 'boolean';
  if (usable && !values.includes(value)) values.push(value);
  // Returning true stops the walk once enough values are found.
  return values.length >= MAX_KEYS_PER_EVENT;
}

/** The groups of an event: one per combination of its group-by values, none when a field is missing. */
export function groupKeys(document: unknown, paths: readonly FieldPath[]): GroupKey[] {
  let combinations: GroupValue[][] = [[]];
  for (const path of paths) {
    const values = valuesAt(document, path);
    if (values.length === 0) return [];
    combinations = combinations
      .flatMap((combination) => values.map((value) => [...combination, value]))
      .slice(0, MAX_KEYS_PER_EVENT);
  }
  return combinations.map((values) => ({ id: JSON.stringify(values), values }));
}
