// The window of a value_count correlation: per distinct value of the counted field, the latest
// event that carried it within the timespan. Repeats of a value take no more room, so a group
// holds at most `keep` values (beyond which the verdict cannot change); when a new value would
// exceed that, the value seen longest ago goes.

import type { GroupValue } from './group-key.js';
import { evidenceOf, precedes, type Occurrence } from './occurrence.js';
import type { Window } from './window.js';

export class DistinctWindow implements Window {
  private readonly latest = new Map<string, Occurrence>();
  /** No value is older than this; a scan is needed only when the cutoff passes it. */
  private oldest = Infinity;

  constructor(private readonly keep: number) {}

  add(occurrence: Occurrence, _rules: readonly number[], values: readonly GroupValue[]): void {
    for (const value of values) {
      // JSON keeps 1 and "1" apart.
      const key = JSON.stringify(value);
      const known = this.latest.get(key);
      if (known !== undefined && !precedes(known, occurrence)) continue;
      if (known === undefined && this.latest.size >= this.keep) this.dropOldest();
      this.latest.set(key, occurrence);
      this.oldest = Math.min(this.oldest, occurrence.time);
    }
  }

  evict(cutoff: number): void {
    if (this.oldest >= cutoff) return;
    this.oldest = Infinity;
    for (const [key, occurrence] of this.latest) {
      if (occurrence.time < cutoff) this.latest.delete(key);
      else this.oldest = Math.min(this.oldest, occurrence.time);
    }
  }

  measure(): number {
    return this.latest.size;
  }

  first(): number {
    let first = Infinity;
    for (const { time } of this.latest.values()) first = Math.min(first, time);
    return first;
  }

  evidence(limit: number): { ids: string[]; count: number } {
    return evidenceOf([...this.latest.values()], limit);
  }

  private dropOldest(): void {
    let oldest: [string, Occurrence] | undefined;
    for (const entry of this.latest) if (oldest === undefined || precedes(entry[1], oldest[1])) oldest = entry;
    if (oldest !== undefined) this.latest.delete(oldest[0]);
  }
}
