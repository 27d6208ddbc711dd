// PCI DSS 10.2.2: every record holds who, what, when, outcome, origin and the affected resource. The
// normalizer checks each record of an action and writes pci_dss.complete and pci_dss.missing
// (services/normalizer/src/completeness.ts); states such as a check's result have no actor and are
// not checked.
import { COMPLETENESS_ELEMENTS } from '@sentrail/lib/ecs';
import { figure, percent, quantity, type ReportQueries, type TermsBuckets } from '../queries.js';
import type { Section } from '../report.js';

const SOURCES = 100;
/** The elements named per source: those most often missing. */
const WORST_ELEMENTS = 3;

type Complete = { complete: { doc_count: number } };
type PerSource = TermsBuckets<Complete & { missing: TermsBuckets }>;

export async function recordContentSection(queries: ReportQueries): Promise<Section> {
  const complete = { filter: { term: { 'pci_dss.complete': true } } };
  const { response, reproduce } = await queries.search<never, Complete & { missing: TermsBuckets; sources: PerSource }>(
    queries.indices.events,
    {
      size: 0,
      query: { bool: { filter: [queries.inRange(), { exists: { field: 'pci_dss.complete' } }] } },
      aggs: {
        complete,
        missing: { terms: { field: 'pci_dss.missing', size: COMPLETENESS_ELEMENTS.length } },
        sources: {
          terms: { field: 'event.dataset', size: SOURCES },
          aggs: { complete, missing: { terms: { field: 'pci_dss.missing', size: WORST_ELEMENTS } } },
        },
      },
    },
  );
  const checked = response.hits.total.value;
  const completeCount = response.aggregations?.complete.doc_count ?? 0;
  const share = percent(completeCount, checked);
  // Worst first: the lowest share of complete records; a tie goes to the source with more records.
  const sources = (response.aggregations?.sources.buckets ?? [])
    .map(({ key, doc_count, complete, missing }) => ({
      key,
      records: doc_count,
      complete: complete.doc_count,
      share: percent(complete.doc_count, doc_count) ?? 0,
      missing: missing.buckets.map((bucket) => `${bucket.key} ${bucket.doc_count}`).join(', '),
    }))
    .sort((a, b) => a.share - b.share || b.records - a.records || a.key.localeCompare(b.key));
  const worst = sources[0];
  return {
    id: '10.2.2',
    title: 'Details recorded for each event',
    requirement:
      'Audit logs record for each auditable event the user identification, type of event, date and time, success or failure indication, origination of event, and the identity or name of the affected data, system component, resource, or service.',
    evidence: checked > 0 ? 'sufficient' : 'insufficient',
    why:
      checked === 0 || !worst
        ? 'No record of an action in the period was checked for the 10.2.2 elements.'
        : `${share}% of ${quantity(checked, 'record')} of actions hold all six elements; the worst source, ${worst.key}, ${worst.share}%.`,
    figures: [
      figure('Records of actions checked', checked, reproduce),
      figure('Records holding every element', completeCount, reproduce),
      figure('Share of records holding every element', share, reproduce, '%'),
    ],
    tables: [
      {
        title: 'Sources, worst first',
        columns: ['source (event.dataset)', 'records', 'complete', 'complete (%)', 'most often missing'],
        rows: sources.map((source) => [source.key, source.records, source.complete, source.share, source.missing]),
        reproduce,
      },
      {
        title: 'Elements missing',
        columns: ['element', 'records lacking it'],
        rows: (response.aggregations?.missing.buckets ?? []).map(({ key, doc_count }) => [key, doc_count]),
        reproduce,
      },
    ],
  };
}
