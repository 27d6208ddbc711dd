// The correlator as `npm start` runs it: the demo's suspicious CloudTrail activity, normalized and on
// siem.events, raises the pack's alerts once each, they reach a webhook receiver, and after a restart
// the same events raise nothing new and an acknowledged alert stays acknowledged.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import type { Alert } from '@sentrail/lib/alerts/alert';
import { signBody } from '@sentrail/lib/notifiers/webhook';
import { ATTACKER_IP, CloudTrailGenerator } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { ACKS_ALL, createKafka, createProducer, TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import {
  dropIndexPrefix,
  startGroupAtEnd,
  startServiceProcess,
  stopService,
  testConfig,
  uniqueName,
  waitUntil,
  type ServiceProcess,
} from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';

const SECRET = 'correlator-test-webhook-secret';
const EXPECTED = [
  'aws_root_account_usage',
  'aws_cloudtrail_logging_stopped',
  'aws_iam_access_key_changed',
  'aws_security_group_open_to_world',
  'aws_console_brute_force_by_user',
  'aws_console_brute_force_by_source_ip',
  'aws_console_login_success_after_failures',
].sort();

const until = <T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean) =>
  waitUntil(what, probe, done, 90_000);

describe('correlator, end to end', () => {
  const config = testConfig();
  const prefix = uniqueName('test-correlator');
  const groupId = uniqueName('test-correlator');
  const elastic = createElastic(config.elasticsearch);
  const kafka = createKafka(config.kafka, createLogger('correlator-test', 'silent'), '-test');
  const producer = createProducer(kafka);
  const received: { event: string; alert: Alert }[] = [];
  const receiver = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const signed = request.headers['x-sentrail-signature'] === signBody(SECRET, body);
      if (signed)
        received.push({ event: String(request.headers['x-sentrail-event']), alert: JSON.parse(body) as Alert });
      response.writeHead(signed ? 200 : 401).end();
    });
  });
  const services: ServiceProcess[] = [];
  let env: Record<string, string> = {};

  before(async () => {
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as AddressInfo;
    await producer.connect();
    await startGroupAtEnd(kafka, groupId, [TOPICS.events]);
    env = {
      SENTRAIL_CORRELATOR__GROUP_ID: groupId,
      SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix,
      SENTRAIL_CORRELATOR__NOTIFIERS: `{webhook: {url: 'http://127.0.0.1:${port}/alerts', secret: '${SECRET}'}}`,
    };
  });
  after(async () => {
    await Promise.all(services.map(stopService));
    receiver.close();
    await producer.disconnect();
    await dropIndexPrefix(elastic, prefix);
    await elastic.close();
  });

  /** The ids of the events this test fed: alerts of other tests' events are not this test's business. */
  const fed = new Set<string>();
  const ours = (alert: Alert) => alert.evidence.event_ids.some((id) => fed.has(id));

  /**
   * The demo's suspicious records with this run's own attacker: the correlator rebuilds its windows
   * from the last hour of siem.events, where earlier runs' failures of the demo's user and address
   * would count towards this run's alerts (and rightly update them).
   */
  const user = uniqueName('bob');
  const address = `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
  const ownAttacker = (record: Record<string, unknown>) =>
    JSON.parse(
      JSON.stringify(record)
        .replace(/\bbob\b/g, user)
        .replaceAll(ATTACKER_IP, address),
    ) as Record<string, unknown>;

  /** The demo's suspicious records as the normalizer puts them on siem.events. */
  async function feed(records: Record<string, unknown>[]): Promise<void> {
    const context = createContext(config.normalizer.context);
    const meta = { ...MAPPER_INPUTS.cloudtrail, origin: 'test', receivedAt: new Date().toISOString() };
    const messages = records.map((record) => {
      const result = normalize(JSON.stringify(record), meta, { context });
      if (!result.ok) throw new Error(result.error);
      const document = result.document;
      fed.add(result.id);
      return { key: document.user?.name ?? null, value: JSON.stringify(document), headers: { id: result.id } };
    });
    await producer.send({ topic: TOPICS.events, acks: ACKS_ALL, messages });
  }

  async function alerts(): Promise<Alert[]> {
    await elastic.indices.refresh({ index: `${prefix}-alerts`, ignore_unavailable: true });
    const found = await elastic.search<Alert>({ index: `${prefix}-alerts`, size: 100, ignore_unavailable: true });
    return found.hits.hits.map((hit) => hit._source!).filter(ours);
  }

  it('raises each expected alert once, notifies it, and keeps it as it was after a restart', async () => {
    await installTemplates(elastic, { ...config.elasticsearch, indexPrefix: prefix });
    const records = new CloudTrailGenerator(Math.floor(Math.random() * 2 ** 31))
      .suspicious(new Date())
      .map(ownAttacker);
    const first = startServiceProcess('correlator', env);
    services.push(first);
    await first.address;
    await feed(records);

    const raised = await until('alerts', alerts, (found) => found.length >= EXPECTED.length);
    assert.deepEqual(raised.map((alert) => alert.rule.name).sort(), EXPECTED);
    const bruteForce = raised.find((alert) => alert.rule.name === 'aws_console_brute_force_by_user')!;
    assert.deepEqual(bruteForce.entity, { type: 'user', value: user });
    assert.deepEqual(bruteForce.pci_dss.requirements, ['10.2.1.4']);
    await until(
      'notifications',
      async () => received.length,
      (count) => count >= EXPECTED.length,
    );
    assert.deepEqual(received.map(({ alert }) => alert.rule.name).sort(), EXPECTED);
    assert.ok(received.every(({ event }) => event === 'alert.opened'));

    const store = new AlertStore({ client: elastic, prefix, suppressionMinutes: 60 });
    await store.acknowledge(bruteForce.alert.id, 'oncall@example.com');
    await stopService(first);

    // Restarted, with the same events again (a replay): nothing new, and the acknowledgement stays.
    const second = startServiceProcess('correlator', env);
    services.push(second);
    await second.address;
    await feed(records);
    const metrics = async () => (await fetch(`${await second.address}/metrics`)).text();
    await until('the replay handled', metrics, (text) =>
      /sentrail_correlator_events_total\{service="correlator"\} (\d+)/.test(text)
        ? Number(/sentrail_correlator_events_total\{service="correlator"\} (\d+)/.exec(text)![1]) >= records.length
        : false,
    );
    const after = await alerts();
    assert.equal(after.length, EXPECTED.length, 'no alert raised twice');
    const acknowledged = after.find((alert) => alert.alert.id === bruteForce.alert.id)!;
    assert.equal(acknowledged.status, 'acknowledged');
    assert.equal(acknowledged.count, bruteForce.count, 'the replayed failures were already counted');
  });
});
