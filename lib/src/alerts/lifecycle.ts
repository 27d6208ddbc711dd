// What analysts do with an alert: acknowledge, close, assign. Each change names who made it and
// when in status_history; a change the current status does not allow is refused.
import { TRANSITIONS, type Alert, type AlertResponse, type AlertStatus } from './alert.js';
import { AlertStateError } from './errors.js';

export interface Actor {
  by: string;
  at: string;
  note?: string;
}

const withNote = (note: string | undefined) => (note ? { note } : {});

export function changeStatus(alert: Alert, status: AlertStatus, { by, at, note }: Actor): Alert {
  if (!TRANSITIONS[alert.status].includes(status)) {
    const allowed = TRANSITIONS[alert.status];
    const next = allowed.length > 0 ? `it can only be ${allowed.join(' or ')}` : 'it can no longer change';
    throw new AlertStateError(alert.alert.id, `cannot go from ${alert.status} to ${status}: ${next}`);
  }
  return {
    ...alert,
    status,
    status_history: [...alert.status_history, { status, by, at, ...withNote(note) }],
    response: { ...alert.response, ...response(alert, status, at) },
  };
}

/** The response times a change fixes, counted from the alert's opening (its first status change). */
function response(alert: Alert, status: AlertStatus, at: string): AlertResponse {
  const since = Date.parse(at) - Date.parse(alert.status_history[0]!.at);
  if (status === 'acknowledged') return { acknowledged_at: at, time_to_acknowledge_ms: since };
  if (status === 'closed') return { closed_at: at, time_to_close_ms: since };
  return {};
}

export function assign(alert: Alert, assignee: string, { by, at, note }: Actor): Alert {
  if (!assignee) throw new TypeError('the assignee is required');
  if (alert.status === 'closed') throw new AlertStateError(alert.alert.id, 'a closed alert cannot be assigned');
  return {
    ...alert,
    assignee,
    status_history: [...alert.status_history, { status: alert.status, by, at, assignee, ...withNote(note) }],
  };
}
