import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig, type SentrailConfig } from './config.js';
import { retry } from './retry.js';

/** The repository's root and its sentrail.yaml, whatever the current directory. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_CONFIG = fileURLToPath(new URL('../../sentrail.yaml', import.meta.url));

/** A name no other test run uses, so tests can share one Kafka and one Elasticsearch. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The local configuration with SENTRAIL_* style overrides on top, as a service would load it. */
export function testConfig(overrides: Record<string, string> = {}): SentrailConfig {
  return loadConfig({ file: REPO_CONFIG, env: overrides });
}

/** The next offset of every partition of a topic: read from here to see only what a test produces. */
export async function topicEnd(admin: Admin, topic: string): Promise<Map<number, string>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, offset }) => [partition, offset]));
}

/**
 * Commits a new consumer group's offsets at the end of the topics, so a service started with it
 * reads only what a test produces from now on, not the history other tests left. One member joins
 * for all topics (admin.setOffsets joins once per topic, seconds each).
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    await admin.connect();
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, end: await topicEnd(admin, topic) })));
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics] });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    await joined;
    consumer.pause(topics.map((topic) => ({ topic })));
    await consumer.commitOffsets(
      ends.flatMap(({ topic, end }) => [...end].map(([partition, offset]) => ({ topic, partition, offset }))),
    );
  } finally {
    await consumer.disconnect();
    await admin.disconnect();
  }
}

/** Deletes a test's index prefix: its indices (by name: wildcard deletes are refused) and templates. */
export async function dropIndexPrefix(client: Client, prefix: string): Promise<void> {
  const indices = Object.keys(await client.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all' }));
  if (indices.length > 0) await client.indices.delete({ index: indices });
  await client.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
  await client.cluster.deleteComponentTemplate({ name: `${prefix}-settings` }).catch(() => undefined);
}

export interface ReadOptions {
  /** Where to start, per partition (from topicEnd before the test acted); default: the beginning. */
  since?: Map<number, string>;
  /** Only messages this accepts are kept and counted. */
  match?: (message: KafkaMessage) => boolean;
  /** Resolve once this many messages matched; without it, read for quietMs after the last message. */
  count?: number;
  timeoutMs?: number;
  quietMs?: number;
}

/** Reads a topic with a throwaway consumer group; rejects if `count` messages do not arrive in time. */
export async function readMessages(kafka: Kafka, topic: string, options: ReadOptions = {}): Promise<KafkaMessage[]> {
  const { since, match = () => true, count, timeoutMs = 30_000, quietMs = 2_000 } = options;
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader'), allowAutoTopicCreation: false });
  const found: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let lastArrival = Date.now();
    await consumer.run({
      eachMessage: async ({ message }) => {
        lastArrival = Date.now();
        if (match(message)) found.push(message);
      },
    });
    // run() can resolve before the group is set up (e.g. right after a broker restart): seek once it is.
    for (const [partition, offset] of since ?? []) {
      await retry(async () => consumer.seek({ topic, partition, offset }), { retries: 100, baseMs: 100, maxMs: 500 });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (count !== undefined && found.length >= count) return found;
      if (count === undefined && Date.now() - lastArrival > quietMs) return found;
      if (Date.now() > deadline) {
        if (count === undefined) return found;
        throw new Error(`${found.length} of ${count} messages arrived on ${topic} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Its ECS log entries so far (stdout, one JSON object a line). */
  logs: Record<string, unknown>[];
  stderr: string[];
  /** The address it listens on, once it does; rejects if it exits first. */
  address: Promise<string>;
}

/**
 * A service as its own process, the way `npm start` runs it, on a free port (so a running stack does
 * not get in the way) and with no ingest sources unless `env` configures some: the local ones would
 * read the shared queue and files.
 */
export function startServiceProcess(name: string, env: Record<string, string> = {}): ServiceProcess {
  const child = spawn(process.execPath, [`services/${name}/dist/index.js`], {
    cwd: REPO_ROOT,
    env: { ...process.env, [`SENTRAIL_${name.toUpperCase()}__PORT`]: '0', SENTRAIL_INGEST__SOURCES: '{}', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const address = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry['message'] === `${name} listening`) resolve(entry['address'] as string);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before listening: ${stderr.join('\n')}`)));
  });
  address.catch(() => undefined); // a test that expects an early exit awaits the exit instead
  return { child, logs, stderr, address };
}

/** A counter of the service's /metrics, summed over the series whose labels include `labels`. */
export async function metric(service: ServiceProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${await service.address}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Stops a service process with SIGTERM, as npm stop does, and checks it left cleanly (exit 0). */
export async function stopService(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode !== null) return;
  service.child.kill('SIGTERM');
  const [code] = (await once(service.child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${service.child.spawnfile} exited with ${code}: ${service.stderr.join('\n')}`);
}

/** Probes every 500 ms until `done` accepts the value, which it returns; fails naming the last value after timeoutMs. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
