// The window of the temporal correlations: per listed rule, its recent events within the timespan.
// What the condition counts is, for temporal, how many of the rules have an event in the window,
// in any order; for temporal_ordered, how many of the rules, from the first, have events in the
// listed order (found greedily: the earliest event of the first rule, then the earliest of the
// second after it, …, which finds the longest such chain there is).

import { EventWindow } from './event-window.js';
import { evidenceOf, type Occurrence } from './occurrence.js';
import type { Window } from './window.js';

/** Events kept per rule: enough for the order and the evidence; the condition needs only one. */
const KEPT_PER_RULE = 20;

export class TemporalWindow implements Window {
  private readonly perRule: EventWindow[];

  constructor(
    ruleCount: number,
    private readonly ordered: boolean,
  ) {
    this.perRule = Array.from({ length: ruleCount }, () => new EventWindow(KEPT_PER_RULE));
  }

  add(occurrence: Occurrence, rules: readonly number[]): void {
    for (const rule of rules) this.perRule[rule]!.add(occurrence);
  }

  evict(cutoff: number): void {
    for (const events of this.perRule) events.evict(cutoff);
  }

  measure(): number {
    if (!this.ordered) return this.perRule.filter((events) => events.measure() > 0).length;
    let previous: Occurrence | undefined;
    for (const [index, events] of this.perRule.entries()) {
      previous = events.firstAfter(previous);
      if (previous === undefined) return index;
    }
    return this.perRule.length;
  }

  first(): number {
    return Math.min(...this.perRule.map((events) => events.first()));
  }

  evidence(limit: number): { ids: string[]; count: number } {
    return evidenceOf(
      this.perRule.flatMap((events) => events.occurrences()),
      limit,
    );
  }
}
