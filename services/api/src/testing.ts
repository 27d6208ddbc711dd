// The API for tests: the real app on the real Elasticsearch and Kafka, under an index prefix of its
// own, driven with app.inject; keys of every role made on demand.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { createKafka, createProducer } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { createMetrics } from '@sentrail/lib/metrics';
import { buildServiceApp } from '@sentrail/lib/service';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';
import { apiRoutes, type ApiDeps, type RouteGroup } from './app.js';
import { ApiKeys } from './auth/api-keys.js';
import { AccessLog } from './audit/access-log.js';
import type { Role } from './auth/roles.js';

export interface TestApi {
  app: FastifyInstance;
  deps: ApiDeps;
  prefix: string;
  /** A key of the role, made once per test API. */
  keyFor(role: Role): Promise<string>;
  /** app.inject with the role's key (none when `role` is undefined). */
  request(role: Role | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** `env`: SENTRAIL_* overrides on top of the test configuration. */
export async function startTestApi(groups: readonly RouteGroup[], env: Record<string, string> = {}): Promise<TestApi> {
  const prefix = uniqueName('test-api');
  const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix, ...env });
  const logger = createLogger('api-test', 'silent');
  const elastic = createElastic(config.elasticsearch);
  await installTemplates(elastic, config.elasticsearch);
  const producer = createProducer(createKafka(config.kafka, logger, '-api-test'));
  await producer.connect();
  const metrics = createMetrics('api');
  const accessLog = new AccessLog({ producer, logger, metrics });
  const deps: ApiDeps = { config, elastic, producer, keys: new ApiKeys(elastic, prefix), accessLog, logger, metrics };
  const app = await buildServiceApp({
    service: 'api',
    checks: {},
    routes: apiRoutes(deps, groups),
    metrics,
    isStopping: () => false,
    bodyLimit: config.api.bodyLimitBytes,
  });
  const keys = new Map<Role, Promise<string>>();
  const keyFor = (role: Role) => {
    if (!keys.has(role))
      keys.set(
        role,
        deps.keys.create(role, `test ${role}`, 'test').then(({ key }) => key),
      );
    return keys.get(role)!;
  };
  return {
    app,
    deps,
    prefix,
    keyFor,
    async request(role, options) {
      const headers = { ...options.headers, ...(role ? { authorization: `Bearer ${await keyFor(role)}` } : {}) };
      return app.inject({ ...options, headers });
    },
    async close() {
      await app.close();
      await accessLog.flushed();
      await producer.disconnect();
      await dropIndexPrefix(elastic, prefix);
      await elastic.close();
    },
  };
}
