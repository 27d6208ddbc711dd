import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@sentrail/lib/change-id';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { createMetrics } from '@sentrail/lib/metrics';
import { buildServiceApp } from '@sentrail/lib/service';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import type { FastifyInstance } from 'fastify';
import { signBody } from '../push-auth.js';
import { sourceTestContext } from '../testing/source-context.js';
import { infraPush } from './infra-push.js';

const config = testConfig();
let harness: Awaited<ReturnType<typeof sourceTestContext>>;
const TOKEN = 'infra-test-token-0123456789';
const HMAC_SECRET = 'infra-test-hmac-secret-0123456789';
const settings = { tokens: [TOKEN], hmacSecrets: [HMAC_SECRET], bodyLimitBytes: 64 * 1024 };

function buildApp(kafkaUp = true): Promise<FastifyInstance> {
  const source = infraPush(kafkaUp ? harness.context : harness.kafkaDown, settings);
  return buildServiceApp({
    service: 'ingest',
    checks: {},
    routes: source.routes!,
    metrics: createMetrics('ingest'),
    isStopping: () => false,
  });
}

/** A ResponseComplete event of kube-apiserver's audit webhook (audit.k8s.io/v1), for a RoleBinding. */
function auditEvent(auditID: string, stage = 'ResponseComplete') {
  return {
    level: 'Metadata',
    auditID,
    stage,
    requestURI: '/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings',
    verb: 'create',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.12'],
    userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234',
    objectRef: {
      resource: 'rolebindings',
      namespace: 'payments',
      name: 'payments-admin',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-11-28T10:00:00.123456Z',
    stageTimestamp: '2026-11-28T10:00:00.145678Z',
    annotations: { 'authorization.k8s.io/decision': 'allow' },
  };
}

function changeEvent(resourceId: string, extra: Record<string, unknown> = {}) {
  return {
    actor: { name: 'ci-deployer', type: 'service', ip: '192.0.2.10' },
    action: 'update',
    resource: { type: 'aws_security_group', id: resourceId, name: 'payments-db' },
    before: { ingress: [{ cidr: '10.0.0.0/16', port: 5432 }] },
    after: { ingress: [{ cidr: '0.0.0.0/0', port: 5432 }] },
    time: '2026-11-28T10:00:00Z',
    system: 'terraform',
    ...extra,
  };
}

const byKey = (messages: KafkaMessage[]) => new Map(messages.map((message) => [message.key!.toString(), message]));

describe('infraPush routes (app.inject, real Kafka)', () => {
  let app: FastifyInstance;
  before(async () => {
    harness = await sourceTestContext(config, 'infra-push');
    app = await buildApp();
  });
  after(async () => {
    await app.close();
    await harness.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });
  const messageOf = (response: { json: <T>() => T }) => response.json<{ message: string }>().message;

  describe('POST /v1/k8s/audit', () => {
    it('produces each Event of an EventList as its own record, keyed auditID:stage, and answers 202', async () => {
      const id = uniqueName('audit');
      const events = [auditEvent(id, 'RequestReceived'), auditEvent(id, 'ResponseComplete')];
      const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events });
      const start = await topicEnd(harness.admin, TOPICS.rawInfra);
      const response = await post('/v1/k8s/audit', body, { 'x-sentrail-signature': signBody(HMAC_SECRET, body) });
      assert.equal(response.statusCode, 202);
      assert.deepEqual(response.json(), { accepted: 2 });
      const messages = byKey(
        await readMessages(harness.kafka, TOPICS.rawInfra, {
          since: start,
          count: 2,
          match: (message) => message.key?.toString().startsWith(id) ?? false,
        }),
      );
      const complete = messages.get(`${id}:ResponseComplete`)!;
      assert.equal(complete.value!.toString(), JSON.stringify(events[1]));
      assert.equal(String(complete.headers!['source']), 'k8sAudit');
      assert.ok(messages.has(`${id}:RequestReceived`));
    });

    it('answers 400 naming the field of an Event or of the list that is wrong', async () => {
      const list = (items: unknown[], apiVersion = 'audit.k8s.io/v1') =>
        JSON.stringify({ kind: 'EventList', apiVersion, items });
      const noId: Record<string, unknown> = auditEvent('x');
      delete noId['auditID'];
      const missing = await post('/v1/k8s/audit', list([auditEvent('a'), noId]));
      assert.equal(missing.statusCode, 400);
      assert.equal(messageOf(missing), 'body/items/1/auditID: is required');
      const badStage = await post('/v1/k8s/audit', list([auditEvent('a', 'Finished')]));
      assert.equal(badStage.statusCode, 400);
      assert.match(messageOf(badStage), /^body\/items\/0\/stage: must be equal to one of the allowed values/);
      const oldVersion = await post('/v1/k8s/audit', list([], 'audit.k8s.io/v1beta1'));
      assert.equal(oldVersion.statusCode, 400);
      assert.match(messageOf(oldVersion), /^body\/apiVersion: /);
    });
  });

  describe('POST /v1/changes', () => {
    it('takes one change event byte for byte, keyed by its id', async () => {
      const id = uniqueName('change');
      const body = `{ "id": "${id}", ${JSON.stringify(changeEvent('sg-1')).slice(1)}`;
      const start = await topicEnd(harness.admin, TOPICS.rawInfra);
      const response = await post('/v1/changes', body);
      assert.equal(response.statusCode, 202);
      assert.deepEqual(response.json(), { accepted: 1 });
      const [message] = await readMessages(harness.kafka, TOPICS.rawInfra, {
        since: start,
        count: 1,
        match: (candidate) => candidate.key?.toString() === id,
      });
      assert.equal(message!.value!.toString(), body);
      assert.equal(String(message!.headers!['source']), 'changes');
    });

    it('takes a batch, each event its own record; one without an id is keyed by the SHA-256 of its canonical JSON', async () => {
      const resourceId = uniqueName('sg');
      const withoutId = changeEvent(resourceId);
      const id = uniqueName('change');
      const withId = changeEvent(resourceId, { id, action: 'delete', after: null });
      const start = await topicEnd(harness.admin, TOPICS.rawInfra);
      const response = await post('/v1/changes', JSON.stringify({ events: [withoutId, withId] }));
      assert.equal(response.statusCode, 202);
      assert.deepEqual(response.json(), { accepted: 2 });
      const messages = byKey(
        await readMessages(harness.kafka, TOPICS.rawInfra, {
          since: start,
          count: 2,
          match: (message) => message.value?.toString().includes(resourceId) ?? false,
        }),
      );
      const hash = createHash('sha256').update(canonicalJson(withoutId)).digest('hex');
      assert.equal(messages.get(hash)!.value!.toString(), JSON.stringify(withoutId));
      assert.equal(messages.get(id)!.value!.toString(), JSON.stringify(withId));
    });

    it('answers 400 naming the field that is missing or malformed', async () => {
      const noActor: Record<string, unknown> = changeEvent('sg-2');
      delete noActor['actor'];
      const missing = await post('/v1/changes', JSON.stringify({ events: [changeEvent('sg-1'), noActor] }));
      assert.equal(missing.statusCode, 400);
      assert.equal(messageOf(missing), 'body/events/1/actor: is required');
      const badTime = await post('/v1/changes', JSON.stringify(changeEvent('sg-1', { time: 'yesterday' })));
      assert.equal(badTime.statusCode, 400);
      assert.equal(messageOf(badTime), 'body/time: must match format "date-time"');
      const noResourceId = await post('/v1/changes', JSON.stringify(changeEvent('sg-1', { resource: { type: 'x' } })));
      assert.equal(messageOf(noResourceId), 'body/resource/id: is required');
      const empty = await post('/v1/changes', JSON.stringify({ events: [] }));
      assert.equal(empty.statusCode, 400);
      assert.match(messageOf(empty), /^body\/events: /);
    });

    it('answers 401 without credentials or with a bad signature, and 413 above bodyLimitBytes', async () => {
      const body = JSON.stringify(changeEvent('sg-1'));
      assert.equal((await post('/v1/changes', body, {})).statusCode, 401);
      const forged = await post('/v1/changes', body, {
        'x-sentrail-signature': signBody('not-the-secret-0123456789', body),
      });
      assert.equal(forged.statusCode, 401);
      const huge = JSON.stringify(changeEvent('sg-1', { after: { blob: 'x'.repeat(settings.bodyLimitBytes) } }));
      assert.equal((await post('/v1/changes', huge)).statusCode, 413);
    });

    it('answers 503 with Retry-After, never 2xx, when Kafka does not acknowledge', async () => {
      const deadApp = await buildApp(false);
      try {
        const response = await deadApp.inject({
          method: 'POST',
          url: '/v1/changes',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          payload: JSON.stringify({ events: [changeEvent('sg-1')] }),
        });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['retry-after'], '5');
      } finally {
        await deadApp.close();
      }
    });
  });

  it('refuses to start with a push route and no token or secret, naming the key', () => {
    assert.throws(
      () => infraPush(harness.context, {}),
      (error: unknown) =>
        error instanceof ConfigError && /^ingest\.sources\.infraPush\.tokens: /.test(error.problems[0] ?? ''),
    );
    assert.equal(infraPush(harness.context, { k8sAudit: false, changes: false }).routes, undefined);
  });
});
