// A date in a query stands for the span it names: `2026-11-28` is that whole day, `2026-11` the
// month, `2026-11-28T10:00` the minute. So `@timestamp:2026-11-28` is every event of the day,
// `@timestamp > 2026-11-28` starts the next day and `@timestamp <= 2026-11-28` ends with it. ISO 8601
// only; without a zone, UTC (the time every index and timestamp is in).

export interface DateSpan {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
}

const ISO_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/i;

const MINUTE_MS = 60_000;

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: that reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date;
}

export function parseDateSpan(text: string): DateSpan | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month ?? '1', day ?? '1', hour ?? '0', minute ?? '0', second ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const local = utc(...parts, ms);
  // Rolled over (2026-02-30 is March 2nd to Date): not a date.
  if (
    local.getUTCMonth() + 1 !== parts[1] ||
    local.getUTCDate() !== parts[2] ||
    local.getUTCHours() !== parts[3] ||
    parts[4] > 59 ||
    parts[5] > 59
  )
    return undefined;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const start = new Date(local.getTime() - offset * MINUTE_MS);
  const end =
    fraction !== undefined
      ? new Date(start.getTime() + 1)
      : second !== undefined
        ? new Date(start.getTime() + 1000)
        : minute !== undefined
          ? new Date(start.getTime() + MINUTE_MS)
          : day !== undefined
            ? utc(parts[0], parts[1], parts[2] + 1)
            : month !== undefined
              ? utc(parts[0], parts[1] + 1, 1)
              : utc(parts[0] + 1, 1, 1);
  return { start, end };
}

/** The zone's offset from UTC in minutes; undefined for an impossible one. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
