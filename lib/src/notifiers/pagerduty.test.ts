import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeStatus } from '../alerts/lifecycle.js';
import { checkDetection, openAlert } from '../alerts/merge.js';
import { detection } from '../alerts/testing.js';
import { LEVELS } from '../alerts/alert.js';
import { PAGERDUTY_SEVERITY, pagerDuty } from './pagerduty.js';
import { send } from './send.js';
import { startReceiver, type Receiver } from './testing.js';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const alert = openAlert(
  checkDetection(
    detection('alert-pd-1', {
      last_seen: '2026-11-28T10:04:00.000Z',
      count: 3,
      evidence: { event_ids: ['e1', 'e2', 'e3'] },
    }),
  ),
  '2026-11-28T10:04:01.000Z',
);

describe('pagerduty notifier', () => {
  let receiver: Receiver;
  before(async () => (receiver = await startReceiver(() => 202)));
  after(() => receiver.close());

  it('triggers an Events API v2 event keyed by the alert id', async () => {
    const notifier = pagerDuty({ routingKey: ROUTING_KEY, url: receiver.url, alertUrl: 'https://s.example/a/{id}' });
    assert.deepEqual(await send(notifier.request('alert.opened', alert, 'd'), 1000), { ok: true });
    assert.deepEqual(JSON.parse(receiver.received.at(-1)!.body), {
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'alert-pd-1',
      payload: {
        summary: 'AWS root account console login: user root (3 event(s))',
        source: 'root',
        severity: 'error',
        timestamp: '2026-11-28T10:04:00.000Z',
        class: 'aws-root-console-login',
        custom_details: {
          alert_id: 'alert-pd-1',
          rule: 'AWS root account console login',
          entity: 'user: root',
          count: 3,
          first_seen: '2026-11-28T10:00:00.000Z',
          last_seen: '2026-11-28T10:04:00.000Z',
          pci_dss_requirements: ['10.2.1.2'],
          evidence_event_ids: ['e1', 'e2', 'e3'],
          status: 'open',
        },
      },
      client: 'Sentrail',
      client_url: 'https://s.example/a/alert-pd-1',
      links: [{ href: 'https://s.example/a/alert-pd-1', text: 'Alert in Sentrail' }],
    });
  });

  it('resolves the incident with the same dedup_key when the alert is closed', async () => {
    const notifier = pagerDuty({ routingKey: ROUTING_KEY, url: receiver.url });
    const closed = changeStatus(alert, 'closed', { by: 'alice', at: '2026-11-28T11:00:00.000Z' });
    await send(notifier.request('alert.closed', closed, 'd'), 1000);
    assert.deepEqual(JSON.parse(receiver.received.at(-1)!.body), {
      routing_key: ROUTING_KEY,
      dedup_key: 'alert-pd-1',
      event_action: 'resolve',
    });
  });

  it("maps every Sigma level onto one of PagerDuty's severities", () => {
    assert.deepEqual(
      LEVELS.map((level) => PAGERDUTY_SEVERITY[level]),
      ['info', 'info', 'warning', 'error', 'critical'],
    );
  });

  it("sends to PagerDuty's own endpoint, high alerts and above, by default", () => {
    const { settings } = pagerDuty({ routingKey: ROUTING_KEY });
    assert.equal(settings.url, 'https://events.pagerduty.com/v2/enqueue');
    assert.equal(settings.minLevel, 'high');
    assert.deepEqual(settings.events, ['alert.opened', 'alert.closed']);
  });
});
