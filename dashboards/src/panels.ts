// What every dashboard is made of: an Elasticsearch query described once (QuerySpec) and the few
// panel shapes Sentrail uses, each with a link to the same filter in the API's search.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as elasticsearch from '@grafana/grafana-foundation-sdk/elasticsearch';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { EVENTS, PROMETHEUS, type ElasticsearchDatasource } from './datasources.js';

/** The API's web UI as `npm start` and docker-compose.yml publish it. */
export const API_UI = 'http://127.0.0.1:8080/';

export interface QuerySpec {
  datasource?: ElasticsearchDatasource;
  /** Lucene, also valid in the API's query language (services/api/src/query/parser.ts) for the link. */
  query: string;
  /** Terms aggregations, outermost first. */
  by?: string[];
  /** Buckets per terms aggregation. */
  size?: number;
  overTime?: boolean;
  /** A value of a numeric field per bucket instead of the count of documents. */
  metric?: { type: 'avg' | 'max'; field: string };
}

function target(spec: QuerySpec): elasticsearch.DataqueryBuilder {
  const datasource = spec.datasource ?? EVENTS;
  const buckets: cog.Builder<elasticsearch.BucketAggregation>[] = [];
  let id = 1;
  for (const field of spec.by ?? []) {
    buckets.push(
      new elasticsearch.TermsBuilder()
        .id(String(++id))
        .field(field)
        .settings({
          size: String(spec.size ?? 10),
          order: elasticsearch.TermsOrder.Desc,
          orderBy: '_count',
          min_doc_count: '1',
        }),
    );
  }
  if (spec.overTime) {
    buckets.push(
      new elasticsearch.DateHistogramBuilder()
        .id(String(++id))
        .field(datasource.timeField)
        .settings({ interval: 'auto', min_doc_count: '0' }),
    );
  }
  // Written out: the SDK's count builder leaves `type` as "unknown", which Grafana cannot run.
  const metric = spec.metric;
  const count: cog.Builder<elasticsearch.MetricAggregation> = {
    build: () => (metric ? { id: '1', type: metric.type, field: metric.field } : { id: '1', type: 'count' }),
  };
  return new elasticsearch.DataqueryBuilder()
    .refId('A')
    .datasource(datasource.ref)
    .query(spec.query)
    .timeField(datasource.timeField)
    .bucketAggs(buckets)
    .metrics([count]);
}

/**
 * The same filter in the API's web UI, over the dashboard's time range. Variables are percent-encoded
 * by Grafana, the rest here: `#/search?query=…&range=custom&from=…&to=…` (ui/static/search.js).
 */
function searchLink(query: string): dashboard.DashboardLinkBuilder {
  const encoded = query
    .split(/(\$[a-z]+)/)
    .map((part) => (part.startsWith('$') ? `\${${part.slice(1)}:percentencode}` : encodeURIComponent(part)))
    .join('');
  return new dashboard.DashboardLinkBuilder('Search these events')
    .type(dashboard.DashboardLinkType.Link)
    .url(`${API_UI}#/search?query=${encoded}&range=custom&from=\${__from:date:iso}&to=\${__to:date:iso}`)
    .targetBlank(true);
}

/** The API's alert queue (ui/static/alerts.js): alerts are triaged there, not searched. */
function alertQueueLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Alert queue')
    .type(dashboard.DashboardLinkType.Link)
    .url(`${API_UI}#/alerts?status=open`)
    .targetBlank(true);
}

function linkFor(spec: QuerySpec): dashboard.DashboardLinkBuilder {
  return (spec.datasource ?? EVENTS) === EVENTS ? searchLink(spec.query) : alertQueueLink();
}

/** A Sentrail dashboard: UTC like every Sentrail screen, read-only (it is generated), linked to the web UI. */
export function sentrailDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['sentrail'])
    .timezone('utc')
    .readonly()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .link(
      new dashboard.DashboardLinkBuilder('Sentrail dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['sentrail'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .link(
      new dashboard.DashboardLinkBuilder('Sentrail search')
        .type(dashboard.DashboardLinkType.Link)
        .url(`${API_UI}#/search`)
        .targetBlank(true),
    );
}

interface Layout {
  width?: number;
  height?: number;
  description?: string;
}

export function countStat(title: string, spec: QuerySpec, layout: Layout = {}): stat.PanelBuilder {
  return (
    new stat.PanelBuilder()
      .title(title)
      .description(layout.description ?? '')
      .span(layout.width ?? 6)
      .height(layout.height ?? 4)
      .datasource((spec.datasource ?? EVENTS).ref)
      // Grafana runs no count without a bucket aggregation: the stat sums a histogram's buckets.
      .withTarget(target({ ...spec, overTime: true }))
      .links([linkFor(spec)])
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['sum']).values(false))
      .graphMode(common.BigValueGraphMode.None)
      .colorMode(common.BigValueColorMode.Value)
  );
}

export function overTime(title: string, spec: QuerySpec, layout: Layout = {}): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(layout.description ?? '')
    .span(layout.width ?? 12)
    .height(layout.height ?? 8)
    .datasource((spec.datasource ?? EVENTS).ref)
    .withTarget(target({ ...spec, overTime: true }))
    .links([linkFor(spec)])
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
}

export function topValues(title: string, spec: QuerySpec, layout: Layout = {}): bargauge.PanelBuilder {
  return new bargauge.PanelBuilder()
    .title(title)
    .description(layout.description ?? '')
    .span(layout.width ?? 8)
    .height(layout.height ?? 8)
    .datasource((spec.datasource ?? EVENTS).ref)
    .withTarget(target(spec))
    .links([linkFor(spec)])
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['sum']).values(true));
}

export function valuesTable(title: string, spec: QuerySpec, layout: Layout = {}): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(title)
    .description(layout.description ?? '')
    .span(layout.width ?? 12)
    .height(layout.height ?? 8)
    .datasource((spec.datasource ?? EVENTS).ref)
    .withTarget(target(spec))
    .links([linkFor(spec)]);
}

export interface Series {
  /** PromQL over the services' metrics (lib/src/metrics.ts and each service's *-metrics.ts). */
  expr: string;
  /** Grafana's legend template, e.g. `{{source}}`. */
  legend: string;
}

export function metricsOverTime(
  title: string,
  series: Series[],
  layout: Layout & { unit?: string } = {},
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .description(layout.description ?? '')
    .span(layout.width ?? 12)
    .height(layout.height ?? 8)
    .datasource(PROMETHEUS.ref)
    .unit(layout.unit ?? 'short');
  series.forEach(({ expr, legend }, index) =>
    panel.withTarget(
      new prometheus.DataqueryBuilder()
        .refId(String.fromCharCode(65 + index))
        .datasource(PROMETHEUS.ref)
        .expr(expr)
        .legendFormat(legend)
        .range(),
    ),
  );
  return panel;
}
