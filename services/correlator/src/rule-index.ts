// Which rules an event can match. Most rules name the CloudTrail eventName (or the ECS
// event.action) they are about, so the detector keys them by it and runs only the rules keyed by
// the event's action, plus those that name none. For a CloudTrail rule this also spares parsing
// the original of an event it could not match.
import type { EcsDocument } from '@sentrail/lib/ecs';
import type { CompiledRule } from './sigma/rule.js';
import type { Target } from './sigma/target.js';

/** Where each kind of rule reads the action; the normalizer copies a record's eventName to event.action. */
const ACTION_FIELD: Record<Target, string> = { original: 'eventName', ecs: 'event.action' };

export class RuleIndex {
  private readonly byAction = new Map<string, readonly CompiledRule[]>();
  /** The rules that name no action: all an event without a keyed action can match. */
  private readonly unkeyed: readonly CompiledRule[];

  constructor(private readonly rules: readonly CompiledRule[]) {
    const actionsOf = (rule: CompiledRule) => rule.equalities.get(ACTION_FIELD[rule.target]);
    this.unkeyed = rules.filter((rule) => actionsOf(rule) === undefined);
    for (const action of new Set(rules.flatMap((rule) => [...(actionsOf(rule) ?? [])]))) {
      // In the pack's order, so detections come out in the same order as without the index.
      this.byAction.set(
        action,
        rules.filter((rule) => actionsOf(rule)?.has(action) ?? true),
      );
    }
  }

  /** The rules that may match the document, in the pack's order; the others cannot. */
  candidates(document: EcsDocument): readonly CompiledRule[] {
    const action: unknown = document.event.action;
    if (action === undefined) return this.unkeyed;
    if (typeof action !== 'string') return this.rules;
    return this.byAction.get(action.toLowerCase()) ?? this.unkeyed;
  }
}
