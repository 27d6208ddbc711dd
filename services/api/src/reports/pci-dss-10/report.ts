// The auditor evidence report for PCI DSS v4.0 requirement 10 (issue 9): per sub-requirement, what
// Sentrail observed in a period, whether that is evidence enough, and the request that reproduces
// each figure. These types are the contract with the HTML, PDF and bundle renderers.
import type { ElasticClient } from '@sentrail/lib/elastic';
import { ReportQueries } from './queries.js';
import { AUDIT_EVENT_REQUIREMENTS, auditEventSection } from './sections/audit-events.js';
import { controlFailuresSection } from './sections/control-failures.js';
import { dailyReviewSection } from './sections/daily-review.js';
import { logProtectionSection } from './sections/log-protection.js';
import { recordContentSection } from './sections/record-content.js';
import { retentionSection } from './sections/retention.js';
import { sourceGapsSection } from './sections/source-gaps.js';
import { timeSyncSection } from './sections/time-sync.js';

/** sufficient: the period holds evidence; insufficient: it holds none (or too little, `why` says); not-measured: Sentrail does not hold this figure (e.g. a Prometheus counter). */
export type Evidence = 'sufficient' | 'insufficient' | 'not-measured';

/** How to reproduce a figure: the exact Elasticsearch request sent (run it with curl), or where else it comes from. */
export type Reproduce =
  | { elasticsearch: { method: 'GET' | 'POST'; path: string; body?: unknown } }
  | { prometheus: string }
  | { configuration: string };

export interface Figure {
  label: string;
  value: number | string | null;
  unit?: string;
  reproduce: Reproduce;
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
  reproduce?: Reproduce;
}

export interface Section {
  /** e.g. '10.2.1.4', '10.3', '10.7' */
  id: string;
  title: string;
  /** What PCI DSS v4.0 asks, one sentence. */
  requirement: string;
  evidence: Evidence;
  /** Why that evidence verdict, one sentence an auditor reads. */
  why: string;
  figures: Figure[];
  tables: Table[];
}

export interface PciReport {
  report: 'pci-dss-10';
  /** from <= @timestamp < to, ISO 8601 UTC */
  range: { from: string; to: string };
  generated_at: string;
  generated_by: { name: string; key_id?: string; role?: string };
  index_prefix: string;
  sections: Section[];
}

export interface ReportOptions {
  elastic: ElasticClient;
  /** config.elasticsearch.indexPrefix */
  prefix: string;
  /** config.normalizer.retention (days, allowUnder12Months) for 10.5.1 */
  retention: { days: number; allowUnder12Months: boolean };
  range: { from: string; to: string };
  generatedBy: PciReport['generated_by'];
  now?: Date;
}

/** The sections in the order of PCI DSS requirement 10, every one present whether or not it has evidence. */
export async function buildPciReport(options: ReportOptions): Promise<PciReport> {
  const range = checkedRange(options.range);
  const now = options.now ?? new Date();
  const queries = new ReportQueries(options.elastic, options.prefix, range, now);
  const sections = await Promise.all([
    ...AUDIT_EVENT_REQUIREMENTS.map((sub) => auditEventSection(queries, sub)),
    sourceGapsSection(queries),
    recordContentSection(queries),
    logProtectionSection(queries),
    dailyReviewSection(queries),
    retentionSection(queries, options.retention),
    timeSyncSection(queries),
    controlFailuresSection(queries),
  ]);
  return {
    report: 'pci-dss-10',
    range,
    generated_at: now.toISOString(),
    generated_by: options.generatedBy,
    index_prefix: options.prefix,
    sections,
  };
}

/** The period as ISO 8601 UTC; refuses one that is not a period. */
function checkedRange({ from, to }: ReportOptions['range']): PciReport['range'] {
  const [start, end] = [Date.parse(from), Date.parse(to)];
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError(`from and to must be timestamps: ${from}, ${to}`);
  if (start >= end) throw new RangeError(`from (${from}) must be before to (${to})`);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}
