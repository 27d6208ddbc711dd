// PCI DSS 10.2.2: every audit log entry records who, what, when, outcome, origin and the affected
// resource. Each document says which of them it lacks, so gaps are counted and searchable.
import { COMPLETENESS_ELEMENTS, type CompletenessElement, type EcsDocument } from '@sentrail/lib/ecs';

const PRESENT: Record<CompletenessElement, (document: EcsDocument) => unknown> = {
  who: ({ user }) => user?.name ?? user?.id,
  what: ({ event }) => event.action,
  when: (document) => document['@timestamp'],
  outcome: ({ event }) => event.outcome !== 'unknown',
  origin: ({ source, host }) => source?.ip ?? source?.address ?? host?.name ?? host?.ip?.[0],
  resource: ({ resource }) => resource?.id ?? resource?.name,
};

/** The 10.2.2 elements a document lacks, in the standard's order. */
export function missingElements(document: EcsDocument): CompletenessElement[] {
  return COMPLETENESS_ELEMENTS.filter((element) => !PRESENT[element](document));
}
