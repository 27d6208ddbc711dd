import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseKey } from '../auth/api-keys.js';
import { startTestApi, type TestApi } from '../testing.js';
import { keyRoutes } from './keys.js';

interface KeyInfo {
  id: string;
  name: string;
  role: string;
  created: { at: string; by: string };
  revoked?: { at: string; by: string };
}

describe('API key administration (real Elasticsearch)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi([keyRoutes]);
  });
  after(() => api.close());

  const create = (body: object) => api.request('admin', { method: 'POST', url: '/v1/keys', payload: body });

  it('answers 401 without a key and 403 to every role but admin, on every route', async () => {
    const routes = [
      { method: 'POST', url: '/v1/keys', payload: { name: 'x', role: 'analyst' } },
      { method: 'GET', url: '/v1/keys' },
      { method: 'DELETE', url: '/v1/keys/0123456789abcdef' },
    ] as const;
    for (const route of routes) {
      assert.equal((await api.request(undefined, route)).statusCode, 401, `${route.method} ${route.url}`);
      for (const role of ['analyst', 'auditor', 'ingest'] as const)
        assert.equal((await api.request(role, route)).statusCode, 403, `${role}: ${route.method} ${route.url}`);
    }
  });

  it('creates a key that works at once, shows it only then, and lists it without secret or hash', async () => {
    const created = await create({ name: 'alice laptop', role: 'auditor' });
    assert.equal(created.statusCode, 201);
    const { key, id, name, role, created: made } = created.json<KeyInfo & { key: string }>();
    assert.match(key, /^stk_[0-9a-f]{16}_/);
    assert.deepEqual({ name, role, by: made.by }, { name: 'alice laptop', role: 'auditor', by: 'test admin' });
    assert.equal(await api.deps.keys.verify(key).then((principal) => principal?.keyId), id);

    const listed = await api.request('admin', { url: '/v1/keys' });
    assert.equal(listed.statusCode, 200);
    const { keys } = listed.json<{ keys: KeyInfo[] }>();
    assert.deepEqual(
      keys.find((info) => info.id === id),
      { id, name: 'alice laptop', role: 'auditor', created: made },
    );
    assert.ok(!listed.body.includes(parseKey(key)!.secret), 'the secret is listed');
    assert.ok(!listed.body.includes('sha256'), 'the hash is listed');
  });

  it('revokes a key: the next request with it gets 401, and listing shows who revoked it', async () => {
    const { key, id } = (await create({ name: 'short-lived', role: 'admin' })).json<{ key: string; id: string }>();
    const headers = { authorization: `Bearer ${key}` };
    assert.equal((await api.app.inject({ url: '/v1/keys', headers })).statusCode, 200);

    const revoked = await api.request('admin', { method: 'DELETE', url: `/v1/keys/${id}` });
    assert.equal(revoked.statusCode, 200);
    const info = revoked.json<KeyInfo>();
    assert.equal(info.revoked?.by, 'test admin');
    assert.ok(Date.now() - Date.parse(info.revoked.at) < 60_000);
    assert.equal((await api.app.inject({ url: '/v1/keys', headers })).statusCode, 401);
    const { keys } = (await api.request('admin', { url: '/v1/keys' })).json<{ keys: KeyInfo[] }>();
    assert.deepEqual(
      keys.find((listed) => listed.id === id),
      info,
    );
  });

  it('answers 404 for a key that does not exist, 400 for an id that cannot be one', async () => {
    const missing = await api.request('admin', { method: 'DELETE', url: '/v1/keys/0123456789abcdef' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json<{ message: string }>().message, /0123456789abcdef/);
    const malformed = await api.request('admin', { method: 'DELETE', url: '/v1/keys/nope' });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json<{ message: string }>().message, /id/);
  });

  it('refuses an unknown role or a blank name with 400 naming the field', async () => {
    const role = await create({ name: 'x', role: 'root' });
    assert.equal(role.statusCode, 400);
    assert.match(role.json<{ message: string }>().message, /role/);
    const name = await create({ name: '   ', role: 'analyst' });
    assert.equal(name.statusCode, 400);
    assert.match(name.json<{ message: string }>().message, /name/);
    const missing = await create({ role: 'analyst' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json<{ message: string }>().message, /name/);
  });
});
