// The correlation engine: fed each event with the detection rules it matched, it keeps per
// correlation and group the recent events that matter and returns the alerts to raise or update.
//
// Time is the events' own (@timestamp), never the clock: windows slide by event time, so replaying
// a stretch of events gives the alerts it gave the first time. Events are taken in arrival order;
// one that is out of order but within the timespan of its group's newest event is placed where its
// time puts it, one older than that is dropped and counted (`lateEvents`), since the window it
// belonged to has been judged already. An event dated in the future would make its group's real
// events look late until the clock caught up, so the caller should not feed events dated well
// beyond their receipt (the normalizer's clock-skew check finds them).
//
// Memory is bounded whatever comes in: each group keeps a bounded window (window.ts); a group
// whose newest event is a timespan older than an event its correlation is fed is forgotten as the
// stream moves on; and each correlation tracks at most `maxGroups` groups, forgetting the one
// least recently fed when a new one would exceed it, so a flood of distinct keys cannot grow it.

import { fieldPath, type FieldPath } from '../sigma/fields.js';
import type { Level } from '@sentrail/lib/alerts/alert';
import { Group, type Burst } from './group.js';
import { groupKeys, valuesAt, type GroupKey, type GroupValue } from './group-key.js';
import type { Occurrence } from './occurrence.js';
import { RecencyMap } from './recency.js';
import type { CompiledCorrelation } from './rule.js';

export const DEFAULT_MAX_GROUPS = 10_000;

export interface CorrelationEngineOptions {
  /** The most groups tracked per correlation. */
  maxGroups?: number;
}

export interface CorrelationAlert {
  /** SHA-256 hex of the correlation id, the group key and `firstSeen`. */
  alertId: string;
  /** False when this event raised the alert; true when it updates one raised earlier (same alertId). */
  updated: boolean;
  correlationId: string;
  title: string;
  level: Level;
  tags: readonly string[];
  /** Group-by name (field or alias) → the group's value. */
  groupKey: Record<string, GroupValue>;
  /** Event times in milliseconds. */
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** Evidence: the first events of the alert, at most MAX_EVIDENCE. */
  eventIds: string[];
}

interface Tracked {
  readonly correlation: CompiledCorrelation;
  /** Per rule, the paths of the group-by fields in its events. */
  readonly groupPaths: readonly (readonly FieldPath[])[];
  readonly field?: FieldPath;
  /** By group key id, in the order they were last fed. */
  readonly groups: RecencyMap<Group>;
}

interface Hit {
  readonly tracked: Tracked;
  /** The index of the matched rule in the correlation's `rules`. */
  readonly rule: number;
}

export class CorrelationEngine {
  private readonly tracked: Tracked[];
  private readonly byRule = new Map<string, Hit[]>();
  private readonly maxGroups: number;
  private arrivals = 0;
  private late = 0;

  constructor(correlations: readonly CompiledCorrelation[], options: CorrelationEngineOptions = {}) {
    this.maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    if (!Number.isSafeInteger(this.maxGroups) || this.maxGroups < 1)
      throw new RangeError('maxGroups must be 1 or more');
    const repeated = correlations.find(({ id }, index) => correlations.findIndex((other) => other.id === id) !== index);
    // Alert ids start with the correlation id: two correlations sharing one would share alerts.
    if (repeated !== undefined) throw new RangeError(`correlation id '${repeated.id}' is given twice`);
    this.tracked = chainOrder(correlations).map((correlation) => ({
      correlation,
      groupPaths: correlation.groupFields.map((fields) => fields.map(fieldPath)),
      field: correlation.field === undefined ? undefined : fieldPath(correlation.field),
      groups: new RecencyMap<Group>(),
    }));
    for (const tracked of this.tracked) {
      for (const [rule, id] of tracked.correlation.rules.entries()) {
        const hits = this.byRule.get(id) ?? [];
        hits.push({ tracked, rule });
        this.byRule.set(id, hits);
      }
    }
  }

  /**
   * Feeds one event: its id (the evidence alerts list), its ECS document, the ids of the detection
   * rules it matched and its @timestamp in milliseconds. Returns the alerts it raised or updated.
   * A correlation that raises or updates an alert counts, for the correlations chained to it, as
   * matching this event: correlations run in chain order, each after those it refers to.
   */
  process(documentId: string, document: unknown, matchedRuleIds: readonly string[], time: number): CorrelationAlert[] {
    if (!Number.isFinite(time)) throw new RangeError(`event ${documentId} has no valid time`);
    const rulesByCorrelation = new Map<Tracked, number[]>();
    const matched = (ruleId: string) => {
      for (const { tracked, rule } of this.byRule.get(ruleId) ?? []) {
        rulesByCorrelation.set(tracked, [...(rulesByCorrelation.get(tracked) ?? []), rule]);
      }
    };
    for (const ruleId of new Set(matchedRuleIds)) matched(ruleId);
    if (rulesByCorrelation.size === 0) return [];
    const occurrence: Occurrence = { time, seq: this.arrivals++, id: documentId };
    const alerts: CorrelationAlert[] = [];
    for (const tracked of this.tracked) {
      const rules = rulesByCorrelation.get(tracked);
      if (rules === undefined) continue;
      this.forgetIdle(tracked, time);
      const values = tracked.field === undefined ? [] : valuesAt(document, tracked.field);
      // value_count counts the field's values: an event without one adds nothing.
      if (tracked.field !== undefined && values.length === 0) continue;
      let raised = false;
      for (const { key, rules: groupRules } of this.groupsOf(tracked, document, rules)) {
        const outcome = this.group(tracked, key).observe(occurrence, groupRules, values);
        if (outcome === 'late') this.late++;
        else if (outcome !== undefined) {
          alerts.push(alertOf(tracked.correlation, key, outcome.burst, !outcome.raised));
          raised = true;
        }
      }
      if (raised) matched(tracked.correlation.id);
    }
    return alerts;
  }

  /** Groups tracked, for one correlation or all: the engine's memory, for metrics. */
  trackedGroups(correlationId?: string): number {
    return this.tracked
      .filter(({ correlation }) => correlationId === undefined || correlation.id === correlationId)
      .reduce((total, { groups }) => total + groups.size, 0);
  }

  /** Events dropped because they were older than their group's window. */
  get lateEvents(): number {
    return this.late;
  }

  /** The event's groups, each with the matched rules that put it there (aliases may read other fields per rule). */
  private groupsOf(
    tracked: Tracked,
    document: unknown,
    rules: readonly number[],
  ): { key: GroupKey; rules: number[] }[] {
    const groups = new Map<string, { key: GroupKey; rules: number[] }>();
    for (const rule of rules) {
      for (const key of groupKeys(document, tracked.groupPaths[rule]!)) {
        const group = groups.get(key.id);
        if (group === undefined) groups.set(key.id, { key, rules: [rule] });
        else group.rules.push(rule);
      }
    }
    return [...groups.values()];
  }

  private group(tracked: Tracked, key: GroupKey): Group {
    const { groups } = tracked;
    let group = groups.use(key.id);
    if (group === undefined) {
      if (groups.size >= this.maxGroups) groups.dropLeastRecent();
      group = new Group(tracked.correlation, key);
      groups.add(key.id, group);
    }
    return group;
  }

  /**
   * Forgets groups idle for a timespan before `time`, from the least recently fed, stopping at the
   * first live one. Judged by the event at hand rather than the newest ever seen, so one event dated
   * far in the future forgets the groups once instead of every group from then on.
   */
  private forgetIdle({ groups, correlation }: Tracked, time: number): void {
    const cutoff = time - correlation.timespan;
    for (let group = groups.leastRecent(); group !== undefined && group.newest < cutoff; group = groups.leastRecent()) {
      groups.dropLeastRecent();
    }
  }
}

/** The correlations with each after those it refers to (compileCorrelations refuses cycles). */
function chainOrder(correlations: readonly CompiledCorrelation[]): CompiledCorrelation[] {
  const byId = new Map(correlations.map((correlation) => [correlation.id, correlation]));
  const ordered: CompiledCorrelation[] = [];
  const visiting = new Set<string>();
  const visit = (correlation: CompiledCorrelation) => {
    if (ordered.includes(correlation)) return;
    if (visiting.has(correlation.id)) throw new RangeError(`correlation '${correlation.id}' is part of a loop`);
    visiting.add(correlation.id);
    for (const rule of correlation.rules) {
      const referenced = byId.get(rule);
      if (referenced) visit(referenced);
    }
    ordered.push(correlation);
  };
  correlations.forEach(visit);
  return ordered;
}

function alertOf(correlation: CompiledCorrelation, key: GroupKey, burst: Burst, updated: boolean): CorrelationAlert {
  return {
    alertId: burst.alertId,
    updated,
    correlationId: correlation.id,
    title: correlation.title,
    level: correlation.level,
    tags: correlation.tags,
    groupKey: Object.fromEntries(correlation.groupBy.map((name, index) => [name, key.values[index]!])),
    firstSeen: burst.firstSeen,
    lastSeen: burst.lastSeen,
    count: burst.count,
    eventIds: [...burst.eventIds],
  };
}
