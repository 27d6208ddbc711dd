import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.js';
import { buildServiceApp } from './service.js';

describe('health routes', () => {
  function app(checks: Record<string, () => Promise<unknown>>, stopping = false) {
    return buildServiceApp({ service: 'test', checks, metrics: createMetrics('test'), isStopping: () => stopping });
  }

  it('/healthz answers while the process runs, whatever the dependencies', async () => {
    const server = await app({ kafka: () => Promise.reject(new Error('down')) });
    const response = await server.inject('/healthz');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', service: 'test' });
  });

  it('/readyz is 200 only when every dependency answers, and names the one that does not', async () => {
    const up = await app({ kafka: async () => 'ok', elasticsearch: async () => 'ok' });
    assert.equal((await up.inject('/readyz')).statusCode, 200);

    const down = await app({
      kafka: async () => 'ok',
      elasticsearch: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9200')),
    });
    const response = await down.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), {
      status: 'not ready',
      service: 'test',
      checks: {
        kafka: { status: 'up' },
        elasticsearch: { status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:9200' },
      },
    });
  });

  it('/readyz gives up on a dependency that hangs', async () => {
    const server = await app({ s3: () => new Promise(() => undefined) });
    const response = await server.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.match(
      response.json<{ checks: Record<string, { error: string }> }>().checks['s3']!.error,
      /no answer within/,
    );
  });

  it('/readyz is 503 once the service is stopping, so traffic drains', async () => {
    const server = await app({ kafka: async () => 'ok' }, true);
    const response = await server.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<{ status: string }>().status, 'stopping');
  });

  it('/metrics exposes Prometheus text with the dependency gauge and process metrics', async () => {
    const server = await app({ kafka: async () => 'ok', sqs: () => Promise.reject(new Error('no')) });
    await server.inject('/readyz');
    const response = await server.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain/);
    assert.match(response.body, /sentrail_dependency_up\{dependency="kafka",service="test"\} 1/);
    assert.match(response.body, /sentrail_dependency_up\{dependency="sqs",service="test"\} 0/);
    assert.match(response.body, /sentrail_process_cpu_seconds_total/);
  });
});
