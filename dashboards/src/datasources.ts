// The datasources every dashboard names by uid: provisioned with these uids (provisioning.ts), so a
// dashboard's JSON works unchanged on any Grafana that provisions them.
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export interface ElasticsearchDatasource {
  ref: Required<DataSourceRef>;
  name: string;
  /** The alias readers use (lib/src/elastic.ts aliases) for the default index prefix `sentrail`. */
  index: string;
  timeField: string;
}

export const EVENTS: ElasticsearchDatasource = {
  ref: { type: 'elasticsearch', uid: 'sentrail-events' },
  name: 'Sentrail events',
  index: 'sentrail-events',
  timeField: '@timestamp',
};

/** An alert's @timestamp is its first_seen (lib/src/alerts/merge.ts): alerts are placed in time by when they began. */
export const ALERTS: ElasticsearchDatasource = {
  ref: { type: 'elasticsearch', uid: 'sentrail-alerts' },
  name: 'Sentrail alerts',
  index: 'sentrail-alerts',
  timeField: '@timestamp',
};

/** Analysts' exceptions (lib/src/alerts/exceptions.ts), placed in time by when they were made. */
export const ALERT_EXCEPTIONS: ElasticsearchDatasource = {
  ref: { type: 'elasticsearch', uid: 'sentrail-alert-exceptions' },
  name: 'Sentrail alert exceptions',
  index: 'sentrail-alert-exceptions',
  timeField: '@timestamp',
};

export const ELASTICSEARCH_DATASOURCES = [EVENTS, ALERTS, ALERT_EXCEPTIONS] as const;

/** The Prometheus that scrapes the services' /metrics (docker-compose.yml). */
export const PROMETHEUS = {
  ref: { type: 'prometheus', uid: 'sentrail-prometheus' },
  name: 'Sentrail metrics',
} as const;
