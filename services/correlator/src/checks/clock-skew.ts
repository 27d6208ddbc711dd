// PCI DSS 10.6: clocks in sync. Delivery delays are normal (CloudTrail takes minutes), so only an
// event dated after Sentrail received it, beyond the tolerance, shows a clock out of sync.
import { createHash } from 'node:crypto';
import type { EcsDocument } from '@sentrail/lib/ecs';
import type { Detection } from '@sentrail/lib/alerts/alert';
import { entityOf } from '../detector.js';

export const CLOCK_SKEW_RULE = {
  id: 'sentrail-check-clock-skew',
  name: 'sentrail_clock_skew',
  severity: 'medium',
} as const;

export function clockSkew(eventId: string, document: EcsDocument, toleranceMs: number): Detection | undefined {
  const received = Date.parse(document.event.created ?? '');
  const dated = Date.parse(document['@timestamp']);
  if (!(dated - received > toleranceMs)) return undefined;
  // The clock that is wrong is the one of the host that wrote the event, when there is one.
  const entity = document.host?.name ? { type: 'host', value: document.host.name } : entityOf(document);
  return {
    alert: { id: createHash('sha256').update(`${CLOCK_SKEW_RULE.id}\n${eventId}`).digest('hex') },
    rule: { ...CLOCK_SKEW_RULE },
    pci_dss: { requirements: ['10.6.1'] },
    entity,
    first_seen: document.event.created!,
    last_seen: document.event.created!,
    count: 1,
    evidence: { event_ids: [eventId] },
  };
}
