// PCI DSS 10.5.1: audit logs are kept 12 months. Daily event indices past the configured retention
// are deleted on a schedule; a configuration below 12 months is refused unless explicitly allowed.
import { ConfigError, type SentrailConfig } from '@sentrail/lib/config';
import type { ElasticClient } from '@sentrail/lib/elastic';
import type { Logger } from '@sentrail/lib/logger';
import { scheduleProblem, ScheduledRuns } from '@sentrail/lib/schedule';

export type RetentionSettings = SentrailConfig['normalizer']['retention'];

/** What PCI DSS 10.5.1 asks for, in days. */
export const TWELVE_MONTHS_DAYS = 365;
const DAY_MS = 86_400_000;
/** Index names per delete request: 50 names of ~30 characters keep the URL well under 4 KiB. */
const DELETE_CHUNK = 50;

/** Refuses a retention under 12 months without the override, and a schedule cron cannot run; at start. */
export function checkRetention(settings: RetentionSettings, logger: Pick<Logger, 'warn'>): void {
  const problems: string[] = [];
  if (settings.days < TWELVE_MONTHS_DAYS) {
    if (settings.allowUnder12Months) {
      logger.warn(
        { retention: settings },
        `retention of ${settings.days} days is under the 12 months PCI DSS 10.5.1 asks for: ` +
          'allowed by normalizer.retention.allowUnder12Months',
      );
    } else {
      problems.push(
        `normalizer.retention.days: ${settings.days} days is under the 12 months (${TWELVE_MONTHS_DAYS} days) ` +
          'PCI DSS 10.5.1 asks for; to keep less anyway, set normalizer.retention.allowUnder12Months: true',
      );
    }
  }
  const schedule = scheduleProblem('normalizer.retention.schedule', settings.schedule);
  if (schedule) problems.push(schedule);
  if (problems.length > 0) throw new ConfigError('normalizer.retention', problems);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The UTC day a `<prefix>-events-YYYY.MM.DD` index holds, or undefined for any other name. */
function indexDay(name: string, prefix: string): number | undefined {
  const match = new RegExp(`^${escapeRegExp(prefix)}-events-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`).exec(name);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const start = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026.02.30 over into March: such a name is not one Sentrail writes.
  return new Date(start).getUTCDate() === day && new Date(start).getUTCMonth() === month - 1 ? start : undefined;
}

/**
 * Deletes the daily event indices whose whole day lies more than `days` days before `now`, by name
 * (the server refuses wildcard deletes); returns the names deleted. Other indices are never touched.
 */
export async function deleteExpiredIndices(
  client: ElasticClient,
  prefix: string,
  days: number,
  now: Date = new Date(),
): Promise<string[]> {
  const listed = await client.cat.indices({
    index: `${prefix}-events-*`,
    format: 'json',
    h: 'index',
    expand_wildcards: ['open', 'closed'],
  });
  const cutoff = now.getTime() - days * DAY_MS;
  const expired = listed
    .map(({ index }) => index)
    .filter((name): name is string => {
      const day = name === undefined ? undefined : indexDay(name, prefix);
      return day !== undefined && day + DAY_MS <= cutoff;
    })
    .sort();
  for (let start = 0; start < expired.length; start += DELETE_CHUNK) {
    // ignore_unavailable: another instance's job may have deleted some of them a moment ago.
    await client.indices.delete({ index: expired.slice(start, start + DELETE_CHUNK), ignore_unavailable: true });
  }
  return expired;
}

/** Runs deleteExpiredIndices on the schedule (started); stop() waits for a run in hand. */
export function scheduleRetention(
  client: ElasticClient,
  prefix: string,
  settings: RetentionSettings,
  logger: Pick<Logger, 'info' | 'error'>,
): ScheduledRuns {
  const runs = new ScheduledRuns(
    settings.schedule,
    async () => {
      const deleted = await deleteExpiredIndices(client, prefix, settings.days);
      logger.info({ deleted, retention_days: settings.days }, `retention deleted ${deleted.length} event indices`);
    },
    logger,
    'retention',
  );
  runs.start();
  return runs;
}
