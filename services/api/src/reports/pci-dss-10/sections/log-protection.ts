// PCI DSS 10.3.2–10.3.4: audit logs protected from modification and integrity-monitored. Sentrail's
// validations of CloudTrail digest files (services/ingest/src/sources/cloudtrail-digest.ts: a broken
// chain is the problem `chain_gap`), Wazuh FIM alerts on log files, and writes Elasticsearch refused
// as duplicates (every write is a create: nothing already stored is overwritten). That last figure is
// a Prometheus counter only, so the report prints the query instead of a number.
import {
  figure,
  listedTitle,
  quantity,
  type Cell,
  type MetricValue,
  type ReportQueries,
  type TermsBuckets,
} from '../queries.js';
import type { Section, Table } from '../report.js';

/** The Sigma rule of Wazuh FIM on log directories (rules/wazuh/wazuh_log_file_integrity_changed.yml). */
const LOG_FILE_FIM_RULE = 'wazuh_log_file_integrity_changed';
/** Failed digests and FIM alerts listed, oldest first. */
const LISTED = 50;

interface DigestSummary {
  files: MetricValue;
  failures: { doc_count: number; results: TermsBuckets };
  chain_gaps: { doc_count: number };
}

interface FailedDigest {
  '@timestamp': string;
  event: { id: string };
  cloud?: { account?: { id?: string } };
  sentrail: { integrity: { result?: string; problems?: string[] } };
}

interface FimAlert {
  first_seen: string;
  entity: { value: string };
  count: number;
  status: string;
}

async function digests(queries: ReportQueries) {
  const validations = [queries.inRange(), { term: { 'sentrail.integrity.kind': 'digest_validation' } }];
  const failed = { term: { 'event.outcome': 'failure' } };
  const summary = await queries.search<never, DigestSummary>(queries.indices.events, {
    size: 0,
    query: { bool: { filter: validations } },
    aggs: {
      files: { sum: { field: 'sentrail.integrity.log_files.total' } },
      failures: { filter: failed, aggs: { results: { terms: { field: 'sentrail.integrity.result', size: 10 } } } },
      chain_gaps: { filter: { term: { 'sentrail.integrity.problems': 'chain_gap' } } },
    },
  });
  const list = await queries.search<FailedDigest>(queries.indices.events, {
    size: LISTED,
    sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
    _source: ['@timestamp', 'event.id', 'cloud.account.id', 'sentrail.integrity.result', 'sentrail.integrity.problems'],
    query: { bool: { filter: [...validations, failed] } },
  });
  const aggregations = summary.response.aggregations;
  const failures = aggregations?.failures.doc_count ?? 0;
  const tables: Table[] = [
    {
      title: 'Failed validations by gravest problem',
      columns: ['result', 'digests'],
      rows: (aggregations?.failures.results.buckets ?? []).map(({ key, doc_count }) => [key, doc_count]),
      reproduce: summary.reproduce,
    },
    {
      title: listedTitle('Failed validations', list.response.hits.hits.length, failures),
      columns: ['time', 'digest', 'account', 'result', 'problems'],
      rows: list.response.hits.hits.map(({ _source: digest }): Cell[] => [
        digest?.['@timestamp'] ?? null,
        digest?.event.id ?? null,
        digest?.cloud?.account?.id ?? null,
        digest?.sentrail.integrity.result ?? null,
        digest?.sentrail.integrity.problems?.join(', ') ?? null,
      ]),
      reproduce: list.reproduce,
    },
  ];
  return {
    validated: summary.response.hits.total.value,
    files: aggregations?.files.value ?? 0,
    failures,
    chainGaps: aggregations?.chain_gaps.doc_count ?? 0,
    reproduce: summary.reproduce,
    tables,
  };
}

async function fimAlerts(queries: ReportQueries) {
  const { response, reproduce } = await queries.search<FimAlert>(queries.indices.alerts, {
    size: LISTED,
    sort: [{ first_seen: 'asc' }, { 'alert.id': 'asc' }],
    _source: ['first_seen', 'entity.value', 'count', 'status'],
    query: { bool: { filter: [queries.inRange('first_seen'), { term: { 'rule.name': LOG_FILE_FIM_RULE } }] } },
  });
  const total = response.hits.total.value;
  return {
    total,
    figure: figure('FIM alerts on log files', total, reproduce),
    table: {
      title: listedTitle('FIM alerts on log files', response.hits.hits.length, total),
      columns: ['first seen', 'host or user', 'events', 'status'],
      rows: response.hits.hits.map(({ _source: alert }): Cell[] => [
        alert?.first_seen ?? null,
        alert?.entity.value ?? null,
        alert?.count ?? null,
        alert?.status ?? null,
      ]),
      reproduce,
    },
  };
}

/** The duplicates the normalizer counted over the period, as Prometheus evaluates it at the period's end. */
function duplicatesQuery(queries: ReportQueries): string {
  const { from, to } = queries.range;
  const seconds = Math.round((Date.parse(to) - Date.parse(from)) / 1000);
  return `sum(increase(sentrail_normalizer_duplicates_total[${seconds}s] @ ${Math.round(Date.parse(to) / 1000)}))`;
}

export async function logProtectionSection(queries: ReportQueries): Promise<Section> {
  const [digest, fim] = await Promise.all([digests(queries), fimAlerts(queries)]);
  return {
    id: '10.3',
    title: 'Audit logs protected from destruction and unauthorized modification',
    requirement:
      'Audit log files are protected from modification and promptly backed up, and file integrity monitoring or change-detection mechanisms are used on them.',
    evidence: digest.validated > 0 ? 'sufficient' : 'insufficient',
    why:
      digest.validated > 0
        ? `Validated: ${quantity(digest.validated, 'CloudTrail digest')} covering ${quantity(digest.files, 'log file')}; ${digest.failures} failed (${digest.chainGaps} with a gap in the chain); ${quantity(fim.total, 'FIM alert')} on log files.`
        : 'No CloudTrail digest was validated in the period, so nothing shows the logs are unaltered since delivery.',
    figures: [
      figure('Digests validated', digest.validated, digest.reproduce),
      figure('Log files validated', digest.files, digest.reproduce, 'files'),
      figure('Digests that failed validation', digest.failures, digest.reproduce),
      figure('Digests with a gap in the chain', digest.chainGaps, digest.reproduce),
      fim.figure,
      figure('Writes refused as duplicates', null, { prometheus: duplicatesQuery(queries) }),
    ],
    tables: [...digest.tables, fim.table],
  };
}
