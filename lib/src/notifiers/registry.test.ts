import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config.js';
import type { AlertEvent } from '../alerts/alert.js';
import { checkDetection, openAlert } from '../alerts/merge.js';
import { detection } from '../alerts/testing.js';
import type { Level } from '../alerts/alert.js';
import { channelsFor } from './notifier.js';
import { createNotifiers } from './registry.js';

const sections = {
  webhook: { url: 'http://127.0.0.1:9/hook', secret: 'webhook-test-secret-0123456789', minLevel: 'low' },
  slack: { webhookUrl: 'http://127.0.0.1:9/slack' },
  pagerduty: { routingKey: 'key', minLevel: 'critical', events: ['alert.opened', 'alert.updated', 'alert.closed'] },
};

const alertOf = (severity: Level) =>
  openAlert(checkDetection(detection('a', { rule: { id: 'r', name: 'R', severity } })), '2026-11-28T10:00:00Z');

describe('notifier routing', () => {
  const channels = channelsFor(createNotifiers(sections));
  const route = (severity: Level, event: AlertEvent = 'alert.opened') => channels(event, alertOf(severity));

  it('sends an alert to the notifiers whose minLevel it reaches', () => {
    assert.deepEqual(route('informational'), []);
    assert.deepEqual(route('low'), ['webhook']);
    assert.deepEqual(route('medium'), ['webhook', 'slack']);
    assert.deepEqual(route('high'), ['webhook', 'slack']);
    assert.deepEqual(route('critical'), ['webhook', 'slack', 'pagerduty']);
  });

  it('sends each notifier only the events it asked for', () => {
    assert.deepEqual(route('critical', 'alert.updated'), ['webhook', 'pagerduty']);
    assert.deepEqual(route('critical', 'alert.closed'), ['webhook', 'slack', 'pagerduty']);
  });

  it('leaves out a disabled notifier', () => {
    const notifiers = createNotifiers({ ...sections, slack: { ...sections.slack, enabled: false } });
    assert.deepEqual(
      notifiers.map((notifier) => notifier.channel),
      ['webhook', 'pagerduty'],
    );
  });

  it('refuses an unknown notifier, naming the known ones', () => {
    assert.throws(
      () => createNotifiers({ teams: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems[0] === 'correlator.notifiers.teams: unknown notifier (known: webhook, slack, pagerduty)',
    );
    assert.throws(() => createNotifiers({ constructor: {} }), /unknown notifier/);
  });
});
