// Every Prometheus panel of the committed dashboards names only metrics the services register, and
// groups or labels series only by labels those metrics carry: the services' own metric factories
// are run into one registry (nothing is started), and each expression is read against it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMetrics } from '@sentrail/lib/metrics';
import { AccessLog } from '@sentrail/api/dist/audit/access-log.js';
import { createCorrelatorMetrics } from '@sentrail/correlator/dist/correlator-metrics.js';
import { createIngestMetrics } from '@sentrail/ingest/dist/ingest-metrics.js';
import { createNormalizerMetrics } from '@sentrail/normalizer/dist/normalizer-metrics.js';
import { PROMETHEUS } from './datasources.js';

const GENERATED_DIR = fileURLToPath(new URL('../generated', import.meta.url));
/** Series a histogram adds to its name. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** On every series: createMetrics's default label, and Prometheus's own. */
const COMMON_LABELS = ['service', 'job', 'instance'];

interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; legendFormat?: string; datasource?: { uid?: string } }[];
}

const prometheusTargets = readdirSync(GENERATED_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(join(GENERATED_DIR, file), 'utf8')) as { title: string; panels: Panel[] };
    return dashboard.panels.flatMap((panel) =>
      (panel.targets ?? [])
        .filter((target) => (target.datasource?.uid ?? panel.datasource?.uid) === PROMETHEUS.ref.uid)
        .map((target) => ({ where: `${dashboard.title} / ${panel.title}`, target })),
    );
  });

/** Every metric the four services register, with its type and label names. */
async function registeredMetrics(): Promise<Map<string, { type: string; labels: string[] }>> {
  const metrics = createMetrics('dashboards-test');
  createIngestMetrics(metrics.registry);
  createNormalizerMetrics(metrics.registry);
  createCorrelatorMetrics(metrics.registry);
  // The API's one counter is made by its access log, which touches neither argument until used.
  new AccessLog({ producer: {} as never, logger: {} as never, metrics });
  const found = new Map<string, { type: string; labels: string[] }>();
  for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
    // prom-client keeps a metric's label names on the metric (its configuration's labelNames).
    const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames?: string[] };
    found.set(name, { type: String(type), labels: [...(metric.labelNames ?? [])] });
  }
  return found;
}

/** The metric a series name belongs to: itself, or a histogram's. */
function metricOf(series: string, metrics: Map<string, { type: string }>): string | undefined {
  if (metrics.has(series)) return series;
  const suffix = HISTOGRAM_SUFFIXES.find((candidate) => series.endsWith(candidate));
  const base = suffix && series.slice(0, -suffix.length);
  return base && metrics.get(base)?.type === 'histogram' ? base : undefined;
}

describe('Prometheus panels of the dashboards', () => {
  it('finds the Prometheus panels', () => {
    assert.ok(prometheusTargets.length > 0, 'no Prometheus panel: run `npm run dashboards`');
  });

  for (const { where, target } of prometheusTargets) {
    it(`${where}: ${target.expr}`, async () => {
      const metrics = await registeredMetrics();
      const expr = target.expr ?? '';
      const names = [...expr.matchAll(/\b(sentrail_[a-z0-9_]+)\b/g)].map((match) => match[1]!);
      assert.ok(names.length > 0, `${where}: the expression names no Sentrail metric`);
      const used = names.map((name) => {
        const metric = metricOf(name, metrics);
        assert.ok(metric, `${where}: ${name} is registered by no service`);
        return metrics.get(metric)!;
      });
      const known = new Set([
        ...COMMON_LABELS,
        ...used.flatMap((metric) => [...metric.labels, ...(metric.type === 'histogram' ? ['le'] : [])]),
      ]);
      const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) => match[1]!.split(/\s*,\s*/));
      const legend = [...(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!);
      for (const label of [...grouped, ...legend]) {
        assert.ok(known.has(label), `${where}: no metric of the expression has the label ${label}`);
      }
    });
  }
});
