// What every notifier shares: the settings each section of correlator.notifiers has besides its
// own (enabled, minLevel, events, timeoutMs), the HTTP request a notifier turns an alert into, and
// routing: which notifiers hear of which alert event.
import type { JSONSchemaType } from 'ajv';
import { ALERT_EVENTS, type Alert, type AlertEvent } from '../alerts/alert.js';
import { LEVELS, type Level } from '../alerts/alert.js';

export interface NotifierSettings {
  enabled: boolean;
  /** The least severe alert this notifier hears of: informational < low < medium < high < critical. */
  minLevel: Level;
  /** The alert events this notifier hears of. */
  events: AlertEvent[];
  /** One delivery attempt's limit. */
  timeoutMs: number;
}

/** One HTTP POST; the same request is sent again on every retry. */
export interface NotificationRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Notifier<S extends NotifierSettings = NotifierSettings> {
  /** The section's name under correlator.notifiers, recorded on the alert's notifications. */
  readonly channel: string;
  readonly settings: S;
  /** `deliveryId` is the same on every attempt of one notification, so a receiver can drop repeats. */
  request(event: AlertEvent, alert: Alert, deliveryId: string): NotificationRequest;
}

/** The JSON-schema properties of NotifierSettings, with this notifier's defaults. */
export function commonProperties(defaults: { minLevel: Level; events: readonly AlertEvent[] }): {
  [K in keyof NotifierSettings]: JSONSchemaType<NotifierSettings[K]>;
} {
  return {
    enabled: { type: 'boolean', default: true },
    minLevel: { type: 'string', enum: [...LEVELS], default: defaults.minLevel },
    events: {
      type: 'array',
      items: { type: 'string', enum: [...ALERT_EVENTS] },
      uniqueItems: true,
      default: [...defaults.events],
    },
    timeoutMs: { type: 'integer', minimum: 100, default: 10_000 },
  };
}

export const COMMON_REQUIRED = ['enabled', 'minLevel', 'events', 'timeoutMs'] as const;

export const httpUrl = { type: 'string', pattern: '^https?://[^\\s/]+' } as const;

/** Where an analyst opens the alert: `{id}` in the template is replaced by the alert's id. */
export const alertUrlProperty = { ...httpUrl, default: 'http://127.0.0.1:8080/alerts/{id}' } as const;

export function alertLink(template: string, alert: Alert): string {
  return template.replaceAll('{id}', encodeURIComponent(alert.alert.id));
}

export function routes(notifier: Notifier, event: AlertEvent, alert: Alert): boolean {
  const { enabled, minLevel, events } = notifier.settings;
  return enabled && events.includes(event) && LEVELS.indexOf(alert.rule.severity) >= LEVELS.indexOf(minLevel);
}

/** The channels to notify of an event: AlertStore's `channels` option. */
export function channelsFor(notifiers: readonly Notifier[]) {
  return (event: AlertEvent, alert: Alert): string[] =>
    notifiers.filter((notifier) => routes(notifier, event, alert)).map((notifier) => notifier.channel);
}

/** The alert as receivers see it: without the outbox's own bookkeeping, which changes on every attempt. */
export function publicAlert(alert: Alert): Omit<Alert, 'notifications'> {
  const copy: Omit<Alert, 'notifications'> & Partial<Alert> = { ...alert };
  delete copy.notifications;
  return copy;
}

export const EVENT_TITLES: Readonly<Record<AlertEvent, string>> = {
  'alert.opened': 'Alert opened',
  'alert.updated': 'Alert updated',
  'alert.closed': 'Alert closed',
};
