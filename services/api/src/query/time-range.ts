// The time range every search, count, histogram, trail and report is bounded by: from <= @timestamp < to.
// Bounded in length too, so that a request cannot ask Elasticsearch to walk every index there is.
import { BadRequestError } from './bad-request.js';

export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

export interface TimeRange {
  /** Inclusive, ISO 8601 in UTC. */
  from: string;
  /** Exclusive, ISO 8601 in UTC. */
  to: string;
}

/**
 * `where` names the values in messages: the request part they came from (`body` gives `body/from`,
 * `querystring` gives `querystring/from`), or each one's own name (a command's `--from`, `--to`).
 */
export function checkTimeRange(from: unknown, to: unknown, where: string | { from: string; to: string }): TimeRange {
  const names = typeof where === 'string' ? { from: `${where}/from`, to: `${where}/to` } : where;
  const start = instant(from, names.from);
  const end = instant(to, names.to);
  if (end <= start) throw new BadRequestError(`${names.to} must be later than ${names.from}`);
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw new BadRequestError(`${names.from} to ${names.to} spans more than ${MAX_RANGE_DAYS} days`);
  return { from: start.toISOString(), to: end.toISOString() };
}

function instant(value: unknown, name: string): Date {
  if (value === undefined) throw new BadRequestError(`${name} is required`);
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new BadRequestError(`${name} must be an ISO 8601 date-time`);
  return date;
}
