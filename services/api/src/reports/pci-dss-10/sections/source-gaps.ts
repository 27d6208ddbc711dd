// PCI DSS 10.2.1: audit logs enabled and active for every source. Events per UTC day for each source
// (event.dataset) and each account: a whole day inside the period without a single event is a gap,
// logging that may have stopped. Sources heard in the week before the period are included, so one
// that fell silent all through the period shows as one long gap rather than not at all; the days
// before a source's first event in that window are not gaps (it was not connected yet).
import {
  DAY_MS,
  figure,
  quantity,
  type Cell,
  type MetricValue,
  type ReportQueries,
  type TermsBuckets,
} from '../queries.js';
import type { Section } from '../report.js';

/** How far before the period a source counts as one that should still be heard. */
const LOOKBACK_MS = 7 * DAY_MS;
/** Sources and accounts looked at. */
const BUCKETS = 100;

type PerDay = TermsBuckets<{
  first: MetricValue;
  period: { doc_count: number; days: { buckets: { key: number; doc_count: number }[] } };
}>;

interface Gap {
  kind: 'source' | 'account';
  name: string;
  from: string;
  to: string;
  days: number;
}

/** Runs of consecutive empty days among `days`, given the events counted per day. */
function gapsOf(kind: Gap['kind'], name: string, days: string[], counts: Map<string, number>): Gap[] {
  const gaps: Gap[] = [];
  let run: string[] = [];
  for (const day of [...days, undefined]) {
    if (day !== undefined && !counts.get(day)) {
      run.push(day);
      continue;
    }
    if (run.length > 0) gaps.push({ kind, name, from: run[0]!, to: run.at(-1)!, days: run.length });
    run = [];
  }
  return gaps;
}

export async function sourceGapsSection(queries: ReportQueries): Promise<Section> {
  const { from, to } = queries.range;
  // The histogram's days run to the end of the period or now, whichever comes first.
  const last = Math.max(Math.min(Date.parse(to), queries.now.getTime()) - 1, Date.parse(from));
  const perDay = {
    filter: queries.inRange(),
    aggs: {
      days: {
        date_histogram: {
          field: '@timestamp',
          calendar_interval: '1d',
          min_doc_count: 0,
          extended_bounds: { min: from, max: new Date(last).toISOString() },
        },
      },
    },
  };
  const first = { min: { field: '@timestamp' } };
  const heard = { gte: new Date(Date.parse(from) - LOOKBACK_MS).toISOString(), lt: to };
  const { response, reproduce } = await queries.search<never, { sources: PerDay; accounts: PerDay }>(
    queries.indices.events,
    {
      size: 0,
      query: { bool: { filter: [{ range: { '@timestamp': heard } }] } },
      aggs: {
        sources: { terms: { field: 'event.dataset', size: BUCKETS }, aggs: { first, period: perDay } },
        accounts: { terms: { field: 'cloud.account.id', size: BUCKETS }, aggs: { first, period: perDay } },
      },
    },
  );
  const wholeDays = queries.wholeDays();
  const rows: Cell[][] = [];
  const gaps: Gap[] = [];
  for (const kind of ['source', 'account'] as const) {
    const buckets = response.aggregations?.[kind === 'source' ? 'sources' : 'accounts'].buckets ?? [];
    for (const { key, first, period } of buckets) {
      const counts = new Map(
        period.days.buckets.map((bucket) => [new Date(bucket.key).toISOString().slice(0, 10), bucket.doc_count]),
      );
      const firstDay = first.value_as_string?.slice(0, 10) ?? '';
      const days = wholeDays.filter((day) => day >= firstDay);
      const silent = days.filter((day) => !counts.get(day)).length;
      rows.push([kind, key, first.value_as_string ?? null, period.doc_count, days.length - silent, silent]);
      gaps.push(...gapsOf(kind, key, days, counts));
    }
  }
  const sources = response.aggregations?.sources.buckets.filter(({ period }) => period.doc_count > 0).length ?? 0;
  const accounts = response.aggregations?.accounts.buckets.filter(({ period }) => period.doc_count > 0).length ?? 0;
  const named = gaps
    .slice(0, 3)
    .map((gap) => `${gap.kind} ${gap.name} from ${gap.from} to ${gap.to}`)
    .join('; ');
  return {
    id: '10.2.1',
    title: 'Audit logs enabled and active: sources and gaps',
    requirement: 'Audit logs are enabled and active for all system components and cardholder data.',
    evidence: sources > 0 && gaps.length === 0 ? 'sufficient' : 'insufficient',
    why:
      sources === 0
        ? 'No source delivered any event in the period.'
        : gaps.length > 0
          ? `${quantity(gaps.length, 'gap')} of one whole UTC day or more without events: ${named}${gaps.length > 3 ? '; …' : ''}.`
          : `Each of ${quantity(sources, 'source')} and ${quantity(accounts, 'account')} delivered events on every whole UTC day of the period (${wholeDays.length}).`,
    figures: [
      figure('Sources with events in the period', sources, reproduce),
      figure('Accounts with events in the period', accounts, reproduce),
      figure('Whole UTC days in the period', wholeDays.length, reproduce, 'days'),
      figure('Gaps (whole days without events)', gaps.length, reproduce),
    ],
    tables: [
      {
        title: 'Sources and accounts heard in the period or the 7 days before',
        columns: ['kind', 'name', 'first event', 'events in the period', 'days with events', 'days without'],
        rows,
        reproduce,
      },
      {
        title: 'Gaps',
        columns: ['kind', 'name', 'first day', 'last day', 'days'],
        rows: gaps.map((gap) => [gap.kind, gap.name, gap.from, gap.to, gap.days]),
        reproduce,
      },
    ],
  };
}
