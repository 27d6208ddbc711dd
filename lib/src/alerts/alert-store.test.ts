import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertsIndexName, createElastic, installTemplates } from '../elastic.js';
import { dropIndexPrefix, testConfig, uniqueName } from '../testing.js';
import type { Alert, Detection } from './alert.js';
import { AlertStore } from './alert-store.js';
import { AlertNotFoundError, AlertStateError } from './errors.js';
import { AlertExceptions } from './exceptions.js';
import { detection, minutesAfter } from './testing.js';

const prefix = uniqueName('test-alerts');
const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
const client = createElastic(config.elasticsearch);
const T0 = '2026-11-28T10:00:00.000Z';

const newStore = (options: Partial<ConstructorParameters<typeof AlertStore>[0]> = {}) =>
  new AlertStore({ client, prefix, suppressionMinutes: 60, ...options });

/** A test's own entity, so tests do not fold into each other's alerts. */
const entity = () => ({ type: 'user', value: uniqueName('user') });

/** Detections of one rule and entity, the evidence `e<n>` at T0 + n minutes. */
function series(alertId: string, who = entity()) {
  return (n: number, overrides: Partial<Detection> = {}) =>
    detection(alertId, {
      entity: who,
      first_seen: minutesAfter(T0, n),
      last_seen: minutesAfter(T0, n),
      evidence: { event_ids: [`e${n}`] },
      ...overrides,
    });
}

async function stored(id: string): Promise<{ _source: Alert; _seq_no: number }> {
  const found = await client.get<Alert>({ index: alertsIndexName(prefix, T0), id });
  return { _source: found._source!, _seq_no: found._seq_no! };
}

describe('AlertStore (real Elasticsearch)', () => {
  before(() => installTemplates(client, config.elasticsearch));
  after(async () => {
    await dropIndexPrefix(client, prefix);
    await client.close();
  });

  it('opens an alert under its own id in the month of its first_seen, with the opened notifications pending', async () => {
    const store = newStore({ channels: (event, alert) => (alert.rule.severity === 'high' ? ['webhook'] : []) });
    const id = uniqueName('alert');
    const result = await store.raise(series(id)(0));
    assert.equal(result.outcome, 'opened');
    const { _source: alert } = await stored(id);
    assert.deepEqual(alert, result.alert);
    assert.equal(alert.alert.id, id);
    assert.equal(alert.status, 'open');
    assert.deepEqual(alert.pci_dss.requirements, ['10.2.1.2']);
    assert.deepEqual(
      alert.notifications.map(({ channel, event, status }) => ({ channel, event, status })),
      [{ channel: 'webhook', event: 'alert.opened', status: 'pending' }],
    );
    await client.indices.refresh({ index: `${prefix}-alerts` });
    const found = await client.search({ index: `${prefix}-alerts`, query: { term: { 'alert.id': id } } });
    assert.equal(found.hits.hits[0]?._index, `${prefix}-alerts-2026.11`, 'searchable through the alias');
  });

  it('changes nothing when the same detection is raised again (a replay)', async () => {
    const store = newStore();
    const id = uniqueName('alert');
    const raise = series(id);
    await store.raise(raise(0));
    const before = await stored(id);
    const again = await newStore().raise(raise(0));
    assert.equal(again.outcome, 'unchanged');
    assert.equal((await stored(id))._seq_no, before._seq_no, 'not written again');
  });

  it('folds later evidence into the alert of its id: count, last_seen, evidence', async () => {
    const store = newStore({ channels: () => ['slack'] });
    const id = uniqueName('alert');
    const raise = series(id);
    await store.raise(raise(0));
    const result = await store.raise(
      raise(0, { last_seen: minutesAfter(T0, 4), count: 3, evidence: { event_ids: ['e0', 'e3', 'e4'] } }),
    );
    assert.equal(result.outcome, 'updated');
    const { _source: alert } = await stored(id);
    assert.equal(alert.count, 3);
    assert.equal(alert.last_seen, minutesAfter(T0, 4));
    assert.deepEqual(alert.evidence.event_ids, ['e0', 'e3', 'e4']);
    assert.deepEqual(
      alert.notifications.map((entry) => entry.event),
      ['alert.opened', 'alert.updated'],
    );
  });

  it('suppresses: the same rule and entity within the window updates the open alert instead of opening another', async () => {
    const store = newStore();
    const first = uniqueName('alert');
    const who = entity();
    await store.raise(series(first, who)(0));
    const second = await store.raise(series(uniqueName('alert'), who)(50));
    assert.equal(second.outcome, 'updated');
    assert.equal(second.outcome === 'updated' && second.alert.alert.id, first);
    const { _source: alert } = await stored(first);
    assert.equal(alert.count, 2);
    assert.equal(alert.last_seen, minutesAfter(T0, 50));

    // The window runs from the alert's last_seen: 50 + 60 minutes is still in it, 50 + 61 is not.
    assert.equal((await store.raise(series(uniqueName('alert'), who)(110))).outcome, 'updated');
    const late = await store.raise(series(uniqueName('alert'), who)(171));
    assert.equal(late.outcome, 'opened');
    const otherEntity = await store.raise(series(uniqueName('alert'))(1));
    assert.equal(otherEntity.outcome, 'opened');
  });

  it('finds the alert to update by a search when it did not open it (another instance, a restart)', async () => {
    const id = uniqueName('alert');
    const who = entity();
    await newStore().raise(series(id, who)(0));
    await client.indices.refresh({ index: `${prefix}-alerts` });
    const result = await newStore().raise(series(uniqueName('alert'), who)(5));
    assert.equal(result.outcome === 'updated' && result.alert.alert.id, id);
  });

  it('keeps suppressing into an acknowledged alert, but a closed one no longer takes new activity', async () => {
    const store = newStore();
    const id = uniqueName('alert');
    const who = entity();
    await store.raise(series(id, who)(0));
    await store.acknowledge(id, 'alice');
    assert.equal((await store.raise(series(uniqueName('alert'), who)(1))).outcome, 'updated');
    await store.close(id, 'alice', 'handled');
    const next = await store.raise(series(uniqueName('alert'), who)(2));
    assert.equal(next.outcome, 'opened');
    assert.notEqual(next.outcome === 'opened' && next.alert.alert.id, id);
  });

  it('opens a successor for new activity under the id of a closed alert; a replay of it changes nothing', async () => {
    const store = newStore();
    const id = uniqueName('alert');
    const raise = series(id);
    await store.raise(raise(0));
    const closed = await store.close(id, 'alice');
    assert.equal((await store.raise(raise(0))).outcome, 'unchanged');

    const successor = await newStore().raise(raise(0, { count: 2, evidence: { event_ids: ['e0', 'e1'] } }));
    assert.equal(successor.outcome, 'opened');
    const closedAt = Date.parse(closed.status_history.at(-1)!.at);
    assert.equal(successor.outcome === 'opened' && successor.alert.alert.id, `${id}-after-${closedAt}`);
    assert.equal((await stored(id))._source.count, 1, 'the closed alert is left as it was');
    const replay = await newStore().raise(raise(0, { count: 2, evidence: { event_ids: ['e0', 'e1'] } }));
    assert.equal(replay.outcome, 'unchanged');
  });

  it('loses no update when instances write the same alert at once (optimistic concurrency)', async () => {
    const id = uniqueName('alert');
    const raise = series(id);
    await newStore().raise(raise(0));
    const stores = Array.from({ length: 6 }, () => newStore());
    const results = await Promise.all(stores.map((store, n) => store.raise(raise(n + 1))));
    assert.ok(results.every((result) => result.outcome === 'updated'));
    const [, assigned] = await Promise.all([newStore().raise(raise(9)), newStore().assign(id, 'carol', 'alice')]);
    assert.equal(assigned.assignee, 'carol');
    const { _source: alert } = await stored(id);
    assert.equal(alert.count, 8);
    assert.deepEqual(alert.evidence.event_ids.toSorted(), ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e9']);
    assert.equal(alert.last_seen, minutesAfter(T0, 9));
    assert.equal(alert.assignee, 'carol');
  });

  it('records acknowledge, assign and close with who, when and the note; refuses an invalid change', async () => {
    const id = uniqueName('alert');
    await newStore().raise(series(id)(0));
    const store = newStore({ channels: (event) => (event === 'alert.closed' ? ['pagerduty'] : []) });
    await store.acknowledge(id, 'alice');
    await store.assign(id, 'bob', 'alice', 'yours');
    const closed = await store.close(id, 'bob', 'root login was the yearly key rotation');
    assert.deepEqual(await newStore().get(id), closed);
    assert.equal(closed.status, 'closed');
    assert.deepEqual(
      closed.status_history.map(({ status, by, note, assignee }) => ({ status, by, note, assignee })),
      [
        { status: 'open', by: 'sentrail', note: undefined, assignee: undefined },
        { status: 'acknowledged', by: 'alice', note: undefined, assignee: undefined },
        { status: 'acknowledged', by: 'alice', note: 'yours', assignee: 'bob' },
        { status: 'closed', by: 'bob', note: 'root login was the yearly key rotation', assignee: undefined },
      ],
    );
    assert.ok(closed.status_history.every((change) => Date.parse(change.at) > Date.now() - 60_000));
    assert.deepEqual(
      closed.notifications.map(({ channel, event }) => ({ channel, event })),
      [{ channel: 'pagerduty', event: 'alert.closed' }],
    );

    await assert.rejects(store.acknowledge(id, 'carol'), AlertStateError);
    await assert.rejects(store.close(id, 'carol'), /cannot go from closed to closed/);
    await assert.rejects(store.assign(id, 'dave', 'carol'), /a closed alert cannot be assigned/);
    await assert.rejects(store.acknowledge(id, ''), /by\) is required/);
    assert.deepEqual(await store.get(id), closed, 'a refused change writes nothing');
  });

  it('answers an unknown id with AlertNotFoundError', async () => {
    await assert.rejects(newStore().acknowledge('no-such-alert', 'alice'), AlertNotFoundError);
  });

  it('does not raise what an exception mutes', async () => {
    const exceptions = new AlertExceptions(client, prefix);
    const who = entity();
    await exceptions.create({
      ruleId: 'aws-root-console-login',
      entityValue: who.value,
      reason: 'break-glass drill',
      by: 'alice',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const store = newStore({ exceptions });
    const id = uniqueName('alert');
    const now = new Date().toISOString();
    assert.deepEqual(await store.raise(series(id, who)(0, { first_seen: now, last_seen: now })), { outcome: 'muted' });
    await assert.rejects(store.get(id), AlertNotFoundError);
    assert.equal((await store.raise(series(id)(0))).outcome, 'opened', 'another entity is not muted');
  });
});
