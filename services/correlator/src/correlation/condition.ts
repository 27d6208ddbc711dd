// A correlation's condition as the range of counts it accepts. Sigma allows one bound or several
// joined by AND (`gt: 100` with `lte: 200`), so every condition is a range of whole numbers;
// a range no count can fall in is refused rather than loaded as a rule that never fires.

import { SigmaError } from '../sigma/errors.js';

/** Inclusive bounds; `max` is Infinity when the condition has no upper bound. */
export interface CountRange {
  readonly min: number;
  readonly max: number;
}

const BOUNDS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
type Bound = (typeof BOUNDS)[number];

/** The range of a condition map; keys other than the bounds (`field`) are the caller's to check. */
export function countRange(condition: Record<string, unknown>): CountRange {
  let min = 0;
  let max = Infinity;
  let bounded = false;
  for (const bound of BOUNDS) {
    const value = condition[bound];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new SigmaError(`'condition.${bound}' must be a whole number, 0 or more`);
    }
    bounded = true;
    [min, max] = narrow(bound, value, min, max);
  }
  if (!bounded) throw new SigmaError(`'condition' needs one of ${BOUNDS.join(', ')}`);
  if (min > max) throw new SigmaError("'condition' can never be met: its bounds exclude every count");
  return { min, max };
}

function narrow(bound: Bound, value: number, min: number, max: number): [number, number] {
  switch (bound) {
    case 'gt':
      return [Math.max(min, value + 1), max];
    case 'gte':
      return [Math.max(min, value), max];
    case 'lt':
      return [min, Math.min(max, value - 1)];
    case 'lte':
      return [min, Math.min(max, value)];
    case 'eq':
      return [Math.max(min, value), Math.min(max, value)];
  }
}

export function inRange(range: CountRange, count: number): boolean {
  return count >= range.min && count <= range.max;
}

/**
 * How many events or values a group must keep for the condition to judge a window exactly: once
 * a window holds more than `max` (or at least `min`), more cannot change the verdict, so a group
 * keeps no more than that, whatever the flood.
 */
export function keepFor(range: CountRange): number {
  return Math.max(1, range.min, range.max === Infinity ? 0 : range.max + 1);
}
