import { Client } from '@elastic/elasticsearch';
import type { SentrailConfig } from './config.js';
import {
  alertExceptionsMapping,
  alertsMapping,
  apiKeysMapping,
  eventsMapping,
  exportsMapping,
  reviewsMapping,
} from './mappings.js';
import type { ServiceContext } from './service.js';

export type { Client as ElasticClient };

export function createElastic(config: SentrailConfig['elasticsearch']): Client {
  return new Client({ node: config.node, requestTimeout: 30_000, maxRetries: 3 });
}

/** The aliases readers use; the dated indices behind them are an implementation detail. */
export function aliases(prefix: string) {
  return {
    events: `${prefix}-events`,
    alerts: `${prefix}-alerts`,
    alertExceptions: `${prefix}-alert-exceptions`,
    reviews: `${prefix}-reviews`,
    apiKeys: `${prefix}-api-keys`,
    exports: `${prefix}-exports`,
  };
}

function utcDate(timestamp: string | number | Date): Date {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid timestamp: ${String(timestamp)}`);
  return date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `sentrail-events-YYYY.MM.DD` by the event's own time in UTC, not by the time it arrived. */
export function eventsIndexName(prefix: string, timestamp: string | number | Date): string {
  const date = utcDate(timestamp);
  return `${prefix}-events-${date.getUTCFullYear()}.${pad(date.getUTCMonth() + 1)}.${pad(date.getUTCDate())}`;
}

/** `<alias>-YYYY.MM`: for the families with few documents, one index a month. */
export function monthlyIndexName(alias: string, timestamp: string | number | Date): string {
  const date = utcDate(timestamp);
  return `${alias}-${date.getUTCFullYear()}.${pad(date.getUTCMonth() + 1)}`;
}

/** `sentrail-alerts-YYYY.MM` by the alert's first_seen. */
export function alertsIndexName(prefix: string, timestamp: string | number | Date): string {
  return monthlyIndexName(aliases(prefix).alerts, timestamp);
}

/**
 * Installs the composable templates: one component template with the shared settings, and one
 * index template per index family that adds its mapping and alias. Safe to run at every start:
 * a changed template applies to the indices created after it.
 */
export async function installTemplates(client: Client, config: SentrailConfig['elasticsearch']): Promise<void> {
  const { indexPrefix: prefix } = config;
  const settingsTemplate = `${prefix}-settings`;
  await client.cluster.putComponentTemplate({
    name: settingsTemplate,
    template: {
      settings: {
        number_of_shards: config.shards,
        number_of_replicas: config.replicas,
        // Explicit mappings only: a bounded field count is what stops a field explosion.
        'index.mapping.total_fields.limit': 1000,
      },
    },
  });
  const families = [
    { name: aliases(prefix).events, mappings: eventsMapping },
    { name: aliases(prefix).alerts, mappings: alertsMapping },
    { name: aliases(prefix).alertExceptions, mappings: alertExceptionsMapping },
    { name: aliases(prefix).reviews, mappings: reviewsMapping },
    { name: aliases(prefix).apiKeys, mappings: apiKeysMapping },
    { name: aliases(prefix).exports, mappings: exportsMapping },
  ];
  for (const { name, mappings } of families) {
    await client.indices.putIndexTemplate({
      name,
      index_patterns: [`${name}-*`],
      composed_of: [settingsTemplate],
      priority: 200,
      template: { mappings, aliases: { [name]: {} } },
      _meta: { managed_by: 'sentrail' },
    });
  }
}

/** Readiness: the cluster answers and is at least yellow. */
export async function pingElastic(client: Client): Promise<void> {
  const health = await client.cluster.health({ timeout: '1s' });
  if (health.status === 'red') throw new Error('cluster status is red');
}

/** A service's Elasticsearch side: templates installed, client closed on shutdown. */
export async function connectElastic(context: Pick<ServiceContext, 'config' | 'shutdown'>) {
  const { config, shutdown } = context;
  const client = createElastic(config.elasticsearch);
  await installTemplates(client, config.elasticsearch);
  shutdown.add('elasticsearch', () => client.close());
  return { client, ping: () => pingElastic(client) };
}
