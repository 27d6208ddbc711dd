// PCI DSS 10.2.1.1–10.2.1.7: the events the normalizer tagged with each sub-requirement
// (pci_dss.requirements), counted per source and per account, with the latest few as examples.
import { figure, quantity, type ReportQueries, type TermsBuckets } from '../queries.js';
import type { Section } from '../report.js';
import { sentrailAccess } from './sentrail-access.js';

interface SubRequirement {
  id: string;
  title: string;
  requirement: string;
  /** What Sentrail tags as evidence of it (DESIGN.md §4): said when there is none. */
  evidence: string;
  /** Figures and tables of this sub-requirement beyond the tagged events. */
  more?: (queries: ReportQueries) => Promise<Pick<Section, 'figures' | 'tables'>>;
}

export const AUDIT_EVENT_REQUIREMENTS: readonly SubRequirement[] = [
  {
    id: '10.2.1.1',
    title: 'Individual access to cardholder data',
    requirement: 'Audit logs capture all individual user access to cardholder data.',
    evidence: 'S3 data events on the buckets configured as cardholder data (normalizer.context.cdeBuckets)',
  },
  {
    id: '10.2.1.2',
    title: 'Actions by administrators',
    requirement:
      'Audit logs capture all actions taken by any individual with administrative access, including any interactive use of application or system accounts.',
    evidence: 'actions of root, of administrator roles, of Kubernetes cluster admins and sudo on hosts',
  },
  {
    id: '10.2.1.3',
    title: 'Access to audit logs',
    requirement: 'Audit logs capture all access to audit logs.',
    evidence: "requests to Sentrail's own API and reads of the audit-log buckets, CloudTrail and CloudWatch Logs",
    more: sentrailAccess,
  },
  {
    id: '10.2.1.4',
    title: 'Invalid logical access attempts',
    requirement: 'Audit logs capture all invalid logical access attempts.',
    evidence: 'failed console and SSH logins, AccessDenied errors and HTTP 401/403 answers',
  },
  {
    id: '10.2.1.5',
    title: 'Changes to identification and authentication credentials',
    requirement:
      'Audit logs capture all changes to identification and authentication credentials, including creation of new accounts, elevation of privileges, and all changes, additions, or deletions to accounts with administrative access.',
    evidence: 'IAM user, key, policy and MFA changes and Kubernetes RBAC changes',
  },
  {
    id: '10.2.1.6',
    title: 'Initialization, stopping or pausing of audit logs',
    requirement:
      'Audit logs capture the initialization of new audit logs and the starting, stopping, or pausing of existing audit logs.',
    evidence: 'StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, Wazuh agent stops and trail status checks',
  },
  {
    id: '10.2.1.7',
    title: 'Creation and deletion of system-level objects',
    requirement: 'Audit logs capture all creation and deletion of system-level objects.',
    evidence: 'instance, bucket, security group and Kubernetes namespace and workload creation and deletion',
  },
];

/** Latest events shown as examples. */
const EXAMPLES = 3;
/** Sources and accounts listed; more would not be a table an auditor reads. */
const BUCKETS = 100;
/** The account of events that have none (Wazuh, Kubernetes, Sentrail's own). */
const NO_ACCOUNT = '(none)';

interface Example {
  '@timestamp': string;
  event: { id: string; action?: string };
  user?: { name?: string; id?: string };
}

export async function auditEventSection(queries: ReportQueries, sub: SubRequirement): Promise<Section> {
  const { response, reproduce } = await queries.search<Example, { sources: TermsBuckets; accounts: TermsBuckets }>(
    queries.indices.events,
    {
      size: EXAMPLES,
      sort: [{ '@timestamp': 'desc' }, { 'event.id': 'asc' }],
      _source: ['@timestamp', 'event.id', 'event.action', 'user.name', 'user.id'],
      query: { bool: { filter: [queries.inRange(), { term: { 'pci_dss.requirements': sub.id } }] } },
      aggs: {
        sources: { terms: { field: 'event.dataset', size: BUCKETS } },
        accounts: { terms: { field: 'cloud.account.id', size: BUCKETS, missing: NO_ACCOUNT } },
      },
    },
  );
  const total = response.hits.total.value;
  const sources = response.aggregations?.sources.buckets ?? [];
  const accounts = response.aggregations?.accounts.buckets ?? [];
  const more = (await sub.more?.(queries)) ?? { figures: [], tables: [] };
  return {
    id: sub.id,
    title: sub.title,
    requirement: sub.requirement,
    evidence: total > 0 ? 'sufficient' : 'insufficient',
    why:
      total > 0
        ? `Evidence of ${sub.id} in the period: ${quantity(total, 'event')} from ${quantity(sources.length, 'source')}.`
        : `No event in the period is evidence of ${sub.id}; Sentrail takes ${sub.evidence} as such.`,
    figures: [figure(`Events tagged ${sub.id}`, total, reproduce), ...more.figures],
    tables: [
      {
        title: 'Events per source',
        columns: ['source (event.dataset)', 'events'],
        rows: sources.map(({ key, doc_count }) => [key, doc_count]),
        reproduce,
      },
      {
        title: 'Events per account',
        columns: ['account (cloud.account.id)', 'events'],
        rows: accounts.map(({ key, doc_count }) => [key, doc_count]),
        reproduce,
      },
      {
        title: `Latest ${EXAMPLES} examples`,
        columns: ['time', 'action', 'user', 'event id'],
        rows: response.hits.hits.map(({ _source: event }) => [
          event?.['@timestamp'] ?? null,
          event?.event.action ?? null,
          event?.user?.name ?? event?.user?.id ?? null,
          event?.event.id ?? null,
        ]),
        reproduce,
      },
      ...more.tables,
    ],
  };
}
