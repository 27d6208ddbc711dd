// How a detection becomes an alert, and how a later detection of the same rule and entity folds
// into it. Every fold is idempotent: a replayed detection (Kafka is at-least-once) changes nothing.
import { LEVELS } from './alert.js';
import { SYSTEM_ACTOR, type Alert, type Detection } from './alert.js';

/** Evidence event ids kept on an alert; the count goes on past it. */
export const MAX_EVIDENCE = 100;

const time = (timestamp: string) => Date.parse(timestamp);
const iso = (timestamp: string) => new Date(timestamp).toISOString();
const unique = (ids: readonly string[]) => [...new Set(ids)];

/** Refuses a detection that would store a broken alert; returns it with ISO timestamps and unique evidence. */
export function checkDetection(detection: Detection): Detection {
  const problem = (reason: string) => new TypeError(`invalid detection '${detection.alert?.id}': ${reason}`);
  if (!detection.alert?.id) throw problem('alert.id is required');
  if (!detection.rule?.id || !detection.rule.name) throw problem('rule.id and rule.name are required');
  if (!LEVELS.includes(detection.rule.severity)) throw problem(`rule.severity must be one of ${LEVELS.join(', ')}`);
  if (!detection.entity?.type || !detection.entity.value) throw problem('entity.type and entity.value are required');
  if (Number.isNaN(time(detection.first_seen)) || Number.isNaN(time(detection.last_seen))) {
    throw problem('first_seen and last_seen must be timestamps');
  }
  if (time(detection.first_seen) > time(detection.last_seen)) throw problem('first_seen is after last_seen');
  const eventIds = unique(detection.evidence?.event_ids ?? []);
  if (!Number.isInteger(detection.count) || detection.count < Math.max(1, eventIds.length)) {
    throw problem('count must be an integer of at least 1 and of the evidence listed');
  }
  return {
    ...detection,
    pci_dss: { requirements: detection.pci_dss?.requirements ?? [] },
    first_seen: iso(detection.first_seen),
    last_seen: iso(detection.last_seen),
    evidence: { event_ids: eventIds },
  };
}

/** A new open alert from a checked detection. */
export function openAlert(detection: Detection, now: string): Alert {
  return {
    '@timestamp': detection.first_seen,
    alert: detection.alert,
    rule: detection.rule,
    pci_dss: detection.pci_dss,
    entity: detection.entity,
    first_seen: detection.first_seen,
    last_seen: detection.last_seen,
    count: detection.count,
    evidence: { event_ids: detection.evidence.event_ids.slice(0, MAX_EVIDENCE) },
    status: 'open',
    status_history: [{ status: 'open', by: SYSTEM_ACTOR, at: now }],
    notifications: [],
  };
}

/**
 * The alert with the detection folded in, or undefined when it brings nothing new: every event it
 * lists is already evidence (or it lists none and is not later). Events already known are not
 * counted again; past MAX_EVIDENCE a replayed event cannot be recognised and counts once more.
 */
export function mergeDetection(alert: Alert, detection: Detection): Alert | undefined {
  const known = new Set(alert.evidence.event_ids);
  const listed = detection.evidence.event_ids;
  const fresh = listed.filter((id) => !known.has(id));
  const later = time(detection.last_seen) > time(alert.last_seen);
  if (fresh.length === 0 && (listed.length > 0 || !later)) return undefined;
  const firstSeen = time(detection.first_seen) < time(alert.first_seen) ? detection.first_seen : alert.first_seen;
  return {
    ...alert,
    '@timestamp': firstSeen,
    first_seen: firstSeen,
    last_seen: later ? detection.last_seen : alert.last_seen,
    count: alert.count + detection.count - (listed.length - fresh.length),
    evidence: { event_ids: [...alert.evidence.event_ids, ...fresh].slice(0, MAX_EVIDENCE) },
  };
}

/** Whether the detection falls within the suppression window around an alert that is still open or acknowledged. */
export function suppressedBy(alert: Alert, detection: Detection, windowMs: number): boolean {
  return (
    alert.status !== 'closed' &&
    alert.rule.id === detection.rule.id &&
    alert.entity.value === detection.entity.value &&
    time(detection.first_seen) <= time(alert.last_seen) + windowMs &&
    time(detection.last_seen) >= time(alert.first_seen) - windowMs
  );
}
