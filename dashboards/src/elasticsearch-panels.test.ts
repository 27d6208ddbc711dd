// Every Elasticsearch panel and variable of the committed dashboards, run as Grafana's datasource
// would run it (elasticsearch-request.ts) against Sentrail's index templates filled with the demo
// data, normalized by the normalizer's own code, and alerts raised by the alert store: each field
// it names must exist with a type fit for its use, and each panel must get data back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { estypes } from '@elastic/elasticsearch';
import type { Detection } from '@sentrail/lib/alerts/alert';
import { AlertExceptions } from '@sentrail/lib/alerts/exceptions';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { aliases, createElastic, eventsIndexName, installTemplates } from '@sentrail/lib/elastic';
import { alertExceptionsMapping, alertsMapping, eventsMapping } from '@sentrail/lib/mappings';
import { dropIndexPrefix, REPO_ROOT, testConfig, uniqueName } from '@sentrail/lib/testing';
import { SILENCE_RULE } from '@sentrail/correlator/dist/checks/source-silence.js';
import { ATTACKER_IP, CloudTrailGenerator } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { K8sAuditGenerator } from '@sentrail/ingest/dist/demo/k8s-audit-generator.js';
import { WazuhGenerator } from '@sentrail/ingest/dist/demo/wazuh-generator.js';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { translateQuery } from '@sentrail/api/dist/query/translate.js';
import { ELASTICSEARCH_DATASOURCES, EVENTS, PROMETHEUS } from './datasources.js';
import { API_UI } from './panels.js';
import { elasticsearchRequest, type ElasticsearchTarget, type TimeRange } from './elasticsearch-request.js';
import { ALL_VALUE } from './variables.js';

const GENERATED_DIR = fileURLToPath(new URL('../generated', import.meta.url));
const TESTDATA_DIR = join(REPO_ROOT, 'services/normalizer/src/mappers/testdata');
const AGGREGATABLE = new Set([
  'keyword',
  'ip',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'date',
  'boolean',
]);

interface Panel {
  title: string;
  links?: { url?: string }[];
  datasource?: { uid?: string };
  targets?: (ElasticsearchTarget & { datasource?: { uid?: string } })[];
}
interface Variable {
  name: string;
  type: string;
  datasource?: { uid?: string };
  query: string;
}
interface GeneratedDashboard {
  title: string;
  panels: Panel[];
  templating?: { list?: Variable[] };
}

const dashboards = readdirSync(GENERATED_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(GENERATED_DIR, file), 'utf8')) as GeneratedDashboard);

const config = testConfig();
const prefix = uniqueName('dashboards');
const elastic = createElastic(config.elasticsearch);

const MAPPINGS: Record<string, estypes.MappingTypeMapping> = {
  'sentrail-events': eventsMapping,
  'sentrail-alerts': alertsMapping,
  'sentrail-alert-exceptions': alertExceptionsMapping,
};
const INDICES: Record<string, string> = {
  'sentrail-events': aliases(prefix).events,
  'sentrail-alerts': aliases(prefix).alerts,
  'sentrail-alert-exceptions': aliases(prefix).alertExceptions,
};

/** A field's mapping, through object properties and multi-fields. */
function mappingOf(mapping: estypes.MappingTypeMapping, field: string): estypes.MappingProperty | undefined {
  let properties: Record<string, estypes.MappingProperty> | undefined = mapping.properties;
  let found: estypes.MappingProperty | undefined;
  for (const part of field.split('.')) {
    found = properties?.[part];
    if (!found) return undefined;
    properties =
      'properties' in found && found.properties ? found.properties : 'fields' in found ? found.fields : undefined;
  }
  return found;
}

function assertAggregatable(mapping: estypes.MappingTypeMapping, field: string, where: string): void {
  const property = mappingOf(mapping, field);
  assert.ok(property, `${where}: ${field} is not in the index template`);
  const type = 'type' in property ? property.type : 'object';
  assert.ok(AGGREGATABLE.has(type ?? 'object'), `${where}: ${field} is ${type}, which cannot be aggregated`);
  assert.ok(!('doc_values' in property && property.doc_values === false), `${where}: ${field} has no doc values`);
}

function assertSearchable(mapping: estypes.MappingTypeMapping, field: string, where: string): void {
  const property = mappingOf(mapping, field);
  assert.ok(property, `${where}: ${field} is not in the index template`);
  assert.ok(!('index' in property && property.index === false), `${where}: ${field} is not indexed`);
}

/** A metric's values in the innermost buckets (or at the top when there are none). */
function metricValues(aggregations: unknown, ids: readonly string[], metricId: string): (number | null)[] {
  const level = aggregations as Record<string, { value?: number | null; buckets?: unknown }> | undefined;
  if (ids.length === 0) return [level?.[metricId]?.value ?? null];
  const buckets = Object.values((level?.[ids[0]!]?.buckets ?? {}) as Record<string, unknown>);
  return buckets.flatMap((bucket) => metricValues(bucket, ids.slice(1), metricId));
}

/** The buckets of each level hold documents, down to the innermost. */
function hasData(aggregations: Record<string, unknown> | undefined, ids: string[]): boolean {
  if (ids.length === 0) return true;
  const aggregation = aggregations?.[ids[0]!] as { buckets?: unknown } | undefined;
  const buckets = Object.values((aggregation?.buckets ?? {}) as Record<string, Record<string, unknown>>);
  return buckets.some((bucket) => (bucket['doc_count'] as number) > 0 && hasData(bucket, ids.slice(1)));
}

/** The query of a panel's link to the API's search, with the dashboard's variables at All. */
function searchLinkQuery(panel: Panel, where: string): string {
  const link = panel.links?.find((candidate) => candidate.url?.startsWith(`${API_UI}#/search?`));
  assert.ok(link?.url, `${where}: no link to the API's search`);
  const hash = link.url.replaceAll(/\$\{[a-z]+:percentencode\}/g, encodeURIComponent(ALL_VALUE));
  const query = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('query');
  assert.ok(query, `${where}: the search link has no query`);
  return query;
}

function rawRecords(mapper: string): Record<string, unknown>[] {
  const dir = join(TESTDATA_DIR, mapper);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json') && !file.startsWith('bad-'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>);
}

/** The demo sources' records, each normalized as the normalizer would, then written as it writes. */
async function indexDemoEvents(now: Date): Promise<number[]> {
  const context = createContext(config.normalizer.context);
  const cloudtrail = new CloudTrailGenerator(1);
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const records: Record<keyof typeof MAPPER_INPUTS, Record<string, unknown>[]> = {
    // The normalizer's fixtures add what the demo never does, such as an AccessDenied error.
    cloudtrail: [
      ...cloudtrail.routine(hourAgo, 300, 3_000_000),
      ...cloudtrail.suspicious(hourAgo),
      ...rawRecords('cloudtrail'),
    ],
    wazuh: new WazuhGenerator(2).alerts(hourAgo, true),
    k8sAudit: new K8sAuditGenerator(3).eventList(hourAgo, true).items,
    // No demo generator for these.
    integrity: rawRecords('integrity'),
    changes: rawRecords('changes'),
    sentrailAccess: [],
  };
  const operations: unknown[] = [];
  const times: number[] = [];
  for (const [mapper, list] of Object.entries(records) as [keyof typeof MAPPER_INPUTS, Record<string, unknown>[]][]) {
    const meta = { ...MAPPER_INPUTS[mapper], origin: 'dashboards-test', receivedAt: now.toISOString() };
    for (const record of list) {
      const result = normalize(JSON.stringify(record), meta, { context });
      if (!result.ok) throw new Error(`${mapper}: ${result.error}`);
      const timestamp = result.document['@timestamp'];
      times.push(Date.parse(timestamp));
      operations.push({ create: { _index: eventsIndexName(prefix, timestamp), _id: result.id } }, result.document);
    }
  }
  const response = await elastic.bulk({ operations, refresh: true });
  assert.equal(response.errors, false, JSON.stringify(response.items.find((item) => item.create?.error)));
  return times;
}

function detection(rule: Detection['rule'], requirement: string, entity: Detection['entity'], at: Date): Detection {
  return {
    alert: { id: randomBytes(16).toString('hex') },
    rule,
    pci_dss: { requirements: [requirement] },
    entity,
    first_seen: at.toISOString(),
    last_seen: at.toISOString(),
    count: 1,
    evidence: { event_ids: [] },
  };
}

/** Alerts of each status, of the rules the dashboards single out, and an exception in force. */
async function raiseAlerts(now: Date): Promise<void> {
  const store = new AlertStore({ client: elastic, prefix, suppressionMinutes: 60 });
  const at = new Date(now.getTime() - 600_000);
  const raised = [
    detection(
      { id: 'aws-console-brute-force-by-user', name: 'aws_console_brute_force_by_user', severity: 'high' },
      '10.2.1.4',
      { type: 'user', value: 'bob' },
      at,
    ),
    detection(
      { id: 'wazuh-sshd-brute-force', name: 'wazuh_sshd_brute_force_by_source_ip', severity: 'medium' },
      '10.2.1.4',
      { type: 'ip', value: ATTACKER_IP },
      at,
    ),
    detection({ ...SILENCE_RULE }, '10.7.2', { type: 'source', value: 'wazuh.alerts agent 001' }, at),
    detection(
      { id: 'wazuh-agent-stopped', name: 'wazuh_agent_stopped', severity: 'high' },
      '10.2.1.6',
      { type: 'host', value: 'payments-db-1' },
      at,
    ),
    detection(
      { id: 'aws-root-account-usage', name: 'aws_root_account_usage', severity: 'critical' },
      '10.2.1.2',
      { type: 'user', value: 'root' },
      at,
    ),
  ];
  for (const alert of raised) await store.raise(alert);
  await store.acknowledge(raised[3]!.alert.id, 'oncall@example.com');
  await store.close(raised[4]!.alert.id, 'oncall@example.com', 'planned break-glass test');
  await new AlertExceptions(elastic, prefix).create({
    ruleId: 'aws-console-brute-force-by-user',
    entityValue: 'ci-deployer',
    reason: 'load test of the login page',
    by: 'analyst@example.com',
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  });
  await elastic.indices.refresh({ index: `${prefix}-*` });
}

describe('Elasticsearch panels of the dashboards', () => {
  let range: TimeRange;

  before(async () => {
    await installTemplates(elastic, { ...config.elasticsearch, indexPrefix: prefix });
    const now = new Date();
    const times = await indexDemoEvents(now);
    await raiseAlerts(now);
    range = { from: Math.min(...times) - 60_000, to: now.getTime() + 60_000 };
  });

  after(async () => {
    await dropIndexPrefix(elastic, prefix);
    await elastic.close();
  });

  it('finds the dashboards, whose every panel names a provisioned datasource', () => {
    assert.ok(dashboards.length > 0, 'no dashboard in dashboards/generated: run `npm run dashboards`');
    const provisioned = [...ELASTICSEARCH_DATASOURCES.map((datasource) => datasource.ref.uid), PROMETHEUS.ref.uid];
    for (const dashboard of dashboards) {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          const uid = target.datasource?.uid ?? panel.datasource?.uid ?? '';
          assert.ok(
            provisioned.includes(uid),
            `${dashboard.title} / ${panel.title}: datasource ${uid} is not provisioned`,
          );
        }
      }
    }
  });

  for (const dashboard of dashboards) {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const uid = target.datasource?.uid ?? panel.datasource?.uid ?? '';
        const datasource = ELASTICSEARCH_DATASOURCES.find((candidate) => candidate.ref.uid === uid);
        if (!datasource) continue; // Prometheus: prometheus-panels.test.ts
        const where = `${dashboard.title} / ${panel.title}`;
        it(`${where}: uses mapped fields and gets data`, async () => {
          const mapping = MAPPINGS[uid]!;
          const query = (target.query ?? '').replaceAll(/\$[a-z]+/g, ALL_VALUE);
          const request = elasticsearchRequest({ ...target, query }, target.timeField ?? datasource.timeField, range);
          assertAggregatable(mapping, target.timeField ?? datasource.timeField, where);
          for (const field of request.aggregatedFields) assertAggregatable(mapping, field, where);
          for (const field of request.queriedFields) assertSearchable(mapping, field, where);

          const response = await elastic.search({ index: INDICES[uid]!, ...request.body });
          const total = response.hits.total;
          assert.ok(typeof total === 'object' && total.value > 0, `${where}: no document matches ${query}`);
          const ids = (target.bucketAggs ?? []).map((bucket) => bucket.id);
          assert.ok(hasData(response.aggregations, ids), `${where}: no bucket holds data`);
          for (const metric of (target.metrics ?? []).filter(({ type }) => type !== 'count')) {
            assert.ok(
              metricValues(response.aggregations, ids, metric.id).some((value) => value !== null),
              `${where}: the ${metric.type} of ${metric.field} has no value`,
            );
          }

          if (uid === EVENTS.ref.uid) {
            // The link opens the same filter: the API's own query language finds the same events.
            const viaApi = await elastic.count({
              index: INDICES[uid]!,
              query: {
                bool: {
                  filter: [
                    { range: { [datasource.timeField]: { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
                    translateQuery(searchLinkQuery(panel, where)),
                  ],
                },
              },
            });
            assert.equal(viaApi.count, total.value, `${where}: the search link finds other events than the panel`);
          }
        });
      }
    }

    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      it(`${dashboard.title} / variable ${variable.name}: offers values`, async () => {
        const { field, size } = JSON.parse(variable.query) as { find: string; field: string; size: number };
        const uid = variable.datasource?.uid ?? '';
        assertAggregatable(MAPPINGS[uid]!, field, `variable ${variable.name}`);
        const response = await elastic.search<unknown, Record<string, estypes.AggregationsStringTermsAggregate>>({
          index: INDICES[uid]!,
          size: 0,
          query: { range: { '@timestamp': { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
          aggs: { values: { terms: { field, size } } },
        });
        const buckets = response.aggregations?.values?.buckets;
        assert.ok(Array.isArray(buckets) && buckets.length > 0, `variable ${variable.name}: no values`);
      });
    }
  }
});
