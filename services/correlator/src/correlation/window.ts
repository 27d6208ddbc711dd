// What a group keeps of its recent events, by correlation type, and the number its condition is
// tested on. Every window holds only events within the timespan of the group's newest event, and
// a bounded number of them.

import { keepFor } from './condition.js';
import { DistinctWindow } from './distinct-window.js';
import { EventWindow } from './event-window.js';
import type { GroupValue } from './group-key.js';
import type { Occurrence } from './occurrence.js';
import type { CompiledCorrelation } from './rule.js';
import { TemporalWindow } from './temporal-window.js';

export interface Window {
  /** `rules`: indexes of the correlation's rules the event matched; `values`: its values of the counted field. */
  add(occurrence: Occurrence, rules: readonly number[], values: readonly GroupValue[]): void;
  /** Forgets events older than `cutoff`. */
  evict(cutoff: number): void;
  /** The count the condition is tested on. */
  measure(): number;
  /** The time of the earliest event kept. */
  first(): number;
  /** The ids of the events kept, in event order, at most `limit` of them, and how many there are. */
  evidence(limit: number): { ids: string[]; count: number };
}

export function createWindow(correlation: CompiledCorrelation): Window {
  switch (correlation.type) {
    case 'event_count':
      return new EventWindow(keepFor(correlation.condition));
    case 'value_count':
      return new DistinctWindow(keepFor(correlation.condition));
    case 'temporal':
    case 'temporal_ordered':
      return new TemporalWindow(correlation.rules.length, correlation.type === 'temporal_ordered');
  }
}
