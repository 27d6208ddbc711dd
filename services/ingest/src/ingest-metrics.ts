import { Counter, Gauge, type Registry } from 'prom-client';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** The per-source figures of every ingest source, labelled by source name. */
export function createIngestMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[] = ['source']) =>
    new Counter({ name: `sentrail_ingest_${name}`, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `sentrail_ingest_${name}`, help, labelNames: ['source'], registers: [registry] });
  return {
    records: counter('records_total', 'Records read from the source.'),
    objects: counter('objects_total', 'Objects or files read (S3 objects, digest files).'),
    messages: counter('messages_total', 'Notifications or requests received (SQS messages, HTTP pushes).'),
    bytes: counter('bytes_total', 'Bytes read from the source, before decompression.'),
    produced: counter('produced_total', 'Records acknowledged by Kafka.'),
    dlq: counter('dlq_total', 'Records or messages sent to siem.dlq, by stage.', ['source', 'stage']),
    retries: counter('retries_total', 'Retried calls to S3, SQS, Kafka or the CloudTrail API.'),
    inFlight: gauge('in_flight', 'Objects, messages or requests being processed now.'),
    lastEventTime: gauge('last_event_time_seconds', 'Event time of the newest record seen, in Unix seconds.'),
  };
}
