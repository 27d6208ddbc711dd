// The pipeline as on-call engineers watch it, from the services' Prometheus metrics: throughput at
// each stage, how far behind the index is, what went to the DLQ, and Elasticsearch's bulk
// results. How far behind: each consumer group's lag (sentrail_consumer_lag), the gap between what
// the ingest produced and the normalizer read, and the age of the newest event written.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricsOverTime, sentrailDashboard } from './panels.js';

const perSecond = (metric: string, by: string) => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
const increase = (metric: string, by: string) => `sum by (${by}) (increase(${metric}[$__rate_interval]))`;

export function pipelineHealth(): Dashboard {
  return sentrailDashboard(
    'sentrail-pipeline-health',
    'Pipeline health',
    "Throughput per stage, freshness of the index, DLQ counts and Elasticsearch bulk results, from the services' /metrics.",
  )
    .withPanel(
      metricsOverTime('Ingest: records read per second', [
        { expr: perSecond('sentrail_ingest_records_total', 'source'), legend: '{{source}}' },
      ]),
    )
    .withPanel(
      metricsOverTime('Normalizer: documents indexed per second', [
        { expr: perSecond('sentrail_normalizer_indexed_total', 'mapper'), legend: '{{mapper}}' },
      ]),
    )
    .withPanel(
      metricsOverTime('Kafka consumer lag: messages still to read, by service and topic', [
        { expr: 'sum by (service, topic) (sentrail_consumer_lag)', legend: '{{service}} {{topic}}' },
      ]),
    )
    .withPanel(
      metricsOverTime(
        'Backlog: produced by the ingest minus read by the normalizer',
        [
          {
            expr: 'sum(rate(sentrail_ingest_produced_total[$__rate_interval])) - sum(rate(sentrail_normalizer_records_total[$__rate_interval]))',
            legend: 'records/s',
          },
        ],
        { description: 'Above zero for long: the normalizer falls behind Kafka.' },
      ),
    )
    .withPanel(
      metricsOverTime(
        'Normalizer: age of the newest event written',
        [{ expr: 'time() - max by (mapper) (sentrail_normalizer_last_event_time_seconds)', legend: '{{mapper}}' }],
        { unit: 's' },
      ),
    )
    .withPanel(
      metricsOverTime('DLQ: records sent, by service and stage', [
        { expr: increase('sentrail_ingest_dlq_total', 'source, stage'), legend: 'ingest {{source}} {{stage}}' },
        { expr: increase('sentrail_normalizer_dlq_total', 'mapper, stage'), legend: 'normalizer {{mapper}} {{stage}}' },
        { expr: 'sum(increase(sentrail_correlator_dlq_total[$__rate_interval]))', legend: 'correlator' },
      ]),
    )
    .withPanel(
      metricsOverTime('Elasticsearch: bulk requests by result', [
        { expr: perSecond('sentrail_normalizer_bulk_requests_total', 'result'), legend: '{{result}}' },
        { expr: perSecond('sentrail_normalizer_retries_total', 'reason'), legend: 'retry: {{reason}}' },
      ]),
    )
    .withPanel(
      metricsOverTime('Elasticsearch: bulk time (p95) and pauses', [
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(sentrail_normalizer_bulk_seconds_bucket[$__rate_interval])))',
          legend: 'p95 bulk seconds',
        },
        { expr: 'max(sentrail_normalizer_elasticsearch_paused)', legend: 'paused (1)' },
      ]),
    )
    .withPanel(
      metricsOverTime('Dependencies up', [
        { expr: 'min by (service, dependency) (sentrail_dependency_up)', legend: '{{service}} → {{dependency}}' },
      ]),
    )
    .withPanel(
      metricsOverTime('Correlator: events per second and alerts by outcome', [
        { expr: 'sum(rate(sentrail_correlator_events_total[$__rate_interval]))', legend: 'events' },
        { expr: perSecond('sentrail_correlator_alerts_total', 'outcome'), legend: 'alerts {{outcome}}' },
      ]),
    )
    .withPanel(
      metricsOverTime('Lost and incomplete records', [
        { expr: increase('sentrail_api_access_records_lost_total', 'service'), legend: 'API access records lost' },
        { expr: increase('sentrail_normalizer_incomplete_total', 'element'), legend: 'lacking {{element}} (10.2.2)' },
      ]),
    )
    .build();
}
