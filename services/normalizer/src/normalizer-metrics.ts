import { consumerLag } from '@sentrail/lib/kafka';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type NormalizerMetrics = ReturnType<typeof createNormalizerMetrics>;

/** The normalizer's figures; `mapper` is the mapper's name (cloudtrail, wazuh, k8sAudit, …). */
export function createNormalizerMetrics(registry: Registry) {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name: `sentrail_normalizer_${name}`, help, labelNames, registers: [registry] });
  return {
    lag: consumerLag(registry),
    records: counter('records_total', 'Raw records read from Kafka.', ['mapper']),
    indexed: counter('indexed_total', 'Documents created in Elasticsearch.', ['mapper']),
    duplicates: counter('duplicates_total', 'Documents Elasticsearch already held (409): replays, not errors.', [
      'mapper',
    ]),
    dlq: counter('dlq_total', 'Records sent to siem.dlq, by stage (normalize, index).', ['mapper', 'stage']),
    incomplete: counter('incomplete_total', 'Documents lacking a PCI DSS 10.2.2 element, by element.', [
      'mapper',
      'element',
    ]),
    pci: counter('pci_requirement_total', 'Documents tagged with a PCI DSS v4.0 requirement.', ['requirement']),
    bulkRequests: counter('bulk_requests_total', 'Elasticsearch _bulk requests, by result.', ['result']),
    retries: counter('retries_total', 'Retried Elasticsearch requests or items, by reason.', ['reason']),
    bulkSeconds: new Histogram({
      name: 'sentrail_normalizer_bulk_seconds',
      help: 'Time to write one bulk, retries included.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    elasticsearchPaused: new Gauge({
      name: 'sentrail_normalizer_elasticsearch_paused',
      help: '1 while Elasticsearch is unavailable and consumption is paused, else 0.',
      registers: [registry],
    }),
    lastEventTime: new Gauge({
      name: 'sentrail_normalizer_last_event_time_seconds',
      help: 'Event time of the last document written, in Unix seconds, by mapper.',
      labelNames: ['mapper'],
      registers: [registry],
    }),
  };
}
