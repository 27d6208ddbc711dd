// The events of a group within the timespan, in event order, keeping at most `keep` of the newest:
// the window of an event_count correlation (its count is the number kept) and, per rule, of the
// temporal ones. Events come mostly in order, so inserting scans from the end.

import { evidenceOf, precedes, type Occurrence } from './occurrence.js';
import type { Window } from './window.js';

export class EventWindow implements Window {
  private readonly events: Occurrence[] = [];

  constructor(private readonly keep: number) {}

  add(occurrence: Occurrence): void {
    let index = this.events.length;
    while (index > 0 && precedes(occurrence, this.events[index - 1]!)) index--;
    this.events.splice(index, 0, occurrence);
    if (this.events.length > this.keep) this.events.shift();
  }

  evict(cutoff: number): void {
    let expired = 0;
    while (expired < this.events.length && this.events[expired]!.time < cutoff) expired++;
    if (expired > 0) this.events.splice(0, expired);
  }

  measure(): number {
    return this.events.length;
  }

  first(): number {
    return this.events[0]?.time ?? Infinity;
  }

  /** The earliest event after `after` (any, when undefined). */
  firstAfter(after: Occurrence | undefined): Occurrence | undefined {
    return after === undefined ? this.events[0] : this.events.find((event) => precedes(after, event));
  }

  occurrences(): readonly Occurrence[] {
    return this.events;
  }

  evidence(limit: number): { ids: string[]; count: number } {
    return evidenceOf([...this.events], limit);
  }
}
