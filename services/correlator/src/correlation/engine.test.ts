import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CorrelationEngine, type CorrelationAlert } from './engine.js';
import { MAX_EVIDENCE } from './group.js';
import { compileCorrelations, type CompiledCorrelation } from './rule.js';
import { compileOne, correlationDocument, loginEvent, MINUTE, RULES, T0 } from './testing.js';

/** One event as the correlator feeds it: id, document, matched rule ids, time. */
type Fed = [string, unknown, string[], number];

const FAILED = ['login-failed'];
const SUCCEEDED = ['login-succeeded'];
const ATTACKER = '203.0.113.66';

function feed(engine: CorrelationEngine, events: readonly Fed[]): CorrelationAlert[] {
  return events.flatMap(([id, document, rules, time]) => engine.process(id, document, rules, time));
}

/** `count` failed logins of `user` from `ip`, `step` ms apart from `start`, ids `<prefix>-<n>`. */
function failures(prefix: string, count: number, start: number, step: number, user = 'alice', ip = ATTACKER): Fed[] {
  return Array.from({ length: count }, (_, n) => [
    `${prefix}-${n}`,
    loginEvent(user, ip, 'failure'),
    FAILED,
    start + n * step,
  ]);
}

function success(id: string, time: number, user = 'alice', ip = ATTACKER): Fed {
  return [id, loginEvent(user, ip, 'success'), SUCCEEDED, time];
}

const bruteForce = compileOne(
  {
    type: 'event_count',
    rules: ['login-failed'],
    'group-by': ['source.ip'],
    timespan: '5m',
    condition: { gte: 10 },
  },
  { id: 'brute-force' },
);

const spraying = compileOne(
  {
    type: 'value_count',
    rules: ['login-failed'],
    'group-by': ['source.ip'],
    timespan: '10m',
    condition: { field: 'user.name', gte: 5 },
  },
  { id: 'password-spraying' },
);

function failedThenSucceeded(type: 'temporal' | 'temporal_ordered'): CompiledCorrelation {
  return compileOne(
    {
      type,
      rules: ['login-failed', 'login-succeeded'],
      'group-by': ['user.name'],
      timespan: '10m',
    },
    { id: type },
  );
}

function raised(alerts: readonly CorrelationAlert[]): CorrelationAlert[] {
  return alerts.filter(({ updated }) => !updated);
}

describe('correlation engine', () => {
  describe('event_count', () => {
    it('raises when the count is reached within the timespan', () => {
      const alerts = feed(new CorrelationEngine([bruteForce]), failures('f', 10, T0, 10_000));
      assert.deepEqual(alerts, [
        {
          alertId: createHash('sha256')
            .update(JSON.stringify([bruteForce.id, JSON.stringify([ATTACKER]), T0]))
            .digest('hex'),
          updated: false,
          correlationId: 'brute-force',
          title: 'Test correlation',
          level: 'high',
          tags: [],
          groupKey: { 'source.ip': ATTACKER },
          firstSeen: T0,
          lastSeen: T0 + 90_000,
          count: 10,
          eventIds: Array.from({ length: 10 }, (_, n) => `f-${n}`),
        },
      ]);
    });

    it('stays quiet below the count', () => {
      assert.deepEqual(feed(new CorrelationEngine([bruteForce]), failures('f', 9, T0, 10_000)), []);
    });

    it('does not count events spread beyond the timespan', () => {
      // One a minute: no 5 minutes hold more than 6 of the 30.
      assert.deepEqual(feed(new CorrelationEngine([bruteForce]), failures('f', 30, T0, MINUTE)), []);
    });

    it('counts each group apart', () => {
      const events = failures('a', 6, T0, 1000, 'alice', '198.51.100.1').flatMap((event, n) => [
        event,
        failures('b', 6, T0, 1000, 'bob', '198.51.100.2')[n]!,
      ]);
      const engine = new CorrelationEngine([bruteForce]);
      assert.deepEqual(feed(engine, events), []);
      const perIp = compileOne({ ...sectionOf(bruteForce), condition: { gte: 6 } });
      const alerts = feed(new CorrelationEngine([perIp]), events);
      assert.deepEqual(
        alerts.map(({ groupKey, eventIds }) => [groupKey, eventIds[0]]),
        [
          [{ 'source.ip': '198.51.100.1' }, 'a-0'],
          [{ 'source.ip': '198.51.100.2' }, 'b-0'],
        ],
      );
      assert.notEqual(alerts[0]!.alertId, alerts[1]!.alertId);
    });

    it('counts an event matching two of its rules once', () => {
      const either = compileOne({
        ...sectionOf(bruteForce),
        rules: ['login-failed', 'ssh-failed'],
        condition: { gte: 2 },
      });
      const engine = new CorrelationEngine([either]);
      assert.deepEqual(
        engine.process('e1', loginEvent('alice', ATTACKER, 'failure'), ['login-failed', 'ssh-failed'], T0),
        [],
      );
      assert.equal(engine.process('e2', loginEvent('alice', ATTACKER, 'failure'), ['ssh-failed'], T0 + 1).length, 1);
    });

    it('applies upper bounds to the count as each event arrives', () => {
      const few = compileOne({ ...sectionOf(bruteForce), condition: { gt: 1, lte: 3 } });
      const alerts = feed(new CorrelationEngine([few]), failures('f', 5, T0, 1000));
      // Raised on the 2nd event, updated on the 3rd, then the count is past the bound.
      assert.deepEqual(
        alerts.map(({ updated, count }) => [updated, count]),
        [
          [false, 2],
          [true, 3],
        ],
      );
    });
  });

  describe('value_count', () => {
    it('raises on distinct users failing from one address (password spraying)', () => {
      const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
      const events = users.flatMap((user, n) => failures(user, 1, T0 + n * MINUTE, 0, user));
      const alerts = feed(new CorrelationEngine([spraying]), events);
      assert.deepEqual(
        alerts.map(({ updated, count, eventIds, groupKey }) => [updated, count, eventIds, groupKey]),
        [
          [false, 5, ['alice-0', 'bob-0', 'carol-0', 'dave-0', 'erin-0'], { 'source.ip': ATTACKER }],
          [true, 6, ['alice-0', 'bob-0', 'carol-0', 'dave-0', 'erin-0', 'frank-0'], { 'source.ip': ATTACKER }],
        ],
      );
    });

    it('does not count repeats of one value, nor values from other addresses, nor events without the field', () => {
      const engine = new CorrelationEngine([spraying]);
      const repeats = failures('r', 50, T0, 1000, 'alice');
      const elsewhere = ['bob', 'carol', 'dave', 'erin'].flatMap((user, n) =>
        failures(user, 1, T0, 0, user, `198.51.100.${n}`),
      );
      const anonymous: Fed = ['x', { ...loginEvent('', ATTACKER, 'failure'), user: undefined }, FAILED, T0];
      assert.deepEqual(feed(engine, [...repeats, ...elsewhere, anonymous]), []);
    });

    it('forgets values older than the timespan', () => {
      const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
      // Four minutes apart: never five users within ten minutes.
      const events = users.flatMap((user, n) => failures(user, 1, T0 + n * 4 * MINUTE, 0, user));
      assert.deepEqual(feed(new CorrelationEngine([spraying]), events), []);
    });
  });

  describe('temporal', () => {
    it('raises when failures and a success of one user fall within the timespan, in any order', () => {
      for (const events of [
        [...failures('f', 3, T0, MINUTE), success('s', T0 + 5 * MINUTE)],
        [success('s', T0), ...failures('f', 3, T0 + MINUTE, MINUTE)],
      ]) {
        const alerts = feed(new CorrelationEngine([failedThenSucceeded('temporal')]), events);
        assert.equal(raised(alerts).length, 1);
        assert.deepEqual(alerts[0]!.groupKey, { 'user.name': 'alice' });
        assert.equal(alerts[0]!.firstSeen, T0);
      }
    });

    it('stays quiet when only one rule matched, the user differs or the timespan passed', () => {
      for (const events of [
        failures('f', 5, T0, MINUTE),
        [...failures('f', 3, T0, MINUTE), success('s', T0 + 4 * MINUTE, 'bob')],
        [...failures('f', 1, T0, MINUTE), success('s', T0 + 11 * MINUTE)],
      ]) {
        assert.deepEqual(feed(new CorrelationEngine([failedThenSucceeded('temporal')]), events), []);
      }
    });
  });

  describe('temporal_ordered', () => {
    it('raises when failures are followed by a success of the same user', () => {
      const events = [...failures('f', 8, T0, 10_000), success('s', T0 + 2 * MINUTE)];
      const alerts = feed(new CorrelationEngine([failedThenSucceeded('temporal_ordered')]), events);
      assert.equal(alerts.length, 1);
      assert.deepEqual(alerts[0]!.eventIds, [...events.map(([id]) => id)]);
      assert.equal(alerts[0]!.firstSeen, T0);
      assert.equal(alerts[0]!.lastSeen, T0 + 2 * MINUTE);
    });

    it('stays quiet when the success came first', () => {
      const events = [success('s', T0), ...failures('f', 8, T0 + MINUTE, 10_000)];
      assert.deepEqual(feed(new CorrelationEngine([failedThenSucceeded('temporal_ordered')]), events), []);
    });

    it('orders by event time, not arrival', () => {
      const events = [success('s', T0 + MINUTE), ...failures('f', 1, T0, 0)];
      assert.equal(feed(new CorrelationEngine([failedThenSucceeded('temporal_ordered')]), events).length, 1);
    });

    it('does not let one event be two steps', () => {
      const engine = new CorrelationEngine([failedThenSucceeded('temporal_ordered')]);
      assert.deepEqual(
        engine.process('both', loginEvent('alice', ATTACKER, 'success'), [...FAILED, ...SUCCEEDED], T0),
        [],
      );
    });
  });

  describe('bursts', () => {
    it('raises one alert per burst and updates it with the rest of the burst', () => {
      const alerts = feed(new CorrelationEngine([bruteForce]), failures('f', 150, T0, 1000));
      assert.equal(raised(alerts).length, 1);
      assert.equal(alerts.length, 141);
      assert.ok(alerts.every(({ alertId }) => alertId === alerts[0]!.alertId));
      const last = alerts.at(-1)!;
      assert.deepEqual(
        [last.updated, last.count, last.firstSeen, last.lastSeen, last.eventIds.length],
        [true, 150, T0, T0 + 149_000, MAX_EVIDENCE],
      );
      assert.deepEqual(last.eventIds.slice(0, 2), ['f-0', 'f-1']);
    });

    it('keeps a steady flood one alert, and starts a new one after a quiet timespan', () => {
      const engine = new CorrelationEngine([bruteForce]);
      // One every 20 s for an hour: always 15 in the last 5 minutes.
      const flood = feed(engine, failures('f', 180, T0, 20_000));
      assert.equal(new Set(flood.map(({ alertId }) => alertId)).size, 1);
      const next = feed(engine, failures('g', 10, T0 + 2 * 60 * MINUTE, 1000));
      assert.deepEqual(
        next.map(({ updated, firstSeen }) => [updated, firstSeen]),
        [[false, T0 + 2 * 60 * MINUTE]],
      );
      assert.notEqual(next[0]!.alertId, flood[0]!.alertId);
    });
  });

  describe('time', () => {
    it('places a slightly late event by its time and drops one older than the window', () => {
      const three = compileOne({ ...sectionOf(bruteForce), condition: { gte: 3 } });
      const engine = new CorrelationEngine([three]);
      const alerts = feed(engine, [
        ...failures('a', 1, T0 + 10 * MINUTE, 0),
        ...failures('late', 1, T0, 0),
        ...failures('b', 1, T0 + 11 * MINUTE, 0),
        ...failures('early', 1, T0 + 9 * MINUTE, 0),
      ]);
      assert.equal(engine.lateEvents, 1);
      assert.deepEqual(
        alerts.map(({ firstSeen, eventIds }) => [firstSeen, eventIds]),
        [[T0 + 9 * MINUTE, ['early-0', 'a-0', 'b-0']]],
      );
    });

    it('refuses an event without a valid time', () => {
      assert.throws(() => new CorrelationEngine([bruteForce]).process('e', {}, FAILED, Number.NaN), RangeError);
    });
  });

  describe('groups', () => {
    it('reads aliased fields per rule into one group', () => {
      const correlation = compileOne({
        type: 'temporal',
        rules: ['ssh-failed', 'login-succeeded'],
        'group-by': ['attacker'],
        timespan: '10m',
        aliases: { attacker: { 'ssh-failed': 'related.ip', 'login-succeeded': 'source.ip' } },
      });
      const engine = new CorrelationEngine([correlation]);
      engine.process('ssh', { related: { ip: [ATTACKER] } }, ['ssh-failed'], T0);
      const alerts = engine.process('login', loginEvent('alice', ATTACKER, 'success'), SUCCEEDED, T0 + MINUTE);
      assert.deepEqual(
        alerts.map(({ groupKey, eventIds }) => [groupKey, eventIds]),
        [[{ attacker: ATTACKER }, ['ssh', 'login']]],
      );
    });

    it('puts an event in a group per element of an array field, and in none when the field is missing', () => {
      const perIp = compileOne({ ...sectionOf(bruteForce), 'group-by': ['related.ip'], condition: { gte: 2 } });
      const engine = new CorrelationEngine([perIp]);
      assert.deepEqual(engine.process('none', { related: {} }, FAILED, T0), []);
      engine.process('e1', { related: { ip: ['192.0.2.1', '192.0.2.2'] } }, FAILED, T0);
      const alerts = engine.process('e2', { related: { ip: ['192.0.2.2', '192.0.2.1'] } }, FAILED, T0 + 1);
      assert.deepEqual(alerts.map(({ groupKey }) => groupKey['related.ip']).sort(), ['192.0.2.1', '192.0.2.2']);
      assert.equal(engine.trackedGroups(), 2);
    });

    it('keeps memory bounded under a flood of distinct keys', () => {
      const engine = new CorrelationEngine([bruteForce, spraying], { maxGroups: 10_000 });
      for (let n = 0; n < 100_000; n++) {
        const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
        engine.process(`e${n}`, loginEvent(`user${n}`, ip, 'failure'), FAILED, T0 + n);
      }
      assert.equal(engine.trackedGroups(bruteForce.id), 10_000);
      assert.equal(engine.trackedGroups(), 20_000);
      // The most recently fed groups are the ones kept.
      const alerts = feed(engine, failures('f', 9, T0 + 100_000, 1, 'x', '10.1.134.159'));
      assert.equal(raised(alerts).length, 1);
    });

    it('forgets groups idle for a timespan', () => {
      const engine = new CorrelationEngine([bruteForce]);
      for (let n = 0; n < 100; n++) engine.process(`e${n}`, loginEvent('u', `192.0.2.${n}`, 'failure'), FAILED, T0);
      assert.equal(engine.trackedGroups(), 100);
      engine.process('later', loginEvent('u', ATTACKER, 'failure'), FAILED, T0 + 6 * MINUTE);
      assert.equal(engine.trackedGroups(), 1);
    });
  });

  describe('replay', () => {
    it('gives the same alerts when the last timespan is re-read into a fresh engine', () => {
      const correlations = [
        bruteForce,
        spraying,
        failedThenSucceeded('temporal_ordered'),
        failedThenSucceeded('temporal'),
      ];
      const events = randomLogins(200, 4 * 60 * MINUTE);
      const end = events.at(-1)![3];
      const original = finalAlerts(feed(new CorrelationEngine(correlations), events));
      const compared: string[] = [];
      // Restarts at several points, each re-reading from the longest timespan before it.
      for (let restart = T0 + 30 * MINUTE; restart <= end; restart += 15 * MINUTE) {
        const from = restart - 10 * MINUTE;
        const replay = finalAlerts(
          feed(
            new CorrelationEngine(correlations),
            events.filter(([, , , time]) => time >= from),
          ),
        );
        for (const [alertId, alert] of original) {
          if (alert.firstSeen < from) continue;
          assert.deepEqual(replay.get(alertId), alert);
          compared.push(alert.correlationId);
        }
      }
      // Every type had alerts to compare.
      assert.deepEqual(new Set(compared), new Set(correlations.map(({ id }) => id)));
    });
  });
});

/** The `correlation:` section a compiled correlation came from, to vary one key. */
function sectionOf(correlation: CompiledCorrelation): Record<string, unknown> {
  return {
    type: correlation.type,
    rules: correlation.rules,
    'group-by': correlation.groupBy,
    timespan: `${correlation.timespan / 1000}s`,
    condition: { gte: correlation.condition.min },
  };
}

/** Each alert's last state. */
function finalAlerts(alerts: readonly CorrelationAlert[]): Map<string, CorrelationAlert> {
  return new Map(alerts.map((alert) => [alert.alertId, { ...alert, updated: false }]));
}

/**
 * Bursts of failed logins, some followed by a success, some spraying, from a few addresses,
 * overlapping in time, in time order, from a fixed seed.
 */
function randomLogins(bursts: number, duration: number): Fed[] {
  let seed = 42;
  const next = (limit: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    // The high bits: an LCG's low bits repeat with a short period.
    return Math.floor((seed / 2 ** 31) * limit);
  };
  const events: Fed[] = [];
  for (let burst = 0; burst < bursts; burst++) {
    const [user, ip, start, size] = [`user${next(6)}`, `198.51.100.${next(4)}`, T0 + next(duration), 1 + next(15)];
    // A third of the bursts spray: each attempt at another user.
    const spraying = next(3) === 0;
    for (let n = 0; n < size; n++) {
      const target = spraying ? `user${next(8)}` : user;
      events.push(...failures(`b${burst}`, 1, start + n * next(30_000), 0, target, ip));
    }
    if (next(2) === 0) events.push(success(`s${burst}`, start + size * 30_000 + next(MINUTE), user, ip));
  }
  return events.sort((a, b) => a[3] - b[3]).map(([, document, rules, time], n) => [`e${n}`, document, rules, time]);
}

describe('chained correlations', () => {
  const documents = [
    correlationDocument(
      {
        type: 'event_count',
        rules: ['login-failed'],
        'group-by': ['user.name'],
        timespan: '10m',
        condition: { gte: 3 },
      },
      { id: 'repeated-failures', name: 'repeated_failures' },
    ),
    correlationDocument(
      {
        type: 'temporal_ordered',
        rules: ['repeated_failures', 'login-succeeded'],
        'group-by': ['user.name'],
        timespan: '10m',
      },
      { id: 'success-after-failures' },
    ),
  ];
  // Given in the reverse of chain order: the engine orders them itself.
  const { correlations, refused } = compileCorrelations(
    documents.reverse().map((document, i) => ({ file: `${i}.yml`, document })),
    RULES,
  );
  const chainedAlerts = (events: Fed[]) =>
    feed(new CorrelationEngine(correlations), events).filter(
      (alert) => alert.correlationId === 'success-after-failures',
    );

  it('counts what a correlation raises as an event for the correlation chained to it', () => {
    assert.deepEqual(refused, []);
    const alerts = chainedAlerts([...failures('f', 3, T0, MINUTE), success('s', T0 + 4 * MINUTE)]);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.groupKey, { 'user.name': 'alice' });
    assert.deepEqual(alerts[0]!.eventIds, ['f-2', 's'], 'the event that made the failures a burst, then the success');
  });

  it('raises nothing for one mistyped password, nor for a success before the failures', () => {
    assert.deepEqual(chainedAlerts([...failures('f', 2, T0, MINUTE), success('s', T0 + 3 * MINUTE)]), []);
    assert.deepEqual(chainedAlerts([success('s', T0), ...failures('f', 3, T0 + MINUTE, MINUTE)]), []);
  });
});
