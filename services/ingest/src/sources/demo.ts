// The demo feeder of `npm start`: writes what real deployments deliver — gzip CloudTrail log files
// under CloudTrail's key layout in the local bucket with an S3 notification on the local queue,
// signed digest files chaining them, Wazuh alerts appended to the local alerts.json, and Kubernetes
// audit EventLists posted to the ingest's own webhook — so a newcomer sees data within a minute.
// Off with `ingest.sources.demo.enabled: false`.
import { generateKeyPairSync } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { checkSection } from '@sentrail/lib/config';
import type { JSONSchemaType } from 'ajv';
import { queueUrl } from '../aws.js';
import { CloudTrailGenerator, DEMO_ACCOUNT, DEMO_REGION } from '../demo/cloudtrail-generator.js';
import { DigestWriter, type LogFile } from '../demo/digest-writer.js';
import { K8sAuditGenerator } from '../demo/k8s-audit-generator.js';
import { WazuhGenerator } from '../demo/wazuh-generator.js';
import type { SourceFactory } from '../source.js';

export interface DemoSettings {
  enabled: boolean;
  intervalSeconds: number;
  recordsPerFile: number;
  /** Every Nth file (the first included) carries behaviour that should raise alerts. */
  suspiciousEvery: number;
  alertsFile: string;
  /** A signed digest of the log files written since the last one, every this many files. */
  digestEvery: number;
  /** Where to post the Kubernetes audit EventLists; empty: the ingest's own /v1/k8s/audit. */
  k8sAuditUrl: string;
  /** Bearer token for that webhook; empty: the first of ingest.sources.infraPush.tokens (none: no posts). */
  k8sAuditToken: string;
}

export const demoSchema: JSONSchemaType<DemoSettings> = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', default: true },
    intervalSeconds: { type: 'number', minimum: 0.1, default: 15 },
    recordsPerFile: { type: 'integer', minimum: 1, maximum: 10_000, default: 40 },
    suspiciousEvery: { type: 'integer', minimum: 1, default: 4 },
    alertsFile: { type: 'string', minLength: 1, default: '.local/wazuh/alerts.json' },
    digestEvery: { type: 'integer', minimum: 1, default: 4 },
    k8sAuditUrl: { type: 'string', default: '' },
    k8sAuditToken: { type: 'string', default: '' },
  },
  required: [
    'enabled',
    'intervalSeconds',
    'recordsPerFile',
    'suspiciousEvery',
    'alertsFile',
    'digestEvery',
    'k8sAuditUrl',
    'k8sAuditToken',
  ],
  additionalProperties: false,
};

/** The S3 event notification S3 sends to SQS for a new object (event version 2.1). */
export function s3Notification(bucket: string, key: string, size: number, time: Date, region: string) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: time.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AROAEXAMPLE:regionalDeliverySession' },
        requestParameters: { sourceIPAddress: '192.0.2.15' },
        responseElements: {
          'x-amz-request-id': 'C3D13FE58DE4C810',
          'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'cloudtrail-to-sentrail',
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes keys in notifications, spaces as '+'.
          object: {
            key: encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+'),
            size,
            sequencer: Date.now().toString(16).toUpperCase(),
          },
        },
      },
    ],
  };
}

export const demo: SourceFactory = (context, raw) => {
  const settings = checkSection('ingest.sources.demo', demoSchema, raw);
  const { config, logger, s3, sqs } = context;
  const bucket = config.ingest.cloudtrailBucket;
  const cloudtrail = new CloudTrailGenerator(Date.now() % 2 ** 31);
  const wazuh = new WazuhGenerator(Date.now() % 2 ** 31);
  const k8s = new K8sAuditGenerator(Date.now() % 2 ** 31);
  // A key of its own, as CloudTrail has one per region: the chain starts anew with each start.
  const digests = new DigestWriter({
    account: DEMO_ACCOUNT,
    region: DEMO_REGION,
    trail: 'management-events',
    bucket,
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
  });
  let undigested: LogFile[] = [];
  let digestStart = new Date();
  const infraPushTokens = (config.ingest.sources['infraPush']?.['tokens'] ?? []) as string[];
  const k8sToken = settings.k8sAuditToken || infraPushTokens[0] || '';
  const k8sUrl = settings.k8sAuditUrl || `http://${config.ingest.host}:${config.ingest.port}/v1/k8s/audit`;
  if (!k8sToken) logger.info('no infraPush token: the demo posts no Kubernetes audit events');
  let ticks = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function feed(): Promise<void> {
    const now = new Date();
    const suspicious = ticks++ % settings.suspiciousEvery === 0;
    const records = [
      ...cloudtrail.routine(now, settings.recordsPerFile),
      ...(suspicious ? cloudtrail.suspicious(now) : []),
    ];
    const key = cloudtrail.logFileKey(now);
    const json = JSON.stringify({ Records: records });
    const body = gzipSync(json);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ContentEncoding: 'gzip',
      }),
    );
    const notification = s3Notification(bucket, key, body.length, now, config.aws.region);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: await queueUrl(sqs, config.ingest.cloudtrailQueue),
        MessageBody: JSON.stringify(notification),
      }),
    );
    await mkdir(dirname(settings.alertsFile), { recursive: true });
    const alerts = wazuh.alerts(now, suspicious);
    await appendFile(settings.alertsFile, alerts.map((alert) => `${JSON.stringify(alert)}\n`).join(''));
    undigested.push({ key, json, oldestEventTime: now, newestEventTime: new Date(now.getTime() + 90_000) });
    if (undigested.length >= settings.digestEvery) {
      const digest = digests.write(digestStart, now, undigested);
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: digest.key, Body: digest.body, Metadata: digest.metadata }),
      );
      [undigested, digestStart] = [[], now];
    }

    if (k8sToken) await postK8sAudit(k8s.eventList(now, suspicious));
    logger.debug({ key, records: records.length, alerts: alerts.length, suspicious }, 'demo data written');
  }

  async function postK8sAudit(eventList: object): Promise<void> {
    const response = await fetch(k8sUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${k8sToken}` },
      body: JSON.stringify(eventList),
    }).catch((error: unknown) => ({ ok: false, status: String(error) }) as const);
    // At the first tick the ingest's own listener may not be up yet: the next tick posts again.
    if (!response.ok) logger.debug({ url: k8sUrl, status: response.status }, 'Kubernetes audit post not accepted');
  }

  const tick = () => {
    if (running) return; // a slow tick is not stacked on
    running = feed()
      .catch((error: unknown) => logger.warn({ err: error }, 'demo feeder could not write; trying again next tick'))
      .finally(() => {
        running = undefined;
      });
  };

  return {
    async start() {
      tick();
      timer = setInterval(tick, settings.intervalSeconds * 1000);
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
};
