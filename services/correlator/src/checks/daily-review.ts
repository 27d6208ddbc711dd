// PCI DSS 10.4.1: the logs are reviewed daily. Each day the correlator writes what the last 24 hours
// held: events by source, events lacking a 10.2.2 element, alerts opened by severity, alerts
// acknowledged and closed, alerts still open. One document a day (its id is the day), so a rerun
// rewrites the day's summary rather than adding another. Figures come from plain aggregations, so
// each can be reproduced with the same query.
import { aliases, monthlyIndexName, type ElasticClient } from '@sentrail/lib/elastic';

export interface DailyReview {
  '@timestamp': string;
  day: string;
  period: { from: string; to: string };
  events: { total: number; incomplete: number; by_dataset: { dataset: string; count: number }[] };
  alerts: {
    opened: number;
    acknowledged: number;
    closed: number;
    open_now: number;
    by_severity: { severity: string; count: number }[];
  };
}

const DAY_MS = 86_400_000;

interface Buckets {
  buckets: { key: string; doc_count: number }[];
}

/** Alerts looked at per review: status changes beyond this in one day are counted on the ones seen. */
const MAX_CHANGED = 10_000;

/**
 * Acknowledgements and closes recorded in the period, counted entry by entry: status_history is a
 * plain object list, so a query alone would pair one entry's status with another's time.
 */
async function statusChanges(client: ElasticClient, index: string, from: string, to: string) {
  const found = await client.search<{ status_history?: { status: string; at: string }[] }>({
    index,
    size: MAX_CHANGED,
    ignore_unavailable: true,
    _source: ['status_history'],
    query: { range: { 'status_history.at': { gte: from, lt: to } } },
  });
  const counts = { acknowledged: 0, closed: 0 };
  for (const hit of found.hits.hits)
    for (const change of hit._source?.status_history ?? [])
      if ((change.status === 'acknowledged' || change.status === 'closed') && change.at >= from && change.at < to)
        counts[change.status]++;
  return counts;
}

export async function dailyReview(client: ElasticClient, prefix: string, now: Date): Promise<DailyReview> {
  const to = now.toISOString();
  const from = new Date(now.getTime() - DAY_MS).toISOString();
  const { events, alerts } = aliases(prefix);
  await client.indices.refresh({ index: [events, alerts], ignore_unavailable: true });
  const inPeriod = (field: string) => ({ range: { [field]: { gte: from, lt: to } } });
  const eventFigures = await client.search<unknown, { datasets: Buckets; incomplete: { doc_count: number } }>({
    index: events,
    size: 0,
    track_total_hits: true,
    ignore_unavailable: true,
    query: { bool: { filter: [inPeriod('@timestamp')] } },
    aggs: {
      datasets: { terms: { field: 'event.dataset', size: 100 } },
      incomplete: { filter: { term: { 'pci_dss.complete': false } } },
    },
  });
  const opened = await client.search<unknown, { severities: Buckets }>({
    index: alerts,
    size: 0,
    track_total_hits: true,
    ignore_unavailable: true,
    query: { bool: { filter: [inPeriod('first_seen')] } },
    aggs: { severities: { terms: { field: 'rule.severity', size: 10 } } },
  });
  const openNow = await client.count({
    index: alerts,
    ignore_unavailable: true,
    query: { bool: { must_not: [{ term: { status: 'closed' } }] } },
  });
  const total = (hits: { total?: number | { value: number } }) =>
    typeof hits.total === 'number' ? hits.total : (hits.total?.value ?? 0);
  return {
    '@timestamp': to,
    day: to.slice(0, 10),
    period: { from, to },
    events: {
      total: total(eventFigures.hits),
      incomplete: eventFigures.aggregations?.incomplete.doc_count ?? 0,
      by_dataset: (eventFigures.aggregations?.datasets.buckets ?? []).map(({ key, doc_count }) => ({
        dataset: key,
        count: doc_count,
      })),
    },
    alerts: {
      opened: total(opened.hits),
      ...(await statusChanges(client, alerts, from, to)),
      open_now: openNow.count,
      by_severity: (opened.aggregations?.severities.buckets ?? []).map(({ key, doc_count }) => ({
        severity: key,
        count: doc_count,
      })),
    },
  };
}

/** Writes the day's summary under the day's id: a second run the same day replaces it. */
export async function writeDailyReview(client: ElasticClient, prefix: string, review: DailyReview): Promise<void> {
  await client.index({
    index: monthlyIndexName(aliases(prefix).reviews, review['@timestamp']),
    id: review.day,
    document: review,
    refresh: 'wait_for',
  });
}
