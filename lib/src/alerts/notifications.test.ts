import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert, NotificationState } from './alert.js';
import { checkDetection, openAlert } from './merge.js';
import { claimNext, requestNotifications, settle } from './notifications.js';
import { detection } from './testing.js';

const T = (seconds: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, seconds)).toISOString();
const ms = (seconds: number) => Date.parse(T(seconds));
const base = openAlert(checkDetection(detection('a-1')), T(0));
const requested = requestNotifications(base, 'alert.opened', ['slack', 'webhook'], T(0));

function claimed(alert: Alert, channel: string, now: number) {
  const claim = claimNext(alert, channel, now, now + 10_000);
  assert.ok(claim && 'entry' in claim, `expected a claim of ${channel}`);
  return claim;
}

describe('notification entries (the outbox)', () => {
  it('are requested pending, one per channel', () => {
    assert.deepEqual(
      requested.notifications.map(({ channel, event, status, attempts }) => ({ channel, event, status, attempts })),
      [
        { channel: 'slack', event: 'alert.opened', status: 'pending', attempts: 0 },
        { channel: 'webhook', event: 'alert.opened', status: 'pending', attempts: 0 },
      ],
    );
    assert.equal(requestNotifications(base, 'alert.opened', [], T(0)), base);
  });

  it('supersede a pending or delivered request of the same event, not another event', () => {
    const updated = requestNotifications(requested, 'alert.updated', ['slack'], T(1));
    const again = requestNotifications(updated, 'alert.updated', ['slack'], T(2));
    const slack = again.notifications.filter((e) => e.channel === 'slack');
    assert.deepEqual(
      slack.map((e) => [e.event, e.requested_at]),
      [
        ['alert.opened', T(0)],
        ['alert.updated', T(2)],
      ],
    );
  });

  it('are claimed in the order requested, counting the attempt and leasing it', () => {
    const withUpdate = requestNotifications(requested, 'alert.updated', ['slack'], T(1));
    const claim = claimed(withUpdate, 'slack', ms(5));
    assert.equal(claim.entry.event, 'alert.opened');
    assert.equal(claim.entry.attempts, 1);
    assert.equal(claim.entry.last_attempt, T(5));
    assert.equal(claim.entry.next_attempt, T(15));
    assert.deepEqual(claimNext(claim.alert, 'slack', ms(6), ms(16)), { waitUntil: ms(15) }, 'leased');
    assert.equal(claimNext(claim.alert, 'pagerduty', ms(6), ms(16)), undefined);
  });

  it('are settled delivered, failed, or pending until the next attempt', () => {
    const claim = claimed(requested, 'webhook', ms(5));
    const delivered = settle(claim.alert, claim.entry, { status: 'delivered' })!;
    const entry = delivered.notifications.find((e) => e.channel === 'webhook')!;
    const expected: NotificationState = { ...claim.entry, status: 'delivered' };
    delete expected.next_attempt;
    assert.deepEqual(entry, expected);
    const retry = settle(claim.alert, claim.entry, { status: 'pending', error: 'HTTP 503', nextAttempt: ms(9) })!;
    assert.deepEqual(claimNext(retry, 'webhook', ms(6), ms(16)), { waitUntil: ms(9) });
    assert.equal(claimed(retry, 'webhook', ms(9)).entry.attempts, 2);
    const failed = settle(claim.alert, claim.entry, { status: 'failed', error: 'HTTP 400' })!;
    assert.equal(failed.notifications.find((e) => e.channel === 'webhook')!.error, 'HTTP 400');
    assert.equal(claimNext(failed, 'webhook', ms(60), ms(70)), undefined);
  });

  it('leave a newer request pending when an older attempt settles', () => {
    const claim = claimed(requested, 'slack', ms(5));
    const rerequested = requestNotifications(claim.alert, 'alert.opened', ['slack'], T(6));
    assert.equal(settle(rerequested, claim.entry, { status: 'delivered' }), undefined);
  });
});
