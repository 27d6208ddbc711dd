import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  /** 1 when the last readiness check of a dependency succeeded, else 0. */
  dependencyUp: Gauge<'dependency'>;
}

/** One registry per service, labelled with the service's name, with the process's default metrics. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'sentrail_' });
  const dependencyUp = new Gauge({
    name: 'sentrail_dependency_up',
    help: 'Whether the last readiness check of a dependency succeeded (1) or not (0).',
    labelNames: ['dependency'],
    registers: [registry],
  });
  return { registry, dependencyUp };
}
