import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig, type SentrailConfig } from './config.js';

/** The repository's sentrail.yaml, whatever the current directory. */
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
    for (const [partition, offset] of since ?? []) consumer.seek({ topic, partition, offset });
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
