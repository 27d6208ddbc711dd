// PCI DSS 10.6: clocks synchronised. The correlator compares every event's own time with when
// Sentrail received it (event.created) and raises sentrail_clock_skew for one dated after its receipt
// beyond the tolerance (services/correlator/src/checks/clock-skew.ts): a clock running ahead.
import { figure, quantity, type Cell, type MetricValue, type ReportQueries, type TermsBuckets } from '../queries.js';
import type { Section } from '../report.js';

const CLOCK_SKEW_RULE = 'sentrail_clock_skew';
/** Hosts (or users) listed with findings. */
const ENTITIES = 100;

type Findings = TermsBuckets<{ events: MetricValue; first: MetricValue; last: MetricValue }>;

export async function timeSyncSection(queries: ReportQueries): Promise<Section> {
  const [checked, findings] = await Promise.all([
    queries.count('Events checked against their receipt time', queries.indices.events, [
      queries.inRange(),
      { exists: { field: 'event.created' } },
    ]),
    queries.search<never, { entities: Findings; events: MetricValue }>(queries.indices.alerts, {
      size: 0,
      query: { bool: { filter: [queries.inRange('first_seen'), { term: { 'rule.name': CLOCK_SKEW_RULE } }] } },
      aggs: {
        events: { sum: { field: 'count' } },
        entities: {
          terms: { field: 'entity.value', size: ENTITIES },
          aggs: {
            events: { sum: { field: 'count' } },
            first: { min: { field: 'first_seen' } },
            last: { max: { field: 'last_seen' } },
          },
        },
      },
    }),
  ]);
  const { response, reproduce } = findings;
  const alerts = response.hits.total.value;
  const skewedEvents = response.aggregations?.events.value ?? 0;
  const entities = response.aggregations?.entities.buckets ?? [];
  return {
    id: '10.6',
    title: 'Time synchronization',
    requirement:
      'System clocks and time are synchronized using time-synchronization technology, so that the times recorded in audit logs can be relied on.',
    evidence: Number(checked.value) > 0 ? 'sufficient' : 'insufficient',
    why:
      Number(checked.value) > 0
        ? `Checked against when Sentrail received them: ${quantity(checked.value, 'event')}; ${quantity(alerts, 'clock-skew finding')} on ${quantity(entities.length, 'host or user', 'hosts or users')}.`
        : 'No event in the period carries the time Sentrail received it, so no clock was checked.',
    figures: [
      checked,
      figure('Clock-skew findings (sentrail_clock_skew alerts)', alerts, reproduce),
      figure('Events dated ahead of their receipt', skewedEvents, reproduce),
    ],
    tables: [
      {
        title: 'Clock-skew findings per host or user',
        columns: ['host or user', 'alerts', 'events', 'first seen', 'last seen'],
        rows: entities.map(({ key, doc_count, events, first, last }): Cell[] => [
          key,
          doc_count,
          events.value,
          first.value_as_string ?? null,
          last.value_as_string ?? null,
        ]),
        reproduce,
      },
    ],
  };
}
