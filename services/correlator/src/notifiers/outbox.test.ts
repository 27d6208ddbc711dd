import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';
import type { AlertEvent, NotificationState } from '@sentrail/lib/alerts/alert';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { detection } from '@sentrail/lib/alerts/testing';
import type { Level } from '@sentrail/lib/alerts/alert';
import { channelsFor } from '@sentrail/lib/notifiers/notifier';
import { Outbox } from './outbox.js';
import { createNotifiers } from '@sentrail/lib/notifiers/registry';
import { closedPort, startReceiver, type Answer, type Receiver } from '@sentrail/lib/notifiers/testing';

const config = testConfig();
const client = createElastic(config.elasticsearch);
const SECRET = 'outbox-test-secret-0123456789';
const prefixes: string[] = [];
const outboxes: Outbox[] = [];
const receivers: Receiver[] = [];

/** A prefix of its own, so one test's outbox never sweeps another test's alerts. */
async function newPrefix(): Promise<string> {
  const prefix = uniqueName('test-outbox');
  prefixes.push(prefix);
  await installTemplates(client, { ...config.elasticsearch, indexPrefix: prefix });
  return prefix;
}

async function receiver(answer?: Answer, port?: number): Promise<Receiver> {
  const started = await startReceiver(answer, port);
  receivers.push(started);
  return started;
}

/** A store and an outbox over `sections` of correlator.notifiers, as the correlator wires them. */
function wire(prefix: string, sections: Record<string, Record<string, unknown>>) {
  const notifiers = createNotifiers(sections);
  const store = new AlertStore({ client, prefix, suppressionMinutes: 60, channels: channelsFor(notifiers) });
  const outbox = new Outbox({ store, notifiers, baseMs: 20, maxMs: 100 });
  outboxes.push(outbox);
  return { store, outbox };
}

const webhookAt = (url: string, minLevel: Level = 'informational') => ({ webhook: { url, secret: SECRET, minLevel } });

async function raise(store: AlertStore, severity: Level = 'high', who = uniqueName('user')) {
  const id = uniqueName('alert');
  const rule = { id: 'aws-root-console-login', name: 'AWS root account console login', severity };
  const result = await store.raise(detection(id, { rule, entity: { type: 'user', value: who } }));
  assert.equal(result.outcome, 'opened');
  return id;
}

async function notification(store: AlertStore, id: string, channel: string, event: AlertEvent = 'alert.opened') {
  const found = (await store.get(id)).notifications.find((e) => e.channel === channel && e.event === event);
  assert.ok(found, `a ${channel} ${event} notification on ${id}`);
  return found;
}

async function until(
  store: AlertStore,
  id: string,
  channel: string,
  done: (entry: NotificationState) => boolean,
  event: AlertEvent = 'alert.opened',
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const entry = await notification(store, id, channel, event);
    if (done(entry)) return entry;
    if (Date.now() > deadline) assert.fail(`timed out; the notification is ${JSON.stringify(entry)}`);
    await sleep(20);
  }
}
const delivered = (entry: NotificationState) => entry.status === 'delivered';

describe('Outbox (real Elasticsearch, local receivers)', () => {
  let prefix = '';
  before(async () => (prefix = await newPrefix()));
  after(async () => {
    await Promise.all(outboxes.map((outbox) => outbox.stop()));
    await Promise.all(receivers.map((r) => r.close()));
    for (const name of prefixes) await dropIndexPrefix(client, name);
    await client.close();
  });

  it('records a notification pending with the alert, then delivers it to the channels its level reaches', async () => {
    const hooks = await receiver();
    const base = hooks.url.replace('/hook', '');
    const { store, outbox } = wire(prefix, {
      ...webhookAt(`${base}/webhook`, 'medium'),
      slack: { webhookUrl: `${base}/slack`, minLevel: 'critical' },
    });
    const id = await raise(store, 'high');
    const pending = await notification(store, id, 'webhook');
    assert.deepEqual([pending.status, pending.attempts], ['pending', 0]);
    assert.equal((await store.get(id)).notifications.length, 1, 'slack hears only of critical alerts');

    await outbox.deliver(id);
    const entry = await notification(store, id, 'webhook');
    assert.deepEqual([entry.status, entry.attempts, entry.error], ['delivered', 1, undefined]);
    assert.ok(Date.parse(entry.last_attempt!) > Date.now() - 60_000);
    assert.deepEqual(
      hooks.received.map((r) => [r.path, r.headers['x-sentrail-event']]),
      [['/webhook', 'alert.opened']],
    );

    const quiet = await raise(store, 'low');
    assert.deepEqual((await store.get(quiet)).notifications, [], 'below every minLevel: nothing to send');
  });

  it('retries a receiver that answers 503 until it takes the notification, once, recording every attempt', async () => {
    const hooks = await receiver((_request, n) => (n < 3 ? 503 : 200));
    const { store, outbox } = wire(prefix, webhookAt(hooks.url));
    const id = await raise(store);
    await outbox.deliver(id);
    const entry = await until(store, id, 'webhook', delivered);
    assert.equal(entry.attempts, 4);
    assert.equal(hooks.received.length, 4);
    assert.equal(new Set(hooks.received.map((r) => r.headers['x-sentrail-delivery'])).size, 1, 'one delivery id');
  });

  it('gives up at once on a 4xx other than 429, recording why', async () => {
    const hooks = await receiver(() => 404);
    const { store, outbox } = wire(prefix, webhookAt(hooks.url));
    const id = await raise(store);
    await outbox.deliver(id);
    const entry = await notification(store, id, 'webhook');
    assert.deepEqual([entry.status, entry.attempts, entry.error], ['failed', 1, 'HTTP 404: answered 404']);
    assert.equal(entry.next_attempt, undefined, 'not scheduled again');
    assert.equal(hooks.received.length, 1);
  });

  it('keeps trying a receiver that is down and delivers once it is back', async () => {
    const port = await closedPort();
    const { store, outbox } = wire(prefix, webhookAt(`http://127.0.0.1:${port}/hook`));
    const id = await raise(store);
    await outbox.deliver(id);
    const failing = await until(store, id, 'webhook', (entry) => entry.attempts >= 2);
    assert.equal(failing.status, 'pending');
    assert.match(failing.error!, /ECONNREFUSED/);

    const hooks = await receiver(undefined, port);
    const entry = await until(store, id, 'webhook', delivered);
    assert.equal(hooks.received.length, 1);
    assert.ok(entry.attempts > failing.attempts);
  });

  it('delivers after a restart what a previous outbox left pending', async () => {
    const own = await newPrefix();
    const port = await closedPort();
    const sections = webhookAt(`http://127.0.0.1:${port}/hook`);
    const first = wire(own, sections);
    const id = await raise(first.store);
    await first.outbox.deliver(id);
    await first.outbox.stop();
    const left = await notification(first.store, id, 'webhook');
    assert.equal(left.status, 'pending');

    const hooks = await receiver(undefined, port);
    const second = wire(own, sections);
    await second.outbox.start();
    const entry = await until(second.store, id, 'webhook', delivered);
    assert.equal(entry.attempts, left.attempts + 1, 'the stopped outbox tried no more');
    assert.deepEqual(
      hooks.received.map((r) => r.headers['x-sentrail-event']),
      ['alert.opened'],
    );
  });

  it("sends a channel an alert's events in order: an update waits for the open still being retried", async () => {
    const hooks = await receiver((_request, n) => (n < 2 ? 503 : 200));
    const { store, outbox } = wire(prefix, webhookAt(hooks.url));
    const who = uniqueName('user');
    const id = await raise(store, 'high', who);
    await outbox.deliver(id);
    const update = detection(uniqueName('alert'), {
      entity: { type: 'user', value: who },
      evidence: { event_ids: ['evt-2'] },
    });
    assert.equal((await store.raise(update)).outcome, 'updated');
    await outbox.deliver(id);
    await until(store, id, 'webhook', delivered, 'alert.updated');
    assert.deepEqual(
      hooks.received.map((r) => r.headers['x-sentrail-event']),
      ['alert.opened', 'alert.opened', 'alert.opened', 'alert.updated'],
    );
  });

  it('triggers a PagerDuty incident keyed by the alert and resolves it when the alert is closed', async () => {
    const events = await receiver(() => 202);
    const { store, outbox } = wire(prefix, { pagerduty: { routingKey: 'routing-key-1', url: events.url } });
    const id = await raise(store, 'critical');
    await outbox.deliver(id);
    await store.close(id, 'alice', 'contained');
    await outbox.deliver(id);
    assert.equal((await notification(store, id, 'pagerduty', 'alert.closed')).status, 'delivered');
    const sent = events.received.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    assert.deepEqual(
      sent.map(({ event_action, dedup_key }) => [event_action, dedup_key]),
      [
        ['trigger', id],
        ['resolve', id],
      ],
    );
  });
});
