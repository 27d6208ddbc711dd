import { randomUUID } from 'node:crypto';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { ConfigError, loadConfig, type SentrailConfig, type ServiceName } from './config.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { createShutdown, exitOnSignals, type Shutdown } from './shutdown.js';

export interface ServiceContext {
  name: ServiceName;
  config: SentrailConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Register what must be stopped; the last registered stops first. */
  shutdown: Shutdown;
}

export interface ServiceParts {
  /** What /readyz checks: every dependency the service needs to do its work. */
  checks: Record<string, ReadinessCheck>;
  /** The service's own routes, beside /healthz, /readyz and /metrics. */
  routes?: FastifyPluginAsync;
  /** The largest request body accepted, in bytes (fastify's default: 1 MiB). */
  bodyLimit?: number;
  /**
   * Stop taking requests before anything else stops, for a service whose requests are its work (the
   * API: what they produce must reach Kafka before the producer goes); others keep /readyz answering.
   */
  closeHttpFirst?: boolean;
}

export interface ServiceAppOptions extends ServiceParts {
  service: string;
  metrics: ServiceMetrics;
  isStopping: () => boolean;
  logger?: Logger;
}

/** The HTTP side of a service, with no socket: tests drive it with app.inject. */
export async function buildServiceApp(options: ServiceAppOptions): Promise<FastifyInstance> {
  const { service, checks, routes, metrics, isStopping, logger, bodyLimit } = options;
  const loggerInstance: FastifyBaseLogger = logger ?? createLogger(service, 'silent');
  const app = fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Unique across restarts and instances, so a request's log lines and records can be joined on it.
    genReqId: () => randomUUID(),
  });
  await app.register(healthRoutes, { service, checks, metrics, isStopping });
  if (routes) await app.register(routes);
  return app;
}

/**
 * Runs a service: configuration (a bad one exits 2 naming the key), ECS logs, metrics, the start
 * function's connections, the HTTP listener, and a graceful shutdown on SIGTERM/SIGINT.
 */
export async function runService(name: ServiceName, start: (context: ServiceContext) => Promise<ServiceParts>) {
  let config: SentrailConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(`sentrail-${name}`, config.log.level);
  const metrics = createMetrics(name);
  const shutdown = createShutdown(logger);
  exitOnSignals(shutdown, logger);

  let app: FastifyInstance | undefined;
  let closing: Promise<void> | undefined;
  const closeHttp = () => (closing ??= app?.close());
  // Registered first so it runs last: the health endpoints answer until the work has stopped.
  shutdown.add('http', closeHttp);
  try {
    const parts = await start({ name, config, logger, metrics, shutdown });
    app = await buildServiceApp({ ...parts, service: name, metrics, logger, isStopping: () => shutdown.stopping });
    if (parts.closeHttpFirst) shutdown.add('http requests', closeHttp);
    const { host, port } = config[name];
    const address = await app.listen({ host, port });
    logger.info({ address }, `${name} listening`);
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    await shutdown.run('start failed').catch(() => undefined);
    // A source's own settings are checked as it is built: a bad one is a configuration error too.
    if (error instanceof ConfigError) process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
