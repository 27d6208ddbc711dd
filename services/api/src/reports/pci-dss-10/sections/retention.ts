// PCI DSS 10.5.1: twelve months of audit logs kept, three at hand. What Sentrail is configured to keep
// (normalizer.retention; services/normalizer/src/retention.ts deletes older daily indices), the
// oldest event it holds today, and its daily event indices per month. Everything held is searchable,
// so all of it is at hand. This is the state when the report is made, not of the period.
import { figure, quantity, type MetricValue, type ReportQueries } from '../queries.js';
import type { ReportOptions, Section } from '../report.js';

/** What PCI DSS 10.5.1 asks for, in days (as services/normalizer/src/retention.ts counts it). */
const TWELVE_MONTHS_DAYS = 365;

interface CatIndex {
  index: string;
  'docs.count': string | null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Daily indices and their documents per month, by the YYYY.MM of `<prefix>-events-YYYY.MM.DD`. */
function perMonth(prefix: string, indices: CatIndex[]): [string, number, number][] {
  const daily = new RegExp(`^${escapeRegExp(prefix)}-events-(\\d{4})\\.(\\d{2})\\.\\d{2}$`);
  const months = new Map<string, { indices: number; documents: number }>();
  for (const { index, 'docs.count': docs } of indices) {
    const match = daily.exec(index);
    if (!match) continue;
    const month = `${match[1]}-${match[2]}`;
    const totals = months.get(month) ?? { indices: 0, documents: 0 };
    months.set(month, { indices: totals.indices + 1, documents: totals.documents + Number(docs ?? 0) });
  }
  return [...months]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, { indices, documents }]) => [month, indices, documents]);
}

export async function retentionSection(
  queries: ReportQueries,
  retention: ReportOptions['retention'],
): Promise<Section> {
  const [oldest, cat] = await Promise.all([
    queries.search<never, { oldest: MetricValue }>(queries.indices.events, {
      size: 0,
      aggs: { oldest: { min: { field: '@timestamp' } } },
    }),
    queries.send<CatIndex[]>({
      method: 'GET',
      path: `/_cat/indices/${queries.indices.events}-*?format=json&h=index,docs.count&s=index`,
    }),
  ]);
  const oldestEvent = oldest.response.aggregations?.oldest.value_as_string ?? null;
  const months = perMonth(queries.prefix, cat.response);
  const dailyIndices = months.reduce((sum, [, indices]) => sum + indices, 0);
  const configured = { configuration: 'normalizer.retention.days (sentrail.yaml)' };
  const short = retention.days < TWELVE_MONTHS_DAYS;
  return {
    id: '10.5.1',
    title: 'Audit log history retained',
    requirement:
      'Audit log history is retained for at least 12 months, with at least the most recent three months immediately available for analysis.',
    evidence: !short && oldestEvent ? 'sufficient' : 'insufficient',
    why: short
      ? `The configured retention of ${retention.days} days is under the 12 months PCI DSS 10.5.1 asks for${retention.allowUnder12Months ? ' (allowed by normalizer.retention.allowUnder12Months)' : ''}.`
      : oldestEvent
        ? `Events are kept ${retention.days} days and all of them are searchable; the oldest held is from ${oldestEvent}, in ${quantity(dailyIndices, 'daily index', 'daily indices')}.`
        : 'Sentrail holds no event at all.',
    figures: [
      figure('Configured retention', retention.days, configured, 'days'),
      figure('Retention under 12 months allowed', retention.allowUnder12Months ? 'yes' : 'no', {
        configuration: 'normalizer.retention.allowUnder12Months (sentrail.yaml)',
      }),
      figure('Oldest event held', oldestEvent, oldest.reproduce),
      figure('Daily event indices held', dailyIndices, cat.reproduce, 'indices'),
    ],
    tables: [
      {
        title: 'Daily event indices per month',
        columns: ['month', 'daily indices', 'events'],
        rows: months,
        reproduce: cat.reproduce,
      },
    ],
  };
}
