// The whole pipeline as `npm start` runs it, each service its own process, isolated for one run: its
// own index prefix, SQS queue, Wazuh alerts file and consumer groups, so the end-to-end benchmark
// and the fault suite can drive it with a known corpus and account for every record afterwards.
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSqsClient } from '@sentrail/ingest/dist/aws.js';
import type { Alert } from '@sentrail/lib/alerts/alert';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { createElastic } from '@sentrail/lib/elastic';
import { createKafka, RAW_TOPICS, TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { signBody } from '@sentrail/lib/notifiers/webhook';
import {
  dropIndexPrefix,
  readMessages,
  startGroupAtEnd,
  startServiceProcess,
  stopService,
  testConfig,
  topicEnd,
  uniqueName,
  waitUntil,
  type ServiceProcess,
} from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { MAPPER_OF, recordsOf, type Delivery } from './corpus.js';

export type ServiceName = 'ingest' | 'normalizer' | 'correlator';

export interface RigOptions {
  /** The services to run (all three by default). */
  services?: ServiceName[];
  /** More SENTRAIL_* settings for every service. */
  env?: Record<string, string>;
  /** Told of each valid record delivered, as the normalizer makes it (e.g. to run the rules over it). */
  onDocument?: (id: string, document: EcsDocument) => void;
}

/** A notification the rig's webhook receiver took (signed with the rig's secret). */
export interface Received {
  event: string;
  alert: Alert;
}

/** A siem.dlq message, as DESIGN.md §3 shapes it. */
export interface DlqRecord {
  error: string;
  stage: string;
  origin: string;
  source: string;
  original?: string;
}

const TOKEN = 'pipeline-rig-token-0123456789';
const SECRET = 'pipeline-rig-webhook-secret';
const ALL: ServiceName[] = ['ingest', 'normalizer', 'correlator'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PipelineRig {
  readonly config = testConfig();
  readonly prefix = uniqueName('rig');
  /** The Elasticsearch _id of every valid record delivered. */
  readonly expected = new Set<string>();
  /** What the webhook receiver took, in order. */
  readonly received: Received[] = [];
  readonly elastic = createElastic(this.config.elasticsearch);
  readonly kafka = createKafka(this.config.kafka, createLogger('pipeline-rig', 'silent'), '-rig');
  readonly sqs = createSqsClient(this.config.aws);
  private readonly s3 = createS3Client(this.config.aws);
  private readonly context = createContext(this.config.normalizer.context);
  private readonly folder = mkdtempSync(join(tmpdir(), 'sentrail-rig-'));
  readonly wazuhFile = join(this.folder, 'alerts.json');
  private readonly queue = uniqueName('rig-queue');
  queueUrl = '';
  private readonly keys: string[] = [];
  private readonly services = new Map<ServiceName, ServiceProcess>();
  private readonly env = new Map<ServiceName, Record<string, string>>();
  private dlqStart = new Map<number, string>();
  private receiver: Server | undefined;
  private onDocument: RigOptions['onDocument'];
  /** When false, the webhook receiver answers 503: a notifier endpoint that is down. */
  receiverUp = true;
  /** Notifications the receiver refused while down. */
  refused = 0;

  private constructor() {}

  static async start(options: RigOptions = {}): Promise<PipelineRig> {
    const rig = new PipelineRig();
    try {
      await rig.setUp(options);
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  private async setUp({ services = ALL, env = {}, onDocument }: RigOptions): Promise<void> {
    this.onDocument = onDocument;
    this.queueUrl = (await this.sqs.send(new CreateQueueCommand({ QueueName: this.queue }))).QueueUrl!;
    await appendFile(this.wazuhFile, '');
    const admin = this.kafka.admin();
    await admin.connect();
    this.dlqStart = await topicEnd(admin, TOPICS.dlq);
    await admin.disconnect();
    const common = { SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: this.prefix, ...env };
    const groups = { normalizer: uniqueName('rig-normalizer'), correlator: uniqueName('rig-correlator') };
    await startGroupAtEnd(this.kafka, groups.normalizer, RAW_TOPICS);
    await startGroupAtEnd(this.kafka, groups.correlator, [TOPICS.events]);
    this.receiver = createServer((request, response) => this.receive(request, response));
    this.receiver.listen(0, '127.0.0.1');
    await once(this.receiver, 'listening');
    const { port } = this.receiver.address() as AddressInfo;
    this.env.set('ingest', {
      ...common,
      SENTRAIL_INGEST__CLOUDTRAIL_QUEUE: this.queue,
      // A short visibility: a message an ingest killed mid-way held comes back within seconds.
      SENTRAIL_INGEST__SOURCES: JSON.stringify({
        cloudtrailSqs: { waitTimeSeconds: 1, visibilityTimeoutSeconds: 10, retryDelaySeconds: 1 },
        wazuh: {
          alertsFile: this.wazuhFile,
          checkpointFile: join(this.folder, 'wazuh.checkpoint.json'),
          pollIntervalMs: 100,
        },
        infraPush: { tokens: [TOKEN] },
      }),
    });
    this.env.set('normalizer', { ...common, SENTRAIL_NORMALIZER__GROUP_ID: groups.normalizer });
    this.env.set('correlator', {
      ...common,
      SENTRAIL_CORRELATOR__GROUP_ID: groups.correlator,
      SENTRAIL_CORRELATOR__NOTIFIERS: JSON.stringify({
        webhook: { url: `http://127.0.0.1:${port}/alerts`, secret: SECRET },
      }),
    });
    // Downstream first, so nothing waits on a consumer that is not there yet.
    for (const name of ['correlator', 'normalizer', 'ingest'] as const)
      if (services.includes(name)) await this.launch(name);
  }

  private receive(request: IncomingMessage, response: import('node:http').ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (!this.receiverUp) {
        this.refused++;
        return void response.writeHead(503).end();
      }
      const signed = request.headers['x-sentrail-signature'] === signBody(SECRET, body);
      if (signed)
        this.received.push({ event: String(request.headers['x-sentrail-event']), alert: JSON.parse(body) as Alert });
      response.writeHead(signed ? 200 : 401).end();
    });
  }

  /** Starts a service (again) and waits until it listens. */
  async launch(name: ServiceName): Promise<ServiceProcess> {
    const service = startServiceProcess(name, this.env.get(name));
    this.services.set(name, service);
    await service.address;
    return service;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running in this rig`);
    return service;
  }

  /** SIGKILL, as a crash or the OOM killer would: no shutdown step runs. */
  async kill(name: ServiceName): Promise<void> {
    const { child } = this.service(name);
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Expects a record of the corpus: the id the normalizer gives it. */
  private expect(source: Delivery['source'], record: unknown): void {
    const meta = { ...MAPPER_INPUTS[MAPPER_OF[source]], origin: 'rig', receivedAt: new Date().toISOString() };
    const result = normalize(JSON.stringify(record), meta, { context: this.context });
    if (!result.ok) throw new Error(`the corpus has a record the normalizer refuses: ${result.error}`);
    this.expected.add(result.id);
    this.onDocument?.(result.id, result.document);
  }

  /** Hands one delivery of the corpus to the pipeline's sources, and expects each of its records. */
  async deliver(delivery: Delivery): Promise<void> {
    for (const record of recordsOf(delivery)) this.expect(delivery.source, record);
    switch (delivery.source) {
      case 'cloudtrail':
        await this.putCloudTrailFile(delivery.key, gzipSync(JSON.stringify({ Records: delivery.records })));
        break;
      case 'wazuh':
        await this.appendWazuh(delivery.alerts.map((alert) => `${JSON.stringify(alert)}\n`).join(''));
        break;
      case 'k8s':
        await this.postK8sAudit(JSON.stringify(delivery.eventList));
        break;
    }
  }

  /** Puts a CloudTrail file under the rig's own key prefix and announces it on the rig's queue. */
  async putCloudTrailFile(key: string, body: Buffer): Promise<string> {
    const ownKey = `${this.prefix}/${key}`;
    this.keys.push(ownKey);
    await this.s3.send(new PutObjectCommand({ Bucket: this.config.ingest.cloudtrailBucket, Key: ownKey, Body: body }));
    await this.announce(ownKey);
    return ownKey;
  }

  /** An S3 event notification for the key, as S3 sends it to SQS. */
  async announce(key: string): Promise<void> {
    const notification = {
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: this.config.ingest.cloudtrailBucket },
            object: { key: encodeURIComponent(key).replaceAll('%2F', '/') },
          },
        },
      ],
    };
    await this.sendToQueue(JSON.stringify(notification));
  }

  async sendToQueue(body: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
  }

  async appendWazuh(text: string | Buffer): Promise<void> {
    await appendFile(this.wazuhFile, text);
  }

  /** POSTs to the ingest's webhook until it takes the body: a restarting ingest refuses connections for a while. */
  async postK8sAudit(body: string): Promise<Response> {
    for (;;) {
      try {
        const address = await this.service('ingest').address;
        const response = await fetch(`${address}/v1/k8s/audit`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body,
        });
        if (response.status < 500) return response;
      } catch {
        // not listening: killed, or not restarted yet
      }
      await sleep(250);
    }
  }

  /** Documents in the rig's events indices, after a refresh. */
  async searchableCount(): Promise<number> {
    const index = `${this.prefix}-events`;
    await this.elastic.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    return (await this.elastic.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  }

  /** Every document _id in the rig's events indices, once per document (so a repeat shows). */
  async indexedIds(): Promise<string[]> {
    const index = `${this.prefix}-events`;
    await this.elastic.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    const ids: string[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = await this.elastic.search({
        index,
        size: 5000,
        _source: false,
        sort: [{ 'event.id': 'asc' }, { _index: 'asc' }],
        ignore_unavailable: true,
        allow_no_indices: true,
        ...(after ? { search_after: after } : {}),
      });
      const hits = page.hits.hits;
      ids.push(...hits.map((hit) => hit._id!));
      if (hits.length < 5000) return ids;
      after = hits.at(-1)!.sort as unknown[];
    }
  }

  /**
   * The alerts in the rig's alerts index: its correlator reads siem.events from where the rig started,
   * so they are the rig's records' alerts (their evidence may also name events of earlier runs that
   * the correlator's window replay read again, when those share an entity).
   */
  async alerts(): Promise<Alert[]> {
    const index = `${this.prefix}-alerts`;
    await this.elastic.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    const found = await this.elastic.search<Alert>({
      index,
      size: 10_000,
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    return found.hits.hits.map((hit) => hit._source!);
  }

  /** The siem.dlq messages since the rig started that came from the rig's own inputs. */
  async dlq(): Promise<DlqRecord[]> {
    const inode = String(statSync(this.wazuhFile).ino);
    const messages: KafkaMessage[] = await readMessages(this.kafka, TOPICS.dlq, { since: this.dlqStart });
    return messages
      .map((message) => JSON.parse(message.value!.toString()) as DlqRecord)
      .filter(
        (entry) =>
          entry.origin.includes(this.prefix) ||
          entry.origin.startsWith(`file:${inode}:`) ||
          (entry.origin.startsWith('http:') && String(entry.original).includes(this.prefix)),
      );
  }

  /**
   * What is still in flight anywhere: messages on the queue, the Wazuh file beyond the checkpoint,
   * consumer lag of the rig's groups, alerts with a notification not yet delivered. All zero when settled.
   */
  async inFlight(): Promise<Record<string, number>> {
    const attributes = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const queued =
      Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const checkpoint = await readFile(join(this.folder, 'wazuh.checkpoint.json'), 'utf8').then(
      (text) => (JSON.parse(text) as { offset: number }).offset,
      () => 0,
    );
    const wazuhBytes = statSync(this.wazuhFile).size - checkpoint;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const lag = async (name: ServiceName, topics: readonly string[]) => {
        const groupId = this.env.get(name)?.[`SENTRAIL_${name.toUpperCase()}__GROUP_ID`];
        if (!groupId || !this.services.has(name)) return 0;
        let total = 0;
        for (const topic of topics) {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const ends = await topicEnd(admin, topic);
          for (const { partition, offset } of committed?.partitions ?? [])
            total += Number(ends.get(partition) ?? 0) - Math.max(0, Number(offset));
        }
        return total;
      };
      const pending = this.services.has('correlator')
        ? (await this.alerts()).filter((alert) =>
            alert.notifications.some((notification) => notification.status !== 'delivered'),
          ).length
        : 0;
      return {
        queued,
        wazuhBytes,
        normalizerLag: await lag('normalizer', RAW_TOPICS),
        correlatorLag: await lag('correlator', [TOPICS.events]),
        pendingNotifications: pending,
      };
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until nothing is in flight (see inFlight). */
  async settle(timeoutMs = 180_000): Promise<void> {
    await waitUntil(
      'records in flight',
      () => this.inFlight(),
      (left) => Object.values(left).every((count) => count === 0),
      timeoutMs,
    );
  }

  /** Peak resident memory (VmHWM) of each running service, MiB. */
  async peakRssMiB(): Promise<Record<string, number>> {
    const peaks: Record<string, number> = {};
    for (const [name, service] of this.services) {
      if (service.child.exitCode !== null || service.child.pid === undefined) continue;
      const status = await readFile(`/proc/${service.child.pid}/status`, 'utf8');
      const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
      peaks[name] = Math.round(kib / 1024);
    }
    return peaks;
  }

  /** Stops the services (SIGTERM, as npm stop) and removes what the rig made. */
  async close(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => stopService(service).catch(() => undefined)));
    this.receiver?.close();
    if (this.queueUrl) await this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })).catch(() => undefined);
    for (let i = 0; i < this.keys.length; i += 1000) {
      const objects = this.keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.s3
        .send(new DeleteObjectsCommand({ Bucket: this.config.ingest.cloudtrailBucket, Delete: { Objects: objects } }))
        .catch(() => undefined);
    }
    await dropIndexPrefix(this.elastic, this.prefix).catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
    this.sqs.destroy();
    this.s3.destroy();
    await this.elastic.close();
  }
}
