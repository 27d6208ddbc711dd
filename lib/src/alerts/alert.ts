// The alert document (DESIGN.md §3), as stored in `<prefix>-alerts-YYYY.MM` and sent to notifiers.

/** Sigma's rule levels, least severe first: an alert's severity. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** What may follow each status; a closed alert stays closed (new activity opens a new alert). */
export const TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = {
  open: ['acknowledged', 'closed'],
  acknowledged: ['closed'],
  closed: [],
};

export const ALERT_EVENTS = ['alert.opened', 'alert.updated', 'alert.closed'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/** Who the store writes as when the correlator itself changes an alert. */
export const SYSTEM_ACTOR = 'sentrail';

export interface StatusChange {
  status: AlertStatus;
  by: string;
  at: string;
  note?: string;
  /** Set on the entry an assignment adds: who the alert went to. */
  assignee?: string;
}

/**
 * One notification of an alert to one channel: the outbox of notifiers/outbox.ts. Requested in the
 * same write that changes the alert, so a crash between the two cannot lose it.
 */
export interface NotificationState {
  channel: string;
  event: AlertEvent;
  status: 'pending' | 'delivered' | 'failed';
  /** When it was last asked for: a newer request supersedes an attempt in flight. */
  requested_at: string;
  attempts: number;
  last_attempt?: string;
  /** A pending notification is not tried before this (backoff, or the lease of an attempt in flight). */
  next_attempt?: string;
  error?: string;
}

export interface Alert {
  '@timestamp': string;
  alert: { id: string };
  rule: { id: string; name: string; severity: Level };
  pci_dss: { requirements: string[] };
  /** What the alert is about: the correlation entity, e.g. { type: 'user', value: 'alice' }. */
  entity: { type: string; value: string };
  first_seen: string;
  last_seen: string;
  /** Matching events seen; may exceed the evidence kept. */
  count: number;
  evidence: { event_ids: string[] };
  status: AlertStatus;
  status_history: StatusChange[];
  /** How fast people responded, from when Sentrail opened the alert: what a dashboard can average. */
  response?: AlertResponse;
  assignee?: string;
  notifications: NotificationState[];
}

export interface AlertResponse {
  acknowledged_at?: string;
  time_to_acknowledge_ms?: number;
  closed_at?: string;
  time_to_close_ms?: number;
}

/** What a detection hands to AlertStore.raise: the alert's identity and what it saw. */
export type Detection = Pick<
  Alert,
  'alert' | 'rule' | 'pci_dss' | 'entity' | 'first_seen' | 'last_seen' | 'count' | 'evidence'
>;
