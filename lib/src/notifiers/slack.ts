// Slack: a message to an incoming webhook — a plain `text` for notifications and clients without
// blocks, and blocks with the rule, severity, entity, count, PCI DSS requirements and a link.
//
//   correlator.notifiers.slack: { webhookUrl, alertUrl (`{id}` = the alert id), minLevel, events, timeoutMs, enabled }
import { checkSection } from '../config.js';
import type { JSONSchemaType } from 'ajv';
import type { Alert, AlertEvent } from '../alerts/alert.js';
import {
  COMMON_REQUIRED,
  EVENT_TITLES,
  alertLink,
  alertUrlProperty,
  commonProperties,
  httpUrl,
  type Notifier,
  type NotifierSettings,
} from './notifier.js';

export const SLACK = 'slack';

export interface SlackSettings extends NotifierSettings {
  webhookUrl: string;
  alertUrl: string;
}

export const slackSchema: JSONSchemaType<SlackSettings> = {
  type: 'object',
  properties: {
    ...commonProperties({ minLevel: 'medium', events: ['alert.opened', 'alert.closed'] }),
    webhookUrl: httpUrl,
    alertUrl: alertUrlProperty,
  },
  required: [...COMMON_REQUIRED, 'webhookUrl', 'alertUrl'],
  additionalProperties: false,
};

const ICONS: Readonly<Record<AlertEvent, string>> = {
  'alert.opened': ':rotating_light:',
  'alert.updated': ':arrows_counterclockwise:',
  'alert.closed': ':white_check_mark:',
};

/** Slack's mrkdwn gives &, < and > a meaning: text from events (user names, hosts) must not use it. */
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
// Slack's limits: a header's text 150 characters, a field 2000.
const clip = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);
const field = (label: string, value: string) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${escape(value)}`, 2000) });

export function slackMessage(event: AlertEvent, alert: Alert, link: string) {
  const { rule, entity, pci_dss: pci } = alert;
  const severity = rule.severity.toUpperCase();
  const title = `${EVENT_TITLES[event]}: ${rule.name}`;
  return {
    text: `${ICONS[event]} [${severity}] ${escape(title)} — ${escape(`${entity.type} ${entity.value}`)} (${link})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`${ICONS[event]} ${title}`, 150), emoji: true } },
      {
        type: 'section',
        fields: [
          field('Rule', `${rule.name} (${rule.id})`),
          field('Severity', severity),
          field('Entity', `${entity.type}: ${entity.value}`),
          field('Count', `${alert.count} event(s), ${alert.first_seen} – ${alert.last_seen}`),
          field('PCI DSS', pci.requirements.join(', ') || 'none'),
          field('Status', alert.status + (alert.assignee ? `, assigned to ${alert.assignee}` : '')),
        ],
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Sentrail' }, url: link }],
      },
    ],
  };
}

export function slack(section: unknown): Notifier<SlackSettings> {
  const settings = checkSection(`correlator.notifiers.${SLACK}`, slackSchema, section);
  return {
    channel: SLACK,
    settings,
    request: (event, alert) => ({
      url: settings.webhookUrl,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(slackMessage(event, alert, alertLink(settings.alertUrl, alert))),
    }),
  };
}
