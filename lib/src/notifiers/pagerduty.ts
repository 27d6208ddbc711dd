// PagerDuty Events API v2: an alert triggers an incident keyed by the alert id (dedup_key), so
// updates land on the same incident and closing the alert resolves it.
//
//   correlator.notifiers.pagerduty: { routingKey, url, alertUrl, minLevel, events, timeoutMs, enabled }
import { checkSection } from '../config.js';
import type { JSONSchemaType } from 'ajv';
import type { Alert, AlertEvent } from '../alerts/alert.js';
import type { Level } from '../alerts/alert.js';
import {
  COMMON_REQUIRED,
  alertLink,
  alertUrlProperty,
  commonProperties,
  httpUrl,
  type Notifier,
  type NotifierSettings,
} from './notifier.js';

export const PAGERDUTY = 'pagerduty';

export interface PagerDutySettings extends NotifierSettings {
  /** The integration key of an Events API v2 integration on a PagerDuty service. */
  routingKey: string;
  url: string;
  alertUrl: string;
}

export const pagerDutySchema: JSONSchemaType<PagerDutySettings> = {
  type: 'object',
  properties: {
    ...commonProperties({ minLevel: 'high', events: ['alert.opened', 'alert.closed'] }),
    routingKey: { type: 'string', minLength: 1 },
    url: { ...httpUrl, default: 'https://events.pagerduty.com/v2/enqueue' },
    alertUrl: alertUrlProperty,
  },
  required: [...COMMON_REQUIRED, 'routingKey', 'url', 'alertUrl'],
  additionalProperties: false,
};

/** Sigma levels onto PagerDuty's four severities. */
export const PAGERDUTY_SEVERITY: Readonly<Record<Level, 'critical' | 'error' | 'warning' | 'info'>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  informational: 'info',
};

const SUMMARY_LIMIT = 1024;

export function pagerDutyEvent(settings: PagerDutySettings, event: AlertEvent, alert: Alert) {
  const identity = { routing_key: settings.routingKey, dedup_key: alert.alert.id };
  if (event === 'alert.closed') return { ...identity, event_action: 'resolve' };
  const { rule, entity } = alert;
  const link = alertLink(settings.alertUrl, alert);
  const summary = `${rule.name}: ${entity.type} ${entity.value} (${alert.count} event(s))`;
  return {
    ...identity,
    event_action: 'trigger',
    payload: {
      summary: summary.length > SUMMARY_LIMIT ? `${summary.slice(0, SUMMARY_LIMIT - 1)}…` : summary,
      source: entity.value,
      severity: PAGERDUTY_SEVERITY[rule.severity],
      timestamp: alert.last_seen,
      class: rule.id,
      custom_details: {
        alert_id: alert.alert.id,
        rule: rule.name,
        entity: `${entity.type}: ${entity.value}`,
        count: alert.count,
        first_seen: alert.first_seen,
        last_seen: alert.last_seen,
        pci_dss_requirements: alert.pci_dss.requirements,
        evidence_event_ids: alert.evidence.event_ids,
        status: alert.status,
      },
    },
    client: 'Sentrail',
    client_url: link,
    links: [{ href: link, text: 'Alert in Sentrail' }],
  };
}

export function pagerDuty(section: unknown): Notifier<PagerDutySettings> {
  const settings = checkSection(`correlator.notifiers.${PAGERDUTY}`, pagerDutySchema, section);
  return {
    channel: PAGERDUTY,
    settings,
    request: (event, alert) => ({
      url: settings.url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pagerDutyEvent(settings, event, alert)),
    }),
  };
}
