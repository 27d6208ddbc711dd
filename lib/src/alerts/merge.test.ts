import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVIDENCE, checkDetection, mergeDetection, openAlert, suppressedBy } from './merge.js';
import { detection, minutesAfter } from './testing.js';

const NOW = '2026-11-28T10:05:00.000Z';
const T0 = '2026-11-28T10:00:00.000Z';
const alert = openAlert(checkDetection(detection('a-1', { count: 2, evidence: { event_ids: ['e1', 'e2'] } })), NOW);
const more = (ids: string[], minutes = 1, count = ids.length) =>
  checkDetection(
    detection('a-2', { first_seen: T0, last_seen: minutesAfter(T0, minutes), count, evidence: { event_ids: ids } }),
  );

describe('a new alert', () => {
  it('is open, opened by sentrail, with the detection as it came', () => {
    assert.equal(alert.status, 'open');
    assert.deepEqual(alert.status_history, [{ status: 'open', by: 'sentrail', at: NOW }]);
    assert.equal(alert['@timestamp'], T0);
    assert.deepEqual(alert.evidence.event_ids, ['e1', 'e2']);
    assert.deepEqual(alert.notifications, []);
  });

  it('keeps at most MAX_EVIDENCE event ids but counts them all', () => {
    const ids = Array.from({ length: MAX_EVIDENCE + 5 }, (_, i) => `e${i}`);
    const big = openAlert(checkDetection(detection('a', { count: ids.length, evidence: { event_ids: ids } })), NOW);
    assert.equal(big.evidence.event_ids.length, MAX_EVIDENCE);
    assert.equal(big.count, MAX_EVIDENCE + 5);
  });
});

describe('checkDetection', () => {
  it('normalises timestamps to ISO UTC and drops repeated event ids', () => {
    const checked = checkDetection(
      detection('a', {
        first_seen: '2026-11-28T11:00:00+01:00',
        count: 2,
        evidence: { event_ids: ['e1', 'e1', 'e2'] },
      }),
    );
    assert.equal(checked.first_seen, T0);
    assert.deepEqual(checked.evidence.event_ids, ['e1', 'e2']);
  });

  it('refuses what would store a broken alert, naming the problem', () => {
    assert.throws(() => checkDetection(detection('')), /alert\.id is required/);
    assert.throws(() => checkDetection(detection('a', { last_seen: '2026-11-28T09:00:00Z' })), /first_seen is after/);
    assert.throws(() => checkDetection(detection('a', { first_seen: 'soon' })), /must be timestamps/);
    assert.throws(() => checkDetection(detection('a', { count: 0 })), /count must be/);
    const evidence = { event_ids: ['e1', 'e2'] };
    assert.throws(() => checkDetection(detection('a', { count: 1, evidence })), /count must be/);
    const rule = { id: 'r', name: 'R', severity: 'severe' as 'high' };
    assert.throws(() => checkDetection(detection('a', { rule })), /rule\.severity must be one of/);
  });
});

describe('mergeDetection', () => {
  it('adds new events: count, evidence and last_seen', () => {
    const merged = mergeDetection(alert, more(['e3'], 7))!;
    assert.equal(merged.count, 3);
    assert.deepEqual(merged.evidence.event_ids, ['e1', 'e2', 'e3']);
    assert.equal(merged.last_seen, minutesAfter(T0, 7));
    assert.equal(merged.first_seen, T0);
  });

  it('changes nothing for a replay, even a later one', () => {
    assert.equal(mergeDetection(alert, more(['e2', 'e1'], 30)), undefined);
  });

  it('counts only the events it did not know', () => {
    const merged = mergeDetection(alert, more(['e2', 'e3', 'e4']))!;
    assert.equal(merged.count, 4);
  });

  it('counts events the detection counted without listing them, when it brings something new', () => {
    assert.equal(mergeDetection(alert, more(['e3'], 1, 10))!.count, 12);
  });

  it('takes a detection without evidence ids by time: later adds its count, not later is a replay', () => {
    assert.equal(mergeDetection(alert, more([], 5, 4))!.count, 6);
    const same = checkDetection(detection('a-1', { count: 4, evidence: { event_ids: [] } }));
    assert.equal(mergeDetection(alert, same), undefined);
  });

  it('moves first_seen (and @timestamp) back for earlier events', () => {
    const earlier = checkDetection(
      detection('a-2', { first_seen: minutesAfter(T0, -3), evidence: { event_ids: ['e0'] } }),
    );
    const merged = mergeDetection(alert, earlier)!;
    assert.equal(merged.first_seen, minutesAfter(T0, -3));
    assert.equal(merged['@timestamp'], merged.first_seen);
    assert.equal(merged.last_seen, T0);
  });
});

describe('suppressedBy', () => {
  const later = (minutes: number) =>
    checkDetection(detection('a-3', { first_seen: minutesAfter(T0, minutes), last_seen: minutesAfter(T0, minutes) }));

  it('takes the same rule and entity within the window of an open or acknowledged alert', () => {
    assert.equal(suppressedBy(alert, later(60), 60 * 60_000), true);
    assert.equal(suppressedBy({ ...alert, status: 'acknowledged' }, later(10), 60 * 60_000), true);
  });

  it('leaves a detection past the window, of another entity or rule, or after the alert closed', () => {
    assert.equal(suppressedBy(alert, later(61), 60 * 60_000), false);
    assert.equal(suppressedBy(alert, later(-61), 60 * 60_000), false);
    const other = checkDetection(detection('a-4', { entity: { type: 'user', value: 'alice' } }));
    assert.equal(suppressedBy(alert, other, 60 * 60_000), false);
    const rule = { id: 'other-rule', name: 'Other', severity: 'high' as const };
    assert.equal(suppressedBy(alert, checkDetection(detection('a-5', { rule })), 60 * 60_000), false);
    assert.equal(suppressedBy({ ...alert, status: 'closed' }, later(1), 60 * 60_000), false);
  });
});
