// PCI DSS 10.4.1 and 10.4.1.1: logs reviewed daily, by automated means. The correlator writes one
// review summary a day (services/correlator/src/checks/daily-review.ts, its `day` is the UTC day it
// ran); a whole day of the period without one is a day the review did not happen. The alerts opened
// in the period and how fast they were answered show the review is acted on.
import { alertResponse } from '../alert-response.js';
import { figure, quantity, type Cell, type ReportQueries } from '../queries.js';
import type { Section } from '../report.js';

/** More summaries than a period of 366 days can hold: all of them, in one answer. */
const MAX_REVIEWS = 1000;
/** Days without a summary named in `why`. */
const NAMED = 5;

interface Review {
  '@timestamp': string;
  day: string;
  events?: { total?: number; incomplete?: number };
  alerts?: { opened?: number; acknowledged?: number; closed?: number; open_now?: number };
}

export async function dailyReviewSection(queries: ReportQueries): Promise<Section> {
  const [reviews, alerts] = await Promise.all([
    queries.search<Review>(queries.indices.reviews, {
      size: MAX_REVIEWS,
      sort: [{ '@timestamp': 'asc' }],
      _source: ['@timestamp', 'day', 'events', 'alerts'],
      query: { bool: { filter: [queries.inRange()] } },
    }),
    alertResponse(queries),
  ]);
  const { reproduce } = reviews;
  const written = reviews.response.hits.hits.flatMap(({ _source }) => (_source ? [_source] : []));
  const reviewed = new Set(written.map((review) => review.day));
  const days = queries.wholeDays();
  const missing = days.filter((day) => !reviewed.has(day));
  return {
    id: '10.4.1',
    title: 'Daily review of audit logs',
    requirement:
      'Security events and the logs of critical system components and of components that store, process or transmit cardholder data are reviewed at least once daily, by automated mechanisms.',
    evidence: written.length > 0 && missing.length === 0 ? 'sufficient' : 'insufficient',
    why:
      written.length === 0
        ? 'No daily review summary was written in the period.'
        : missing.length > 0
          ? `Whole UTC days of the period without a daily review summary: ${missing.length} of ${days.length} (${missing.slice(0, NAMED).join(', ')}${missing.length > NAMED ? ', …' : ''}).`
          : `A daily review summary was written on every whole UTC day of the period (${days.length}); of ${quantity(alerts.raised, 'alert')} raised, ${alerts.acknowledged} acknowledged.`,
    figures: [
      figure('Daily review summaries written', written.length, reproduce),
      figure('Whole UTC days in the period', days.length, reproduce, 'days'),
      figure('Whole days without a summary', missing.length, reproduce, 'days'),
      ...alerts.figures,
    ],
    tables: [
      {
        title: 'Daily review summaries',
        columns: [
          'day',
          'written at',
          'events',
          'events lacking a 10.2.2 element',
          'alerts opened',
          'acknowledged',
          'closed',
          'open then',
        ],
        rows: written.map((review): Cell[] => [
          review.day,
          review['@timestamp'],
          review.events?.total ?? null,
          review.events?.incomplete ?? null,
          review.alerts?.opened ?? null,
          review.alerts?.acknowledged ?? null,
          review.alerts?.closed ?? null,
          review.alerts?.open_now ?? null,
        ]),
        reproduce,
      },
      { title: 'Days without a summary', columns: ['day'], rows: missing.map((day) => [day]), reproduce },
    ],
  };
}
