// The limits every route has (app.ts): the body size and the rate per key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertRoutes } from './routes/alerts.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { startTestApi, type TestApi } from './testing.js';

describe('request limits (real Elasticsearch)', () => {
  describe('body size (api.bodyLimitBytes = 2048)', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi([exceptionRoutes], { SENTRAIL_API__BODY_LIMIT_BYTES: '2048' });
    });
    after(() => api.close());

    it('answers 413 naming the limit to a larger body, and takes one under it', async () => {
      const mute = (reason: string) =>
        api.request('analyst', {
          method: 'POST',
          url: '/v1/exceptions',
          payload: { rule_id: 'r', entity: 'e', reason, expires_at: new Date(Date.now() + 86_400_000).toISOString() },
        });
      const large = await mute('x'.repeat(3000));
      assert.equal(large.statusCode, 413);
      assert.match(large.json<{ message: string }>().message, /over the limit of 2048 bytes/);
      assert.equal((await mute('x'.repeat(1900))).statusCode, 201);
    });
  });

  describe('rate (api.rateLimitPerMinute = 3)', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi([alertRoutes], { SENTRAIL_API__RATE_LIMIT_PER_MINUTE: '3' });
    });
    after(() => api.close());

    it('answers 429 to a key past its limit, while another key still passes', async () => {
      for (let n = 1; n <= 3; n++)
        assert.equal((await api.request('analyst', { url: '/v1/alerts' })).statusCode, 200, `request ${n}`);
      const limited = await api.request('analyst', { url: '/v1/alerts' });
      assert.equal(limited.statusCode, 429);
      assert.match(limited.json<{ message: string }>().message, /rate limit/i);
      assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back');
      assert.equal((await api.request('auditor', { url: '/v1/alerts' })).statusCode, 200);
    });
  });
});
