import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { checkSection } from '@sentrail/lib/config';
import { retry } from '@sentrail/lib/retry';
import type { JSONSchemaType } from 'ajv';
import { queueUrl } from '../aws.js';
import { ObjectFetchError, readCloudTrailObject, type S3Location } from '../cloudtrail-object.js';
import { parseNotification } from '../notification.js';
import type { Source, SourceFactory } from '../source.js';

export const SOURCE_NAME = 'cloudtrailSqs';

export interface CloudTrailSqsSettings {
  enabled: boolean;
  /** Queue name; empty means ingest.cloudtrailQueue. */
  queue: string;
  /** Messages in flight at once, and objects read at once across them. */
  concurrency: number;
  /** Long-poll wait of one ReceiveMessage. */
  waitTimeSeconds: number;
  /** Visibility taken on receive and renewed every half of it while the message is processed. */
  visibilityTimeoutSeconds: number;
  /** A message that has failed this many receives goes to siem.dlq with the last reason, and is deleted. */
  maxReceives: number;
  /** An object that still does not exist after this many receives (S3 may lag its notification) goes to siem.dlq. */
  missingObjectReceives: number;
  /** A failed message comes back after this, doubling with each receive, at most the visibility timeout. */
  retryDelaySeconds: number;
}

const schema: JSONSchemaType<CloudTrailSqsSettings> = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', default: true },
    queue: { type: 'string', default: '' },
    concurrency: { type: 'integer', minimum: 1, maximum: 100, default: 4 },
    waitTimeSeconds: { type: 'integer', minimum: 0, maximum: 20, default: 20 },
    visibilityTimeoutSeconds: { type: 'integer', minimum: 2, maximum: 43200, default: 300 },
    maxReceives: { type: 'integer', minimum: 1, default: 8 },
    missingObjectReceives: { type: 'integer', minimum: 1, default: 3 },
    retryDelaySeconds: { type: 'integer', minimum: 0, maximum: 43200, default: 10 },
  },
  required: [],
  additionalProperties: false,
};

/** SQS gives at most this many messages per receive. */
const MAX_RECEIVE = 10;

/**
 * CloudTrail log objects announced on SQS (S3 event notifications, directly or through SNS, or
 * CloudTrail's own SNS notifications). Each named object goes to siem.raw.cloudtrail; the message is
 * deleted only once Kafka has every record of every object it names (or its reject is in siem.dlq).
 */
export const cloudtrailSqs: SourceFactory = (context, rawSettings) => {
  const settings = checkSection(`ingest.sources.${SOURCE_NAME}`, schema, rawSettings);
  const { config, logger, sink, metrics, s3, sqs } = context;
  const source = SOURCE_NAME;
  const queueName = settings.queue || config.ingest.cloudtrailQueue;
  const messageSlots = new Slots(settings.concurrency);
  const objectSlots = new Slots(settings.concurrency);
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  let loop: Promise<void> | undefined;

  async function receiveLoop(): Promise<void> {
    const url = await retry(() => queueUrl(sqs, queueName), {
      retries: Infinity,
      signal: abort.signal,
      onRetry: (error) => logger.error({ err: error, queue: queueName }, 'cannot find the SQS queue; retrying'),
    });
    while (!abort.signal.aborted) {
      await messageSlots.take();
      if (abort.signal.aborted) {
        messageSlots.give(1);
        break;
      }
      const wanted = 1 + messageSlots.tryTake(MAX_RECEIVE - 1);
      let messages: Message[] = [];
      try {
        messages = await retry(() => receive(url, wanted), {
          retries: Infinity,
          signal: abort.signal,
          onRetry: (error) => {
            metrics.retries.inc({ source });
            logger.warn({ err: error, queue: queueName }, 'SQS receive failed; retrying');
          },
        });
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
      messageSlots.give(wanted - messages.length);
      for (const message of messages) {
        const work = handleMessage(url, message).finally(() => {
          messageSlots.give(1);
          inFlight.delete(work);
        });
        inFlight.add(work);
      }
    }
  }

  async function receive(url: string, count: number): Promise<Message[]> {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: count,
        WaitTimeSeconds: settings.waitTimeSeconds,
        VisibilityTimeout: settings.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: abort.signal },
    );
    return Messages ?? [];
  }

  const setVisibility = (url: string, message: Message, seconds: number) =>
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: seconds,
      }),
    );

  async function handleMessage(url: string, message: Message): Promise<void> {
    const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    const origin = `sqs://${queueName}/${message.MessageId}`;
    const body = message.Body ?? '';
    const log = logger.child({ origin, receives });
    metrics.messages.inc({ source });
    metrics.inFlight.inc({ source });
    // Each renewal hides the message for a full timeout from the call, so a large object never reappears mid-read.
    const heartbeat = setInterval(() => {
      setVisibility(url, message, settings.visibilityTimeoutSeconds).catch((error: unknown) =>
        log.warn({ err: error }, 'cannot extend the message visibility'),
      );
    }, settings.visibilityTimeoutSeconds * 500);
    let failure: { error: unknown } | undefined;
    try {
      await processMessage(body, origin, log);
    } catch (error) {
      failure = { error };
    } finally {
      // Stopped first, so it cannot undo the delay giveBack sets or touch a deleted message.
      clearInterval(heartbeat);
    }
    try {
      if (failure) await giveBack(url, message, { error: failure.error, receives, origin, body, log });
      else await deleteMessage(url, message);
    } catch (error) {
      log.error({ err: error }, 'cannot delete the message; it comes back and its records are sent again');
    } finally {
      metrics.inFlight.dec({ source });
    }
  }

  /** Resolves once every record of every object the message names is in Kafka, or its reject in siem.dlq. */
  async function processMessage(body: string, origin: string, log: typeof logger): Promise<void> {
    const notification = parseNotification(body);
    if (notification.kind === 'test') {
      log.info('S3 test event: nothing to read');
      return;
    }
    if (notification.kind === 'invalid') {
      await sink.reject(source, [{ error: notification.reason, stage: 'notification', origin, original: body }]);
      return;
    }
    for (const { location, reason } of notification.skipped) log.debug({ object: location }, `skipped: ${reason}`);
    // Every object is read to the end, even when another fails, so a failure is never half-sent in the background.
    const results = await Promise.allSettled(notification.objects.map((location) => readObject(location, log)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async function readObject(location: S3Location, log: typeof logger): Promise<void> {
    await objectSlots.take();
    try {
      const result = await readCloudTrailObject({ s3, sink, metrics, source }, location);
      log.debug({ object: location, records: result.records, rejected: result.rejected }, 'object read');
    } finally {
      objectSlots.give(1);
    }
  }

  async function deleteMessage(url: string, message: Message): Promise<void> {
    await retry(() => sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle })), {
      retries: 3,
      onRetry: () => metrics.retries.inc({ source }),
    });
  }

  interface Failure {
    error: unknown;
    receives: number;
    origin: string;
    body: string;
    log: typeof logger;
  }

  /**
   * Not deleted: the message comes back after a delay growing with its receives, so a Kafka or S3
   * outage is not a hot loop. Once it has failed too often it goes to siem.dlq with the reason; if
   * Kafka is what fails, that send fails too and the message stays in the queue.
   */
  async function giveBack(url: string, message: Message, { error, receives, origin, body, log }: Failure) {
    const missing = error instanceof ObjectFetchError && error.missing;
    const limit = missing ? settings.missingObjectReceives : settings.maxReceives;
    try {
      if (receives >= limit) {
        const reason = `${error instanceof Error ? error.message : String(error)} (after ${receives} receives)`;
        await sink.reject(source, [{ error: reason, stage: missing ? 'fetch' : 'message', origin, original: body }]);
        await deleteMessage(url, message);
        return;
      }
      log.warn({ err: error }, 'message failed; it comes back later');
      const delay = Math.min(settings.visibilityTimeoutSeconds, settings.retryDelaySeconds * 2 ** (receives - 1));
      await setVisibility(url, message, delay);
    } catch (giveBackError) {
      log.error({ err: giveBackError, cause: error }, 'message failed; it comes back after its visibility timeout');
    }
  }

  return {
    async start() {
      // SQS calls are retried until stop() aborts them: that abort is the loop's normal end.
      loop = receiveLoop().catch((error: unknown) => {
        if (!abort.signal.aborted) logger.fatal({ err: error }, 'SQS receive loop stopped');
      });
    },
    async stop() {
      abort.abort();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
    checks: { [`sqs queue ${queueName}`]: () => queueUrl(sqs, queueName) },
  } satisfies Source;
};

/** A counting semaphore: take() waits for a free slot. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Takes up to `count` free slots without waiting; returns how many it took. */
  tryTake(count: number): number {
    const taken = Math.min(count, this.free);
    this.free -= taken;
    return taken;
  }

  give(count: number): void {
    for (let i = 0; i < count; i++) {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
