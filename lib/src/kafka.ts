// kafkajs is no longer maintained: every use of it stays behind this module so it can be replaced.
import {
  Kafka,
  logLevel,
  type Admin,
  type EachBatchPayload,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
} from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import type { SentrailConfig } from './config.js';
import type { Logger } from './logger.js';
import { retry } from './retry.js';
import type { ServiceContext } from './service.js';

export type { Admin, Kafka, KafkaMessage, Message, Producer };

/** The topics of DESIGN.md §3. */
export const TOPICS = {
  rawCloudtrail: 'siem.raw.cloudtrail',
  rawWazuh: 'siem.raw.wazuh',
  rawInfra: 'siem.raw.infra',
  rawIntegrity: 'siem.raw.integrity',
  rawSentrail: 'siem.raw.sentrail',
  events: 'siem.events',
  alerts: 'siem.alerts',
  dlq: 'siem.dlq',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
/** Where ingest writes and the normalizer reads: each source's own records, unchanged. */
export const RAW_TOPICS: Topic[] = [
  TOPICS.rawCloudtrail,
  TOPICS.rawWazuh,
  TOPICS.rawInfra,
  TOPICS.rawIntegrity,
  TOPICS.rawSentrail,
];
export const ALL_TOPICS: Topic[] = Object.values(TOPICS);

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(config: SentrailConfig['kafka'], logger: Logger, clientSuffix = ''): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.clientId}${clientSuffix}`,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[levelNames[level] ?? 'info'](rest, message);
      },
  });
}

/** Creates the missing topics (never relying on broker auto-create); returns the names it created. */
export async function ensureTopics(
  admin: Admin,
  config: SentrailConfig['kafka'],
  topics: readonly string[] = ALL_TOPICS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    // kafkajs's own wait retries only LEADER_NOT_AVAILABLE; a fresh KRaft broker may first answer
    // UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created, so the wait is done below.
    waitForLeaders: false,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: config.partitions,
      replicationFactor: config.replicationFactor,
      configEntries: [{ name: 'max.message.bytes', value: String(config.maxMessageBytes) }],
    })),
  });
  await retry(
    async () => {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: missing });
      const leaderless = metadata.filter(({ partitions }) => partitions.some(({ leader }) => leader < 0));
      if (leaderless.length > 0) throw new Error(`no leader yet for ${leaderless.map(({ name }) => name).join(', ')}`);
    },
    { retries: 30, baseMs: 100, maxMs: 1_000 },
  );
  return missing;
}

/** Readiness: the cluster answers a metadata request. */
export async function pingKafka(admin: Admin): Promise<void> {
  await admin.describeCluster();
}

/**
 * Idempotent producer (one request in flight keeps ordering within a partition across retries).
 * Callers send with acks=all, the only setting that survives a broker failover.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

export const ACKS_ALL = -1;

/** A header of a consumed message as text, or undefined when it has none. */
export const messageHeader = (message: KafkaMessage, name: string): string | undefined =>
  message.headers?.[name]?.toString();

export interface BatchContext {
  topic: string;
  partition: number;
  /** Aborted when the consumer is stopping and its grace period is over: give up, the batch comes again. */
  signal: AbortSignal;
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Handles one batch; offsets are committed only after it resolves. A throw means the batch comes again. */
  handle: (messages: KafkaMessage[], context: BatchContext) => Promise<void>;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** How often heartbeats are sent while a long batch is being handled. */
  heartbeatIntervalMs?: number;
  /** Batches of this many partitions are handled at once (so a handler can merge them, e.g. into one bulk). */
  partitionsConcurrently?: number;
  /** Most bytes fetched per partition at once: the size of a batch (kafkajs's default is 1 MiB). */
  maxBytesPerPartition?: number;
  /** Set after each committed batch to what the group has still to read of the partition (consumerLag). */
  lag?: Gauge<'topic' | 'partition'>;
}

const CONSUMER_LAG = 'sentrail_consumer_lag';

/**
 * The consumer lag of a service's group: messages of each partition it has not yet handled, as of its
 * last committed batch (the partition's high watermark then, less the next offset to read). One per
 * registry, whichever of the service's modules asks first.
 */
export function consumerLag(registry: Registry): Gauge<'topic' | 'partition'> {
  return (
    (registry.getSingleMetric(CONSUMER_LAG) as Gauge<'topic' | 'partition'> | undefined) ??
    new Gauge({
      name: CONSUMER_LAG,
      help: "Messages of a partition the service's consumer group has still to read, as of its last committed batch.",
      labelNames: ['topic', 'partition'],
      registers: [registry],
    })
  );
}

export interface BatchConsumer {
  /**
   * Stops fetching, waits for the batches in hand to be handled and committed, then leaves the group.
   * After `graceMs` the handlers' signal is aborted: what they have not finished comes again, uncommitted.
   */
  stop(graceMs?: number): Promise<void>;
}

/** A consumer that commits a batch's offsets only after it has been handled, heartbeating meanwhile. */
export async function startBatchConsumer(
  kafka: Kafka,
  logger: Logger,
  options: BatchConsumerOptions,
): Promise<BatchConsumer> {
  const { groupId, topics, handle, fromBeginning = true } = options;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 3));
  const consumer = kafka.consumer({
    groupId,
    ...(options.maxBytesPerPartition ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    sessionTimeout,
    heartbeatInterval,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning });
  // kafkajs's disconnect does not wait for the batch in hand, so the batches in flight are tracked here.
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const abort = new AbortController();

  async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const beat = setInterval(() => {
      payload.heartbeat().catch((error: unknown) => logger.warn({ err: error, groupId }, 'heartbeat failed'));
    }, heartbeatInterval);
    try {
      await handle(batch.messages, { topic: batch.topic, partition: batch.partition, signal: abort.signal });
    } finally {
      clearInterval(beat);
    }
    payload.resolveOffset(batch.lastOffset());
    // The committed offset is the next one to read.
    const next = BigInt(batch.lastOffset()) + 1n;
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
    const behind = BigInt(batch.highWatermark) - next;
    options.lag?.set({ topic: batch.topic, partition: String(batch.partition) }, Number(behind > 0n ? behind : 0n));
  }

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatch: async (payload) => {
      // A batch fetched after stop() is left uncommitted: it comes again to the next consumer.
      if (payload.batch.isEmpty() || stopping) return;
      const work = handleBatch(payload);
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    stop(graceMs = 30_000) {
      stopped ??= (async () => {
        stopping = true;
        consumer.pause(topics.map((topic) => ({ topic })));
        const grace = setTimeout(() => abort.abort(new Error('the consumer is stopping')), graceMs);
        await Promise.allSettled(inFlight);
        clearTimeout(grace);
        await consumer.disconnect();
      })();
      return stopped;
    },
  };
}

export interface KafkaConnection {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  ping: () => Promise<void>;
}

/** A service's Kafka side: topics ensured, an admin for readiness, an idempotent producer; closed on shutdown. */
export async function connectKafka(context: Pick<ServiceContext, 'name' | 'config' | 'logger' | 'shutdown'>) {
  const { name, config, logger, shutdown } = context;
  const kafka = createKafka(config.kafka, logger, `-${name}`);
  const admin = kafka.admin();
  await admin.connect();
  shutdown.add('kafka admin', () => admin.disconnect());
  const created = await ensureTopics(admin, config.kafka);
  if (created.length > 0) logger.info({ topics: created }, 'created Kafka topics');
  const producer = createProducer(kafka);
  await producer.connect();
  shutdown.add('kafka producer', () => producer.disconnect());
  return { kafka, admin, producer, ping: () => pingKafka(admin) } satisfies KafkaConnection;
}
