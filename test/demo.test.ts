// What `npm start` shows a newcomer: the ingest service with the local sources of sentrail.yaml
// (demo feeder, CloudTrail via SQS, Wazuh tail, Kubernetes audit webhook) puts demo data into Kafka
// within a minute.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createKafka, TOPICS, type KafkaMessage } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { readMessages, startServiceProcess, testConfig, topicEnd, uniqueName } from '@sentrail/lib/testing';

const config = testConfig();
const kafka = createKafka(config.kafka, createLogger('demo-test', 'silent'), '-test');
const admin = kafka.admin();
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

function header(message: KafkaMessage, name: string): string {
  const value = message.headers?.[name];
  return Buffer.isBuffer(value) || typeof value === 'string' ? value.toString() : '';
}

describe('demo data with npm start', () => {
  const sqs = new SQSClient({
    region: config.aws.region,
    endpoint: config.aws.sqsEndpoint,
    credentials: { accessKeyId: config.aws.accessKeyId, secretAccessKey: config.aws.secretAccessKey },
  });
  const queue = uniqueName('test-demo-queue');
  let url = '';
  after(async () => {
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    sqs.destroy();
    await admin.disconnect();
  });

  it('reaches siem.raw.cloudtrail, siem.raw.wazuh and siem.raw.infra, suspicious behaviour included', async () => {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
    const folder = mkdtempSync(join(tmpdir(), 'sentrail-demo-'));
    const alertsFile = join(folder, 'alerts.json');
    await admin.connect();
    const cloudtrailStart = await topicEnd(admin, TOPICS.rawCloudtrail);
    const wazuhStart = await topicEnd(admin, TOPICS.rawWazuh);
    const infraStart = await topicEnd(admin, TOPICS.rawInfra);
    // A known port, not 0: the demo posts Kubernetes audit events to the ingest's own webhook.
    const port = await freePort();

    // The sources of sentrail.yaml, pointed at this test's own queue and files.
    const ingest = startServiceProcess('ingest', {
      SENTRAIL_INGEST__CLOUDTRAIL_QUEUE: queue,
      SENTRAIL_INGEST__PORT: String(port),
      SENTRAIL_INGEST__SOURCES: `{cloudtrailSqs: {waitTimeSeconds: 1}, wazuh: {alertsFile: '${alertsFile}', checkpointFile: '${join(folder, 'checkpoint.json')}', pollIntervalMs: 200}, demo: {alertsFile: '${alertsFile}', intervalSeconds: 2, recordsPerFile: 20}, infraPush: {tokens: ['${uniqueName('token')}']}}`,
    });
    try {
      await ingest.address;
      const cloudtrail = await readMessages(kafka, TOPICS.rawCloudtrail, {
        since: cloudtrailStart,
        timeoutMs: 60_000,
        match: (message) => header(message, 'source') === 'cloudtrailSqs' && message.value!.includes('"StopLogging"'),
        count: 1,
      });
      assert.match(header(cloudtrail[0]!, 'origin'), /^s3:\/\/sentrail-cloudtrail\/AWSLogs\/\d{12}\/CloudTrail\//);

      const wazuh = await readMessages(kafka, TOPICS.rawWazuh, {
        since: wazuhStart,
        timeoutMs: 60_000,
        // Only lines of this test's file: the origin names its inode.
        match: (message) =>
          header(message, 'origin').startsWith(`file:${statSync(alertsFile).ino}:`) &&
          message.value!.includes('"5760"'),
        count: 1,
      });
      assert.equal(header(wazuh[0]!, 'source'), 'wazuh');

      const k8s = await readMessages(kafka, TOPICS.rawInfra, {
        since: infraStart,
        timeoutMs: 60_000,
        match: (message) => header(message, 'source') === 'k8sAudit' && message.value!.includes('clusterrolebindings'),
        count: 1,
      });
      assert.match(header(k8s[0]!, 'origin'), /^http:/);
    } finally {
      ingest.child.kill('SIGTERM');
      const [code] = (await once(ingest.child, 'exit')) as [number | null];
      assert.equal(code, 0, ingest.stderr.join('\n'));
    }
  });
});
