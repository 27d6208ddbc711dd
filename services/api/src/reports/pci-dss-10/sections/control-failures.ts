// PCI DSS 10.7.1–10.7.2: failures of logging and security controls detected, alerted and addressed.
// The alerts the rules and checks tag 10.7.x: trail status (logging off, delivery errors, narrowed
// selectors), source silence, digest validation failures, StopLogging, Wazuh agents lost. Each with
// how fast it was acknowledged and closed. The trail status checks recorded show the detection ran.
import { alertResponse } from '../alert-response.js';
import { listedTitle, minutes, quantity, type Cell, type ReportQueries, type TermsBuckets } from '../queries.js';
import type { Section } from '../report.js';

const CONTROL_FAILURE_TAGS = ['10.7.1', '10.7.2', '10.7.3'];
/** Alerts listed one by one, oldest first. */
const LISTED = 200;

interface ControlAlert {
  first_seen: string;
  rule: { name: string };
  entity: { value: string };
  status: string;
  response?: { time_to_acknowledge_ms?: number; time_to_close_ms?: number };
}

export async function controlFailuresSection(queries: ReportQueries): Promise<Section> {
  const tagged = { terms: { 'pci_dss.requirements': CONTROL_FAILURE_TAGS } };
  const trailChecks = [queries.inRange(), { term: { 'sentrail.integrity.kind': 'trail_status' } }];
  const [checks, failedChecks, response, list] = await Promise.all([
    queries.count('Trail status checks', queries.indices.events, trailChecks),
    queries.count('Trail status checks that found a problem', queries.indices.events, [
      ...trailChecks,
      { term: { 'event.outcome': 'failure' } },
    ]),
    alertResponse(queries, [tagged]),
    queries.search<ControlAlert, { rules: TermsBuckets }>(queries.indices.alerts, {
      size: LISTED,
      sort: [{ first_seen: 'asc' }, { 'alert.id': 'asc' }],
      _source: ['first_seen', 'rule.name', 'entity.value', 'status', 'response'],
      query: { bool: { filter: [queries.inRange('first_seen'), tagged] } },
      aggs: { rules: { terms: { field: 'rule.name', size: 100 } } },
    }),
  ]);
  const alerts = list.response.hits.hits.flatMap(({ _source }) => (_source ? [_source] : []));
  return {
    id: '10.7',
    title: 'Failures of critical security control systems',
    requirement:
      'Failures of critical security control systems, including audit logging mechanisms, are detected, alerted, and addressed promptly.',
    evidence: Number(checks.value) > 0 ? 'sufficient' : 'insufficient',
    why:
      Number(checks.value) > 0
        ? `${quantity(checks.value, 'trail status check')} ran (${failedChecks.value} found a problem); ${quantity(response.raised, 'control-failure alert')} raised, ${response.acknowledged} acknowledged (on average after ${response.acknowledgeAverage ?? '–'} min), ${response.closed} closed.`
        : 'No trail status check was recorded in the period, so a CloudTrail trail that stopped logging would have gone unseen.',
    figures: [checks, failedChecks, ...response.figures],
    tables: [
      {
        title: 'Control-failure alerts per rule',
        columns: ['rule', 'alerts'],
        rows: (list.response.aggregations?.rules.buckets ?? []).map(({ key, doc_count }) => [key, doc_count]),
        reproduce: list.reproduce,
      },
      {
        title: listedTitle('Control-failure alerts', alerts.length, list.response.hits.total.value),
        columns: ['first seen', 'rule', 'about', 'status', 'acknowledged after (min)', 'closed after (min)'],
        rows: alerts.map((alert): Cell[] => [
          alert.first_seen,
          alert.rule.name,
          alert.entity.value,
          alert.status,
          minutes(alert.response?.time_to_acknowledge_ms),
          minutes(alert.response?.time_to_close_ms),
        ]),
        reproduce: list.reproduce,
      },
    ],
  };
}
