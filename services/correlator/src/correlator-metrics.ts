import { consumerLag } from '@sentrail/lib/kafka';
import { Counter, Gauge, type Registry } from 'prom-client';

export type CorrelatorMetrics = ReturnType<typeof createCorrelatorMetrics>;

export function createCorrelatorMetrics(registry: Registry) {
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `sentrail_correlator_${name}`, help, registers: [registry] });
  return {
    lag: consumerLag(registry),
    events: new Counter({
      name: 'sentrail_correlator_events_total',
      help: 'Events read from siem.events (replayed ones included).',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'sentrail_correlator_alerts_total',
      help: 'Detections by what the alert store made of them: opened, updated, unchanged, muted.',
      labelNames: ['outcome', 'rule'],
      registers: [registry],
    }),
    late: new Counter({
      name: 'sentrail_correlator_late_events_total',
      help: 'Events a correlation left out as older than the window of their group: too late to count.',
      registers: [registry],
    }),
    dlq: new Counter({
      name: 'sentrail_correlator_dlq_total',
      help: 'siem.events messages that are not a document, sent to siem.dlq.',
      registers: [registry],
    }),
    rules: gauge('rules_loaded', 'Detection and correlation rules running.'),
    refused: gauge('rules_refused', 'Rules refused at load (each logged with its file, id and reason).'),
    groups: gauge('correlation_groups', 'Groups the correlation windows track now.'),
    replayed: gauge('replayed_events', 'Events read again at start to rebuild the correlation windows.'),
  };
}
