// How people answered the alerts opened in the period (first_seen inside it): how many were
// acknowledged and closed, and how long that took, from the times the alert store records on each
// alert (response.time_to_acknowledge_ms, response.time_to_close_ms; lib/src/alerts/lifecycle.ts).
import { figure, minutes, type MetricValue, type ReportQueries } from './queries.js';
import type { Figure, Reproduce } from './report.js';

interface ResponseAggregations {
  acknowledged: { doc_count: number };
  closed: { doc_count: number };
  acknowledge_avg: MetricValue;
  acknowledge_max: MetricValue;
  close_avg: MetricValue;
  close_max: MetricValue;
}

export interface AlertResponse {
  raised: number;
  acknowledged: number;
  closed: number;
  /** Average time to acknowledge, in minutes; null when none was. */
  acknowledgeAverage: number | null;
  reproduce: Reproduce;
  figures: Figure[];
}

/** `filters` narrow the alerts beyond the period (a rule, a requirement); none: every alert. */
export async function alertResponse(
  queries: ReportQueries,
  filters: Record<string, unknown>[] = [],
): Promise<AlertResponse> {
  const { response, reproduce } = await queries.search<never, ResponseAggregations>(queries.indices.alerts, {
    size: 0,
    query: { bool: { filter: [queries.inRange('first_seen'), ...filters] } },
    aggs: {
      acknowledged: { filter: { exists: { field: 'response.acknowledged_at' } } },
      closed: { filter: { exists: { field: 'response.closed_at' } } },
      acknowledge_avg: { avg: { field: 'response.time_to_acknowledge_ms' } },
      acknowledge_max: { max: { field: 'response.time_to_acknowledge_ms' } },
      close_avg: { avg: { field: 'response.time_to_close_ms' } },
      close_max: { max: { field: 'response.time_to_close_ms' } },
    },
  });
  const aggregations = response.aggregations;
  const raised = response.hits.total.value;
  const acknowledged = aggregations?.acknowledged.doc_count ?? 0;
  const closed = aggregations?.closed.doc_count ?? 0;
  const acknowledgeAverage = minutes(aggregations?.acknowledge_avg.value);
  return {
    raised,
    acknowledged,
    closed,
    acknowledgeAverage,
    reproduce,
    figures: [
      figure('Alerts raised', raised, reproduce),
      figure('Alerts acknowledged', acknowledged, reproduce),
      figure('Alerts closed', closed, reproduce),
      figure('Average time to acknowledge', acknowledgeAverage, reproduce, 'min'),
      figure('Longest time to acknowledge', minutes(aggregations?.acknowledge_max.value), reproduce, 'min'),
      figure('Average time to close', minutes(aggregations?.close_avg.value), reproduce, 'min'),
      figure('Longest time to close', minutes(aggregations?.close_max.value), reproduce, 'min'),
    ],
  };
}
