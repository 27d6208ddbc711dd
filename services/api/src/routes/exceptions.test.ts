import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertExceptions } from '@sentrail/lib/alerts/exceptions';
import { startTestApi, type TestApi } from '../testing.js';
import { exceptionRoutes } from './exceptions.js';

const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('alert exceptions (real Elasticsearch)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi([exceptionRoutes]);
  });
  after(() => api.close());

  const body = (overrides: object = {}) => ({
    rule_id: 'aws-root-console-login',
    entity: 'scanner-10.0.0.9',
    reason: 'authorised vulnerability scan, change CHG-1234',
    expires_at: daysAhead(7),
    ...overrides,
  });
  const create = (payload: object) => api.request('analyst', { method: 'POST', url: '/v1/exceptions', payload });

  it('answers 401 without a key, 403 to other roles; analysts create, analysts and auditors read', async () => {
    const post = { method: 'POST', url: '/v1/exceptions', payload: body() } as const;
    const get = { url: '/v1/exceptions' } as const;
    for (const route of [post, get]) assert.equal((await api.request(undefined, route)).statusCode, 401);
    for (const role of ['auditor', 'admin', 'ingest'] as const)
      assert.equal((await api.request(role, post)).statusCode, 403, `${role} creates`);
    for (const role of ['admin', 'ingest'] as const)
      assert.equal((await api.request(role, get)).statusCode, 403, `${role} reads`);
    assert.equal((await api.request('analyst', post)).statusCode, 201);
    for (const role of ['analyst', 'auditor'] as const)
      assert.equal((await api.request(role, get)).statusCode, 200, `${role} reads`);
  });

  it("records who muted what, why and until when; the correlator's check sees it", async () => {
    const expiresAt = daysAhead(30);
    const response = await create(body({ entity: 'break-glass-user', expires_at: expiresAt }));
    assert.equal(response.statusCode, 201);
    const created = response.json<Record<string, unknown>>();
    assert.deepEqual(
      { ...created, '@timestamp': undefined, id: undefined },
      {
        '@timestamp': undefined,
        id: undefined,
        rule: { id: 'aws-root-console-login' },
        entity: { value: 'break-glass-user' },
        reason: 'authorised vulnerability scan, change CHG-1234',
        by: 'test analyst',
        expires_at: expiresAt,
      },
    );
    const listed = await api.request('auditor', { url: '/v1/exceptions' });
    const { exceptions } = listed.json<{ exceptions: { id: string }[] }>();
    assert.deepEqual(
      exceptions.find((exception) => exception.id === created['id']),
      created,
    );
    const correlators = new AlertExceptions(api.deps.elastic, api.prefix);
    assert.equal(await correlators.isMuted('aws-root-console-login', 'break-glass-user'), true);
    assert.equal(await correlators.isMuted('aws-root-console-login', 'someone-else'), false);
  });

  it('refuses an expiry in the past, more than a year ahead, or not a time, with 400 naming expires_at', async () => {
    for (const expires_at of [daysAhead(-1), daysAhead(366), 'next week']) {
      const response = await create(body({ expires_at }));
      assert.equal(response.statusCode, 400, expires_at);
      assert.match(response.json<{ message: string }>().message, /expires_at/);
    }
  });

  it('refuses a missing or blank field with 400 naming it', async () => {
    for (const field of ['rule_id', 'entity', 'reason']) {
      for (const value of [undefined, ' ']) {
        const response = await create(body({ [field]: value }));
        assert.equal(response.statusCode, 400, `${field}: ${value}`);
        assert.match(response.json<{ message: string }>().message, new RegExp(field));
      }
    }
  });
});
