import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../config.js';
import { checkDetection, openAlert } from '../alerts/merge.js';
import { requestNotifications } from '../alerts/notifications.js';
import { detection } from '../alerts/testing.js';
import { send } from './send.js';
import { startReceiver, type Receiver } from './testing.js';
import { webhook } from './webhook.js';

const SECRET = 'webhook-test-secret-0123456789';
const alert = requestNotifications(
  openAlert(checkDetection(detection('alert-1')), '2026-11-28T10:00:01.000Z'),
  'alert.opened',
  ['webhook'],
  '2026-11-28T10:00:01.000Z',
);

describe('webhook notifier', () => {
  let receiver: Receiver;
  before(async () => (receiver = await startReceiver()));
  after(() => receiver.close());

  it('POSTs the alert as JSON, signed with HMAC-SHA256 of the body, naming the event', async () => {
    const notifier = webhook({ url: receiver.url, secret: SECRET });
    const delivery = await send(notifier.request('alert.opened', alert, 'delivery-1'), 1000);
    assert.deepEqual(delivery, { ok: true });

    const [request] = receiver.received;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/hook');
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.equal(request!.headers['x-sentrail-event'], 'alert.opened');
    assert.equal(request!.headers['x-sentrail-delivery'], 'delivery-1');
    const expected = `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`;
    assert.equal(request!.headers['x-sentrail-signature'], expected);

    const sent = Object.fromEntries(Object.entries(alert).filter(([key]) => key !== 'notifications'));
    assert.deepEqual(JSON.parse(request!.body), sent, 'the alert, without the outbox bookkeeping');
  });

  it('fills in its defaults: every level, every event', () => {
    const { settings } = webhook({ url: receiver.url, secret: SECRET });
    assert.deepEqual(settings, {
      url: receiver.url,
      secret: SECRET,
      enabled: true,
      minLevel: 'informational',
      events: ['alert.opened', 'alert.updated', 'alert.closed'],
      timeoutMs: 10_000,
    });
  });

  it('refuses a section without a URL or with a short secret, naming the key', () => {
    assert.throws(
      () => webhook({ secret: 'short', minLevel: 'severe' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.includes('correlator.notifiers.webhook.url: is required') &&
        error.problems.includes('correlator.notifiers.webhook.secret: must NOT have fewer than 16 characters') &&
        error.problems.some((problem) => problem.startsWith('correlator.notifiers.webhook.minLevel: must be one of')),
    );
  });
});
