// The generated files as text, keyed by their path under dashboards/: what generate.ts writes and
// what the tests compare with the committed files.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { allDashboards } from './dashboards.js';
import { dashboardProviderYaml, datasourcesYaml } from './provisioning.js';

/** Keys sorted at every level, so a file changes only when its content does. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(sortedKeys(dashboard), null, 2)}\n`;
}

export function renderFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dashboard of allDashboards()) {
    const path = `generated/${dashboard.uid}.json`;
    if (files.has(path)) throw new Error(`two dashboards have the uid ${dashboard.uid}`);
    files.set(path, dashboardJson(dashboard));
  }
  files.set('provisioning/datasources/sentrail.yaml', datasourcesYaml());
  files.set('provisioning/dashboards/sentrail.yaml', dashboardProviderYaml());
  return files;
}
