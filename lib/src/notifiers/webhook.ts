// Webhook: POSTs the alert's JSON to a URL, signed so the receiver can tell it came from Sentrail:
// `X-Sentrail-Signature: sha256=<hex HMAC-SHA256 of the body>`, and `X-Sentrail-Event` names what
// happened to the alert.
//
//   correlator.notifiers.webhook: { url, secret (16+ characters), minLevel, events, timeoutMs, enabled }
import { createHmac } from 'node:crypto';
import { checkSection } from '../config.js';
import type { JSONSchemaType } from 'ajv';
import { ALERT_EVENTS } from '../alerts/alert.js';
import {
  COMMON_REQUIRED,
  commonProperties,
  httpUrl,
  publicAlert,
  type Notifier,
  type NotifierSettings,
} from './notifier.js';

export const WEBHOOK = 'webhook';

export interface WebhookSettings extends NotifierSettings {
  url: string;
  secret: string;
}

export const webhookSchema: JSONSchemaType<WebhookSettings> = {
  type: 'object',
  properties: {
    ...commonProperties({ minLevel: 'informational', events: ALERT_EVENTS }),
    url: httpUrl,
    secret: { type: 'string', minLength: 16 },
  },
  required: [...COMMON_REQUIRED, 'url', 'secret'],
  additionalProperties: false,
};

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhook(section: unknown): Notifier<WebhookSettings> {
  const settings = checkSection(`correlator.notifiers.${WEBHOOK}`, webhookSchema, section);
  return {
    channel: WEBHOOK,
    settings,
    request(event, alert, deliveryId) {
      const body = JSON.stringify(publicAlert(alert));
      return {
        url: settings.url,
        headers: {
          'content-type': 'application/json',
          'x-sentrail-event': event,
          'x-sentrail-delivery': deliveryId,
          'x-sentrail-signature': signBody(settings.secret, body),
        },
        body,
      };
    },
  };
}
