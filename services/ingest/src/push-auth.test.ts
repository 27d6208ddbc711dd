import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '@sentrail/lib/config';
import { fastify, type FastifyInstance } from 'fastify';
import {
  rawBody,
  requirePushCredentials,
  securePushRoutes,
  SIGNATURE_HEADER,
  signBody,
  validBearer,
  validSignature,
  type PushAuthSettings,
} from './push-auth.js';

const settings: PushAuthSettings = {
  tokens: ['token-0123456789abcdef', 'second-token-0123456789'],
  hmacSecrets: ['hmac-secret-0123456789abcdef'],
  bodyLimitBytes: 2048,
};

describe('push authentication', () => {
  it('accepts each configured bearer token and nothing else', () => {
    assert.ok(validBearer(settings, 'Bearer token-0123456789abcdef'));
    assert.ok(validBearer(settings, 'bearer second-token-0123456789'));
    assert.ok(!validBearer(settings, 'Bearer token-0123456789abcdeF'));
    assert.ok(!validBearer(settings, 'Bearer token-0123456789abcde'));
    assert.ok(!validBearer(settings, 'Basic dG9rZW4='));
    assert.ok(!validBearer(settings, undefined));
    assert.ok(!validBearer({ ...settings, tokens: [] }, 'Bearer '));
  });

  it('accepts an HMAC-SHA256 signature of the exact body bytes', () => {
    const body = Buffer.from('{"id":"1"}');
    const signature = signBody(settings.hmacSecrets[0]!, body);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.ok(validSignature(settings, signature, body));
    assert.ok(!validSignature(settings, signature, Buffer.from('{"id": "1"}')), 'one more space is another body');
    assert.ok(!validSignature(settings, signBody('another-secret-0123456789', body), body));
    assert.ok(!validSignature(settings, signature.replace('sha256=', 'sha1='), body));
    assert.ok(!validSignature(settings, undefined, body));
  });

  it('refuses to configure a push route nobody can authenticate to, naming the key', () => {
    assert.throws(
      () => requirePushCredentials('ingest.sources.infraPush', { ...settings, tokens: [], hmacSecrets: [] }),
      (error: unknown) =>
        error instanceof ConfigError && /^ingest\.sources\.infraPush\.tokens: /.test(error.problems[0] ?? ''),
    );
    requirePushCredentials('ingest.sources.infraPush', { ...settings, tokens: [] });
  });
});

describe('securePushRoutes (app.inject)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = fastify();
    await app.register(async (routes) => {
      securePushRoutes(routes, settings);
      routes.post(
        '/echo',
        {
          schema: {
            body: {
              type: 'object',
              required: ['id', 'resource'],
              properties: { id: { type: 'string' }, resource: { type: 'object', required: ['type'] } },
            },
          },
        },
        async (request) => ({ raw: rawBody(request).toString('utf8') }),
      );
    });
    // Outside the secured plugin nothing changes.
    app.post('/open', async () => ({ open: true }));
  });
  after(() => app.close());

  const body = '{"id":"a1",  "resource":{"type":"bucket"}}';
  const post = (headers: Record<string, string>, payload: string = body) =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json', ...headers }, payload });

  it('answers 401 without credentials, or with a token it does not know', async () => {
    const anonymous = await post({});
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
    assert.match(anonymous.json<{ message: string }>().message, /Authorization: Bearer/);
    const wrong = await post({ authorization: 'Bearer not-a-configured-token' });
    assert.equal(wrong.statusCode, 401);
  });

  it('lets a good bearer token through, with the raw body kept byte for byte', async () => {
    const response = await post({ authorization: `Bearer ${settings.tokens[1]}` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<{ raw: string }>().raw, body);
  });

  it('lets a good signature through and answers 401 to a bad one', async () => {
    const good = await post({ [SIGNATURE_HEADER]: signBody(settings.hmacSecrets[0]!, body) });
    assert.equal(good.statusCode, 200);
    const forged = await post({ [SIGNATURE_HEADER]: signBody(settings.hmacSecrets[0]!, '{"id":"a2"}') });
    assert.equal(forged.statusCode, 401);
    assert.match(forged.json<{ message: string }>().message, /does not match the body/);
  });

  it('answers 413 to a body over bodyLimitBytes', async () => {
    const big = JSON.stringify({ id: 'a1', resource: { type: 'x' }, pad: 'p'.repeat(settings.bodyLimitBytes) });
    const response = await post({ authorization: `Bearer ${settings.tokens[0]}` }, big);
    assert.equal(response.statusCode, 413);
  });

  it('answers 400 naming the field that breaks the schema, and 400 to a body that is not JSON', async () => {
    const auth = { authorization: `Bearer ${settings.tokens[0]}` };
    const missing = await post(auth, '{"id":"a1","resource":{}}');
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<{ message: string }>().message, 'body/resource/type: is required');
    const wrongType = await post(auth, '{"id":"a1","resource":[]}');
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json<{ message: string }>().message, 'body/resource: must be object');
    const notJson = await post(auth, '{"id":');
    assert.equal(notJson.statusCode, 400);
  });

  it('leaves routes outside its plugin alone', async () => {
    const response = await app.inject({ method: 'POST', url: '/open', payload: { any: 1 } });
    assert.equal(response.statusCode, 200);
  });
});
