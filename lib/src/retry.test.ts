import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retry } from './retry.js';

describe('retry', () => {
  it('tries again until the attempt succeeds, reporting each retry', async () => {
    const retries: number[] = [];
    const result = await retry(
      async (n) => {
        if (n < 3) throw new Error(`fail ${n}`);
        return n;
      },
      { retries: 5, baseMs: 1, onRetry: (_error, attempt) => retries.push(attempt) },
    );
    assert.equal(result, 3);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  it('gives up after the allowed retries with the last error', async () => {
    let attempts = 0;
    await assert.rejects(
      retry(
        async () => {
          attempts++;
          throw new Error(`attempt ${attempts}`);
        },
        { retries: 2, baseMs: 1 },
      ),
      /attempt 3/,
    );
  });

  it('does not retry an error that is not retryable', async () => {
    let attempts = 0;
    await assert.rejects(
      retry(
        async () => {
          attempts++;
          throw new Error('404');
        },
        { retries: 5, baseMs: 1, retryable: (error) => !(error as Error).message.includes('404') },
      ),
    );
    assert.equal(attempts, 1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = retry(
      async () => {
        throw new Error('down');
      },
      { retries: Infinity, baseMs: 60_000, maxMs: 60_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(pending, { name: 'AbortError' });
  });
});
