import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '@sentrail/lib/config';
import { createElastic } from '@sentrail/lib/elastic';
import { testConfig, uniqueName } from '@sentrail/lib/testing';
import { checkRetention, deleteExpiredIndices, scheduleRetention } from './retention.js';

/** A logger that keeps what it is given, level by level. */
function recordingLogger() {
  const entries: { level: string; fields: unknown; message: unknown }[] = [];
  const at = (level: string) => (fields: unknown, message?: unknown) => void entries.push({ level, fields, message });
  return { entries, warn: at('warn'), info: at('info'), error: at('error') };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const settings = { days: 400, allowUnder12Months: false, schedule: '17 1 * * *' };

describe('checkRetention', () => {
  it('refuses under 12 months, naming the key, the requirement and the override', () => {
    const logger = recordingLogger();
    assert.throws(
      () => checkRetention({ ...settings, days: 300 }, logger),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1);
        assert.match(error.problems[0]!, /^normalizer\.retention\.days: 300 days/);
        assert.match(error.message, /PCI DSS 10\.5\.1/);
        assert.match(error.message, /normalizer\.retention\.allowUnder12Months: true/);
        return true;
      },
    );
    assert.deepEqual(logger.entries, []);
  });

  it('allows under 12 months with the override, and logs a warning saying so', () => {
    const logger = recordingLogger();
    checkRetention({ ...settings, days: 300, allowUnder12Months: true }, logger);
    assert.equal(logger.entries.length, 1);
    assert.equal(logger.entries[0]!.level, 'warn');
    assert.match(String(logger.entries[0]!.message), /300 days .*PCI DSS 10\.5\.1.*allowUnder12Months/);
  });

  it('accepts 12 months and more without a warning', () => {
    const logger = recordingLogger();
    checkRetention({ ...settings, days: 400 }, logger);
    checkRetention({ ...settings, days: 365 }, logger);
    assert.deepEqual(logger.entries, []);
  });

  it('refuses a schedule cron cannot run, naming the key', () => {
    for (const schedule of ['every night', '61 1 * * *']) {
      assert.throws(
        () => checkRetention({ ...settings, schedule }, recordingLogger()),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.length === 1 &&
          error.problems[0]!.startsWith(`normalizer.retention.schedule: not a valid cron expression: "${schedule}"`),
      );
    }
  });

  it('reports both problems at once', () => {
    assert.throws(
      () => checkRetention({ ...settings, days: 30, schedule: 'never' }, recordingLogger()),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2,
    );
  });
});

describe('retention on Elasticsearch (real server)', () => {
  const prefix = uniqueName('test-retention');
  const client = createElastic(testConfig().elasticsearch);
  const events = (day: string) => `${prefix}-events-${day}`;
  const untouchable = [
    `${prefix}-alerts-2025.01`,
    `${prefix}-eu-events-2025.01.01`, // another prefix that starts with this one
    `${prefix}-events-2025.01.01-restored`, // matches the listing pattern, is not a daily index
    `${prefix}-events-2025.02.30`, // not a day
  ];
  const days = ['2025.01.01', '2026.05.14', '2026.05.15', '2026.05.16', '2026.06.15'];

  const remaining = async () =>
    (await client.cat.indices({ index: `${prefix}*`, format: 'json', h: 'index' })).map(({ index }) => index!).sort();

  before(async () => {
    for (const index of [...days.map(events), ...untouchable]) await client.indices.create({ index });
  });
  after(async () => {
    const left = await remaining();
    if (left.length > 0) await client.indices.delete({ index: left });
    await client.close();
  });

  it('deletes by name exactly the daily indices whose whole day is past the retention', async () => {
    // 30 days before noon on 15 June is noon on 16 May: 15 May is wholly older, 16 May is not.
    const deleted = await deleteExpiredIndices(client, prefix, 30, new Date('2026-06-15T12:00:00Z'));
    assert.deepEqual(deleted, ['2025.01.01', '2026.05.14', '2026.05.15'].map(events));
    assert.deepEqual(await remaining(), [...untouchable, events('2026.05.16'), events('2026.06.15')].sort());
  });

  it('deletes a day only once its last millisecond is past the retention', async () => {
    const endOf16May = Date.parse('2026-05-17T00:00:00Z') + 30 * 86_400_000;
    assert.deepEqual(await deleteExpiredIndices(client, prefix, 30, new Date(endOf16May - 1)), []);
    assert.deepEqual(await deleteExpiredIndices(client, prefix, 30, new Date(endOf16May)), [events('2026.05.16')]);
    assert.deepEqual(await remaining(), [...untouchable, events('2026.06.15')].sort());
  });

  it('runs on the schedule and logs what it deleted', async () => {
    await client.indices.create({ index: events('2000.01.01') });
    const logger = recordingLogger();
    const runs = scheduleRetention(client, prefix, { ...settings, schedule: '* * * * * *' }, logger);
    try {
      await waitFor(() => logger.entries.length > 0, 'a scheduled run');
    } finally {
      await runs.stop();
    }
    assert.equal(logger.entries[0]!.level, 'info');
    assert.deepEqual((logger.entries[0]!.fields as { deleted: string[] }).deleted, [events('2000.01.01')]);
    assert.deepEqual(await remaining(), [...untouchable, events('2026.06.15')].sort());
  });

  it('logs a failed run instead of throwing', async () => {
    const unreachable = createElastic({ ...testConfig().elasticsearch, node: 'http://127.0.0.1:9' });
    const logger = recordingLogger();
    const runs = scheduleRetention(unreachable, prefix, { ...settings, schedule: '* * * * * *' }, logger);
    try {
      await waitFor(() => logger.entries.length > 0, 'a scheduled run');
    } finally {
      await runs.stop();
      await unreachable.close();
    }
    assert.equal(logger.entries[0]!.level, 'error');
    assert.equal(logger.entries[0]!.message, 'retention run failed');
  });
});
