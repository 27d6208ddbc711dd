import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { createMetrics } from '@sentrail/lib/metrics';
import { buildServiceApp } from '@sentrail/lib/service';
import { readMessages, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';
import { readCheckpoint } from '../file-tail.js';
import { signBody } from '../push-auth.js';
import type { SourceContext } from '../source.js';
import { sourceTestContext } from '../testing/source-context.js';
import { classifyLines, wazuh } from './wazuh.js';

const config = testConfig();
const TOKEN = 'wazuh-test-token-0123456789';
const HMAC_SECRET = 'wazuh-test-hmac-secret-0123456789';
let harness: Awaited<ReturnType<typeof sourceTestContext>>;
const context = (kafkaUp = true): SourceContext => (kafkaUp ? harness.context : harness.kafkaDown);

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One alert line as the manager writes it, with a test-unique id. */
function alertLine(run: string, n: number): string {
  return JSON.stringify({
    timestamp: `2026-11-28T10:00:0${n % 10}.000+0000`,
    rule: { level: 5, description: 'sshd: authentication failed.', id: '5760', pci_dss: ['10.2.4', '10.2.5'] },
    agent: { id: '003', name: 'bastion-1', ip: '10.0.0.5' },
    manager: { name: 'wazuh-manager' },
    id: `${run}.${n}`,
    full_log: 'Failed password for invalid user admin from 203.0.113.66 port 52011 ssh2',
  });
}

const header = (message: KafkaMessage, name: string) => String(message.headers?.[name]);
const keyed = (run: string) => (message: KafkaMessage) => message.key?.toString().startsWith(`${run}.`) ?? false;

describe('wazuh source (real files, real Kafka)', () => {
  let directory = '';
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sentrail-wazuh-'));
    harness = await sourceTestContext(config, 'wazuh');
  });
  after(async () => {
    await harness.close();
    await rm(directory, { recursive: true, force: true });
  });

  const fileSettings = (name: string) => ({
    alertsFile: join(directory, `${name}.json`),
    checkpointFile: join(directory, 'state', `${name}.checkpoint.json`),
    pollIntervalMs: 50,
  });

  it('produces each alert unchanged, keyed by its id, with origin file:<inode>:<offset>; a non-JSON line goes to siem.dlq and the tail goes on', async () => {
    const run = uniqueName('tail');
    const settings = fileSettings(run);
    const lines = [alertLine(run, 1), `not json ${run}`, alertLine(run, 2)];
    await writeFile(settings.alertsFile, lines.map((line) => `${line}\n`).join(''));
    const inode = (await stat(settings.alertsFile, { bigint: true })).ino.toString();
    const rawStart = await topicEnd(harness.admin, TOPICS.rawWazuh);
    const dlqStart = await topicEnd(harness.admin, TOPICS.dlq);

    const source = wazuh(context(), settings);
    await source.start!();
    try {
      const alerts = await readMessages(harness.kafka, TOPICS.rawWazuh, {
        since: rawStart,
        count: 2,
        match: keyed(run),
      });
      alerts.sort((a, b) => a.key!.toString().localeCompare(b.key!.toString()));
      assert.deepEqual(
        alerts.map((message) => message.value!.toString()),
        [lines[0], lines[2]],
      );
      assert.equal(alerts[0]!.key!.toString(), `${run}.1`);
      assert.equal(header(alerts[0]!, 'source'), 'wazuh');
      assert.equal(header(alerts[0]!, 'origin'), `file:${inode}:0`);
      const secondOffset = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`);
      assert.equal(header(alerts[1]!, 'origin'), `file:${inode}:${secondOffset}`);

      const dlqOrigin = `file:${inode}:${Buffer.byteLength(`${lines[0]}\n`)}`;
      const [rejected] = await readMessages(harness.kafka, TOPICS.dlq, {
        since: dlqStart,
        count: 1,
        match: (message) => message.key?.toString() === dlqOrigin,
      });
      const entry = JSON.parse(rejected!.value!.toString()) as Record<string, string>;
      assert.equal(entry['stage'], 'parse');
      assert.match(entry['error']!, /^not JSON: /);
      assert.equal(entry['original'], lines[1]);
      assert.equal(entry['source'], 'wazuh');
      await source.checks!['wazuhAlertsFile']!();
    } finally {
      await source.stop!();
    }
    assert.deepEqual(await readCheckpoint(settings.checkpointFile), {
      inode,
      offset: Buffer.byteLength(lines.map((line) => `${line}\n`).join('')),
    });
  });

  it('resumes after a restart from a checkpoint written mid-file: no duplicate, no gap', async () => {
    const run = uniqueName('resume');
    const settings = fileSettings(run);
    const lines = Array.from({ length: 6 }, (_, n) => `${alertLine(run, n)}\n`);
    const rawStart = await topicEnd(harness.admin, TOPICS.rawWazuh);
    await writeFile(settings.alertsFile, lines.slice(0, 3).join(''));
    const first = wazuh(context(), settings);
    await first.start!();
    const firstPart = Buffer.byteLength(lines.slice(0, 3).join(''));
    await until(async () => (await readCheckpoint(settings.checkpointFile))?.offset === firstPart, 'the checkpoint');
    await first.stop!();

    await appendFile(settings.alertsFile, lines.slice(3).join(''));
    const second = wazuh(context(), settings);
    await second.start!();
    try {
      const all = Buffer.byteLength(lines.join(''));
      await until(async () => (await readCheckpoint(settings.checkpointFile))?.offset === all, 'the second checkpoint');
    } finally {
      await second.stop!();
    }
    // Read everything there is (quiet period), not just 6: a duplicate would show as a 7th.
    const produced = await readMessages(harness.kafka, TOPICS.rawWazuh, { since: rawStart, match: keyed(run) });
    assert.deepEqual(
      produced.map((message) => message.key!.toString()).sort(),
      lines.map((_, n) => `${run}.${n}`),
    );
  });

  it('does not advance the checkpoint while Kafka is unavailable, and reports it in /readyz', async () => {
    const run = uniqueName('down');
    const settings = fileSettings(run);
    await writeFile(settings.alertsFile, `${alertLine(run, 1)}\n`);
    const source = wazuh(context(false), settings);
    await source.start!();
    try {
      await until(
        async () =>
          await source.checks!['wazuhAlertsFile']!().then(
            () => false,
            () => true,
          ),
        'a failure',
      );
      const saved = await readCheckpoint(settings.checkpointFile);
      assert.equal(saved?.offset, 0);
    } finally {
      await source.stop!();
    }
    assert.equal((await readCheckpoint(settings.checkpointFile))?.offset, 0);
  });

  it('sends the unterminated end of a rotated file and non-object JSON to the DLQ, not to Kafka raw', () => {
    const line = (text: string, complete = true) => ({
      bytes: Buffer.from(text),
      origin: `file:1:${text.length}`,
      complete,
    });
    const { records, rejected } = classifyLines([
      line('{"id":"1.1","timestamp":"2026-11-28T10:00:00.000+0000"}'),
      line('{"id":"1.2","timest', false),
      line('[1,2]'),
    ]);
    assert.deepEqual(
      records.map((record) => record.key),
      ['1.1'],
    );
    assert.deepEqual(
      rejected.map(({ stage, error }) => [stage, error]),
      [
        ['partial', 'unterminated last line of a file that was rotated away or truncated'],
        ['parse', 'not a JSON object'],
      ],
    );
  });

  it('refuses the push route with no token and no HMAC secret, naming the key', () => {
    assert.throws(
      () => wazuh(context(), { tail: false, push: true }),
      (error: unknown) =>
        error instanceof ConfigError && /^ingest\.sources\.wazuh\.tokens: /.test(error.problems[0] ?? ''),
    );
    assert.throws(() => wazuh(context(), { startAt: 'middle' }), /ingest\.sources\.wazuh\.startAt: must be one of/);
  });

  describe('POST /v1/wazuh/alerts', () => {
    const pushSettings = { tail: false, push: true, tokens: [TOKEN], hmacSecrets: [HMAC_SECRET] };
    const appFor = async (kafkaUp = true) => {
      const source = wazuh(context(kafkaUp), pushSettings);
      return buildServiceApp({
        service: 'ingest',
        checks: {},
        routes: source.routes!,
        metrics: createMetrics('ingest'),
        isStopping: () => false,
      });
    };
    const post = (app: Awaited<ReturnType<typeof appFor>>, payload: string, headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/v1/wazuh/alerts',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });

    it('takes one alert as the integrator posts it, byte for byte, and answers 202 once Kafka has it', async () => {
      const app = await appFor();
      try {
        const run = uniqueName('push');
        const body = alertLine(run, 1).replace('{', '{ ');
        const rawStart = await topicEnd(harness.admin, TOPICS.rawWazuh);
        const response = await post(app, body, { 'x-sentrail-signature': signBody(HMAC_SECRET, body) });
        assert.equal(response.statusCode, 202);
        assert.deepEqual(response.json(), { accepted: 1 });
        const [message] = await readMessages(harness.kafka, TOPICS.rawWazuh, {
          since: rawStart,
          count: 1,
          match: keyed(run),
        });
        assert.equal(message!.value!.toString(), body);
        assert.match(header(message!, 'origin'), /^http:[0-9a-f-]{36}#0$/);
      } finally {
        await app.close();
      }
    });

    it('takes an array of alerts, each as its own record', async () => {
      const app = await appFor();
      try {
        const run = uniqueName('push-batch');
        const alerts = [1, 2, 3].map((n) => JSON.parse(alertLine(run, n)) as Record<string, unknown>);
        const rawStart = await topicEnd(harness.admin, TOPICS.rawWazuh);
        const response = await post(app, JSON.stringify(alerts), { authorization: `Bearer ${TOKEN}` });
        assert.equal(response.statusCode, 202);
        assert.deepEqual(response.json(), { accepted: 3 });
        const messages = await readMessages(harness.kafka, TOPICS.rawWazuh, {
          since: rawStart,
          count: 3,
          match: keyed(run),
        });
        const byKey = new Map(messages.map((message) => [message.key!.toString(), message.value!.toString()]));
        assert.equal(byKey.get(`${run}.2`), JSON.stringify(alerts[1]));
      } finally {
        await app.close();
      }
    });

    it('answers 400 naming the field, 401 without credentials, 413 above the body limit', async () => {
      const app = await appFor();
      try {
        const auth = { authorization: `Bearer ${TOKEN}` };
        const noId = await post(app, JSON.stringify([{ timestamp: '2026-11-28T10:00:00.000+0000', rule: {} }]), auth);
        assert.equal(noId.statusCode, 400);
        assert.equal(noId.json<{ message: string }>().message, 'body/0/id: is required');
        assert.equal((await post(app, alertLine('x', 1), {})).statusCode, 401);
        const huge = JSON.stringify({ ...JSON.parse(alertLine('x', 1)), full_log: 'x'.repeat(6 * 1024 * 1024) });
        assert.equal((await post(app, huge, auth)).statusCode, 413);
      } finally {
        await app.close();
      }
    });

    it('answers 503 with Retry-After, not 2xx, when Kafka does not acknowledge', async () => {
      const app = await appFor(false);
      try {
        const response = await post(app, alertLine(uniqueName('push-down'), 1), { authorization: `Bearer ${TOKEN}` });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['retry-after'], '5');
      } finally {
        await app.close();
      }
    });
  });
});
