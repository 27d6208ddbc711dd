import type { FastifyPluginAsync } from 'fastify';
import type { ServiceMetrics } from './metrics.js';

/** Resolves when the dependency answers; rejects with the reason otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  service: string;
  checks: Record<string, ReadinessCheck>;
  metrics: ServiceMetrics;
  /** True once the service has begun shutting down: it stops being ready so traffic drains away. */
  isStopping: () => boolean;
  checkTimeoutMs?: number;
}

interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz (the process runs), /readyz (every dependency answers) and /metrics (Prometheus). */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  const { service, checks, metrics, isStopping, checkTimeoutMs = 2_000 } = options;

  app.get('/healthz', async () => ({ status: 'ok', service }));

  app.get('/readyz', async (_request, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!, checkTimeoutMs)));
    const byName: Record<string, CheckResult> = {};
    names.forEach((name, i) => {
      byName[name] = results[i]!;
      metrics.dependencyUp.set({ dependency: name }, results[i]!.status === 'up' ? 1 : 0);
    });
    const stopping = isStopping();
    const ready = !stopping && results.every((result) => result.status === 'up');
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : stopping ? 'stopping' : 'not ready',
      service,
      checks: byName,
    });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
