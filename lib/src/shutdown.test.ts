import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.js';
import { createShutdown } from './shutdown.js';

const logger = createLogger('test', 'silent');

describe('createShutdown', () => {
  it('runs the steps once, last registered first, even when called twice', async () => {
    const shutdown = createShutdown(logger);
    const order: string[] = [];
    shutdown.add('http', () => {
      order.push('http');
    });
    shutdown.add('consumer', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('consumer');
    });
    assert.equal(shutdown.stopping, false);
    const first = shutdown.run('SIGTERM');
    const second = shutdown.run('SIGINT');
    assert.equal(shutdown.stopping, true);
    await Promise.all([first, second]);
    assert.deepEqual(order, ['consumer', 'http']);
  });

  it('goes on past a failing step', async () => {
    const shutdown = createShutdown(logger);
    const done: string[] = [];
    shutdown.add('last', () => {
      done.push('last');
    });
    shutdown.add('broken', () => {
      throw new Error('boom');
    });
    await shutdown.run('test');
    assert.deepEqual(done, ['last']);
  });

  it('rejects when the steps outlast the timeout', async () => {
    const shutdown = createShutdown(logger, { timeoutMs: 50 });
    shutdown.add('stuck', () => new Promise<void>(() => undefined));
    await assert.rejects(shutdown.run('test'), /longer than 50 ms/);
  });
});
