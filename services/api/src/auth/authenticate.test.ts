import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteGroup } from '../app.js';
import { parseKey } from './api-keys.js';
import { startTestApi, type TestApi } from '../testing.js';

/** One route for analysts and one nobody named roles for. */
const probe: RouteGroup = async (app) => {
  app.get(
    '/v1/probe',
    {
      config: { roles: ['analyst'] },
      schema: { response: { 200: { type: 'object', properties: { who: { type: 'string' } } } } },
    },
    async (request) => ({ who: request.principal?.name }),
  );
  app.get('/v1/unlisted', async () => ({ open: true }));
};

describe('authentication and roles (real Elasticsearch)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi([probe]);
  });
  after(() => api.close());

  it('answers 401 without a key or with an unknown one, naming the header to use', async () => {
    const none = await api.request(undefined, { url: '/v1/probe' });
    assert.equal(none.statusCode, 401);
    assert.match(none.json<{ message: string }>().message, /Authorization: Bearer/);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const unknown = await api.app.inject({
      url: '/v1/probe',
      headers: { authorization: `Bearer stk_0123456789abcdef_${'x'.repeat(43)}` },
    });
    assert.equal(unknown.statusCode, 401);
    const garbage = await api.app.inject({ url: '/v1/probe', headers: { 'x-api-key': 'not a key' } });
    assert.equal(garbage.statusCode, 401);
  });

  it('answers 403 to another role, naming the roles allowed, and serves the right one', async () => {
    const auditor = await api.request('auditor', { url: '/v1/probe' });
    assert.equal(auditor.statusCode, 403);
    assert.match(auditor.json<{ message: string }>().message, /'auditor'.*allowed: analyst/);
    const analyst = await api.request('analyst', { url: '/v1/probe' });
    assert.equal(analyst.statusCode, 200);
    assert.deepEqual(analyst.json(), { who: 'test analyst' });
  });

  it('refuses every role on a route that names none', async () => {
    for (const role of ['analyst', 'admin'] as const) {
      assert.equal((await api.request(role, { url: '/v1/unlisted' })).statusCode, 403);
    }
  });

  it('stops accepting a key once it is revoked; the secret is never stored', async () => {
    const { key, info } = await api.deps.keys.create('analyst', 'short-lived', 'test');
    const headers = { authorization: `Bearer ${key}` };
    assert.equal((await api.app.inject({ url: '/v1/probe', headers })).statusCode, 200);
    const stored = await api.deps.elastic.get<Record<string, unknown>>({
      index: `${api.prefix}-api-keys`,
      id: info.id,
    });
    assert.ok(!JSON.stringify(stored._source).includes(parseKey(key)!.secret), 'the secret is stored');
    await api.deps.keys.revoke(info.id, 'test');
    assert.equal((await api.app.inject({ url: '/v1/probe', headers })).statusCode, 401);
  });

  it('serves the OpenAPI document without a key, with the routes and their schemas', async () => {
    const response = await api.app.inject({ url: '/docs/json' });
    assert.equal(response.statusCode, 200);
    const document = response.json<{ paths: Record<string, unknown> }>();
    assert.ok(document.paths['/v1/probe'], 'the probe route is documented');
  });

  it('sends security headers', async () => {
    const response = await api.request('analyst', { url: '/v1/probe' });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
  });
});
