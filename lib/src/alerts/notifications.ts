// The notification entries of an alert are its outbox: requested in the write that changes the
// alert, then claimed, attempted and settled by notifiers/outbox.ts. One entry per channel and
// event; a channel gets an alert's events in the order they were requested.
import type { Alert, AlertEvent, NotificationState } from './alert.js';

const time = (timestamp: string | undefined) => Date.parse(timestamp ?? '');
const same = (a: NotificationState, b: Pick<NotificationState, 'channel' | 'event'>) =>
  a.channel === b.channel && a.event === b.event;

/** Asks for `event` on each channel; a pending update is superseded by the newer one, not queued twice. */
export function requestNotifications(alert: Alert, event: AlertEvent, channels: readonly string[], at: string): Alert {
  if (channels.length === 0) return alert;
  const requested = channels.map((channel): NotificationState => ({
    channel,
    event,
    status: 'pending',
    requested_at: at,
    attempts: 0,
  }));
  const kept = alert.notifications.filter((entry) => !requested.some((request) => same(entry, request)));
  return { ...alert, notifications: [...kept, ...requested] };
}

export type Claim = { entry: NotificationState; alert: Alert } | { waitUntil: number } | undefined;

/**
 * The channel's oldest pending notification, if due: its attempt is counted and it is leased until
 * `leaseUntil`, so no other outbox tries it meanwhile. Otherwise when it will be due, or nothing.
 */
export function claimNext(alert: Alert, channel: string, now: number, leaseUntil: number): Claim {
  const head = alert.notifications
    .filter((entry) => entry.channel === channel && entry.status === 'pending')
    .sort((a, b) => time(a.requested_at) - time(b.requested_at))[0];
  if (!head) return undefined;
  const dueAt = time(head.next_attempt ?? head.requested_at);
  if (dueAt > now) return { waitUntil: dueAt };
  const entry: NotificationState = {
    ...head,
    attempts: head.attempts + 1,
    last_attempt: new Date(now).toISOString(),
    next_attempt: new Date(leaseUntil).toISOString(),
  };
  return { entry, alert: { ...alert, notifications: alert.notifications.map((e) => (e === head ? entry : e)) } };
}

export type Settlement =
  | { status: 'delivered' }
  | { status: 'failed'; error: string }
  | { status: 'pending'; error: string; nextAttempt: number };

/** Records how a claimed attempt ended; undefined when a newer request superseded it (that one goes next). */
export function settle(alert: Alert, claimed: NotificationState, settlement: Settlement): Alert | undefined {
  const current = alert.notifications.find((entry) => same(entry, claimed));
  if (!current || current.requested_at !== claimed.requested_at) return undefined;
  const entry: NotificationState = { ...current, status: settlement.status };
  delete entry.next_attempt;
  delete entry.error;
  if (settlement.status !== 'delivered') entry.error = settlement.error;
  if (settlement.status === 'pending') entry.next_attempt = new Date(settlement.nextAttempt).toISOString();
  return { ...alert, notifications: alert.notifications.map((e) => (e === current ? entry : e)) };
}
