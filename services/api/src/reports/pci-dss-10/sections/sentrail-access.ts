// PCI DSS 10.2.1.3, the part about Sentrail itself: it holds the audit logs, so every request to its
// API is an access to audit logs (services/api/src/audit/access-log.ts). Who made them, with which
// key and role, and what left Sentrail as exports.
import { figure, listedTitle, type MetricValue, type ReportQueries } from '../queries.js';
import type { Section } from '../report.js';

/** Distinct user, key and role combinations listed: one page of the composite aggregation. */
const ACCESSORS = 1000;
/** Exports listed, oldest first. */
const EXPORTS = 100;
/** Filled in for requests made without a (known) key. */
const NOBODY = '(no key)';

interface Accessor {
  key: { user: string | null; key: string | null; role: string | null };
  doc_count: number;
  refused: { doc_count: number };
  last: MetricValue;
}

interface ExportEvent {
  '@timestamp': string;
  user?: { name?: string; id?: string };
  sentrail: {
    access: { route: string; key_id?: string; role?: string; query?: string; rows?: number; format?: string };
  };
}

const accessOf = (queries: ReportQueries) => [queries.inRange(), { term: { 'event.dataset': 'sentrail.access' } }];

async function accessors(queries: ReportQueries) {
  const missing = (field: string) => ({ terms: { field, missing_bucket: true } });
  const { response, reproduce } = await queries.search<never, { accessors: { buckets: Accessor[] } }>(
    queries.indices.events,
    {
      size: 0,
      query: { bool: { filter: accessOf(queries) } },
      aggs: {
        accessors: {
          composite: {
            size: ACCESSORS,
            sources: [
              { user: missing('user.name') },
              { key: missing('sentrail.access.key_id') },
              { role: missing('sentrail.access.role') },
            ],
          },
          aggs: {
            refused: { filter: { terms: { 'http.response.status_code': [401, 403] } } },
            last: { max: { field: '@timestamp' } },
          },
        },
      },
    },
  );
  return {
    figure: figure("Requests to Sentrail's API", response.hits.total.value, reproduce),
    table: {
      title: 'Who accessed Sentrail',
      columns: ['user', 'key id', 'role', 'requests', 'refused (401/403)', 'last request'],
      rows: (response.aggregations?.accessors.buckets ?? []).map(({ key, doc_count, refused, last }) => [
        key.user ?? NOBODY,
        key.key ?? NOBODY,
        key.role ?? NOBODY,
        doc_count,
        refused.doc_count,
        last.value_as_string ?? null,
      ]),
      reproduce,
    },
  };
}

async function exports(queries: ReportQueries) {
  const { response, reproduce } = await queries.search<ExportEvent, { rows: MetricValue }>(queries.indices.events, {
    size: EXPORTS,
    sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
    _source: ['@timestamp', 'user.name', 'user.id', 'sentrail.access'],
    // The export routes (/v1/exports) answer with rows; their manifest and key routes do not.
    query: {
      bool: {
        filter: [
          ...accessOf(queries),
          { prefix: { 'sentrail.access.route': '/v1/export' } },
          { exists: { field: 'sentrail.access.rows' } },
        ],
      },
    },
    aggs: { rows: { sum: { field: 'sentrail.access.rows' } } },
  });
  const total = response.hits.total.value;
  return {
    figures: [
      figure('Exports', total, reproduce),
      figure('Rows exported', response.aggregations?.rows.value ?? 0, reproduce, 'rows'),
    ],
    table: {
      title: listedTitle('Exports', response.hits.hits.length, total),
      columns: ['time', 'user', 'key id', 'role', 'route', 'query', 'rows', 'format'],
      rows: response.hits.hits.map(({ _source: event }) => {
        const access = event?.sentrail.access;
        return [
          event?.['@timestamp'] ?? null,
          event?.user?.name ?? NOBODY,
          access?.key_id ?? NOBODY,
          access?.role ?? NOBODY,
          access?.route ?? null,
          access?.query ?? null,
          access?.rows ?? null,
          access?.format ?? null,
        ];
      }),
      reproduce,
    },
  };
}

export async function sentrailAccess(queries: ReportQueries): Promise<Pick<Section, 'figures' | 'tables'>> {
  const [who, exported] = await Promise.all([accessors(queries), exports(queries)]);
  return { figures: [who.figure, ...exported.figures], tables: [who.table, exported.table] };
}
