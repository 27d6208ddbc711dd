// One group of one correlation (say, the events of source.ip 203.0.113.66): its window, and the
// burst it is alerting on. On-call wants one alert per burst, not one per event past the threshold:
// once the condition holds, the group raises an alert and every further event for which it still
// holds updates that same alert; the burst ends when a whole timespan passes without the condition
// holding, and only then can a new alert start.
//
// The alert id is a hash of the correlation, the group key and the time of the earliest event in
// the window that first met the condition, so re-reading the last timespan of events after a
// restart, in the same order, raises the same ids for the bursts it sees whole. That holds for
// conditions with lower bounds only (gt, gte), where fewer events can never meet a condition more
// events did not; with an upper bound (lt, lte, eq) a replay missing earlier events may judge a
// window differently. It also assumes the groups were not forgotten for lack of room (maxGroups).

import { createHash } from 'node:crypto';
import { inRange } from './condition.js';
import type { GroupKey, GroupValue } from './group-key.js';
import type { Occurrence } from './occurrence.js';
import type { CompiledCorrelation } from './rule.js';
import { createWindow, type Window } from './window.js';

/** The most event ids an alert lists as evidence. */
export const MAX_EVIDENCE = 100;

export interface Burst {
  readonly alertId: string;
  readonly firstSeen: number;
  lastSeen: number;
  /** The newest event time at which the condition held: the burst ends a timespan after it. */
  lastMet: number;
  /** Events in the alert: those in the window when it was raised, then one per update. */
  count: number;
  /** The first MAX_EVIDENCE of them. */
  readonly eventIds: string[];
}

/** What an event did to its group: dropped as too late, raised or updated an alert, or neither. */
export type Outcome = 'late' | { burst: Burst; raised: boolean } | undefined;

function alertIdOf(correlationId: string, key: GroupKey, firstSeen: number): string {
  return createHash('sha256')
    .update(JSON.stringify([correlationId, key.id, firstSeen]))
    .digest('hex');
}

export class Group {
  /** The newest event time seen: the window is the timespan up to it. */
  newest = -Infinity;
  private readonly window: Window;
  private burst: Burst | undefined;

  constructor(
    private readonly correlation: CompiledCorrelation,
    readonly key: GroupKey,
  ) {
    this.window = createWindow(correlation);
  }

  observe(occurrence: Occurrence, rules: readonly number[], values: readonly GroupValue[]): Outcome {
    const { timespan, condition } = this.correlation;
    // Older than the window: it could not share one with the events already seen.
    if (occurrence.time < this.newest - timespan) return 'late';
    this.newest = Math.max(this.newest, occurrence.time);
    this.window.add(occurrence, rules, values);
    this.window.evict(this.newest - timespan);
    if (this.burst !== undefined && this.newest - this.burst.lastMet > timespan) this.burst = undefined;
    if (!inRange(condition, this.window.measure())) return undefined;
    if (this.burst !== undefined) {
      const burst = this.burst;
      burst.count++;
      if (burst.eventIds.length < MAX_EVIDENCE) burst.eventIds.push(occurrence.id);
      burst.lastSeen = Math.max(burst.lastSeen, occurrence.time);
      burst.lastMet = this.newest;
      return { burst, raised: false };
    }
    const firstSeen = this.window.first();
    const { ids, count } = this.window.evidence(MAX_EVIDENCE);
    this.burst = {
      alertId: alertIdOf(this.correlation.id, this.key, firstSeen),
      firstSeen,
      lastSeen: this.newest,
      lastMet: this.newest,
      count,
      eventIds: ids,
    };
    return { burst: this.burst, raised: true };
  }
}
