// What every fault scenario shares: a known corpus delivered at a steady pace through the whole
// pipeline (the rig), a fault injected while it flows, and then the accounting DESIGN.md §1 and §6
// promise: every record in Elasticsearch exactly once, every expected alert exactly once and
// delivered, nothing left in flight, and siem.dlq holding only the deliberately malformed records.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { corpus, type Delivery } from '@sentrail/bench/dist/lib/corpus.js';
import { PipelineRig, type RigOptions } from '@sentrail/bench/dist/lib/pipeline-rig.js';
import { CloudTrailGenerator } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { K8sAuditGenerator } from '@sentrail/ingest/dist/demo/k8s-audit-generator.js';
import { WazuhGenerator } from '@sentrail/ingest/dist/demo/wazuh-generator.js';
import type { Alert } from '@sentrail/lib/alerts/alert';
import { REPO_ROOT } from '@sentrail/lib/testing';
import { Detector } from '@sentrail/correlator/dist/detector.js';
import { loadRulePack } from '@sentrail/correlator/dist/rule-pack.js';

const run = promisify(execFile);

/** Stops or starts one of the local servers with the repository's own scripts. */
export async function server(action: 'stop' | 'start', name: 'elasticsearch' | 'kafka'): Promise<void> {
  await run(`infra/${action}.sh`, [name], { cwd: REPO_ROOT });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FlowOptions {
  /** Records in the corpus. */
  records?: number;
  /** Over how long the corpus is delivered. */
  seconds?: number;
  /** When the fault starts, after the flow began. */
  faultAfterMs?: number;
  rig?: RigOptions;
}

/** Rule and entity: the store keeps one alert for each within the suppression window. */
const alertKey = (alert: { rule: { id: string }; entity: { value: string } }) =>
  `${alert.rule.id} ${alert.entity.value}`;

/** One line for the test's output: what flowed through the fault. */
export const describeFlow = ({ records, duringFault, alerts }: FlowResult) =>
  `${records} records, ${duringFault} deliveries during the fault, ${alerts} alerts: each once`;

export interface FlowResult {
  records: number;
  /** Deliveries made while the fault was under way: the fault did meet a flow. */
  duringFault: number;
  alerts: number;
}

/**
 * Runs the corpus through a fresh rig at a steady pace, with `fault` started part-way, waits until
 * nothing is in flight, and checks the accounting. Each run has its own seed and day, so one run's
 * events never fall into another's correlation windows.
 */
export async function steadyFlowWithFault(
  fault: (rig: PipelineRig) => Promise<void>,
  { records = 3000, seconds = 40, faultAfterMs = 8000, rig: rigOptions = {} }: FlowOptions = {},
  alsoCheck?: (rig: PipelineRig) => Promise<void>,
): Promise<FlowResult> {
  const pack = await loadRulePack(`${REPO_ROOT}/rules`);
  const detector = new Detector(pack);
  const expectedAlerts = new Set<string>();
  const rig = await PipelineRig.start({
    ...rigOptions,
    onDocument: (id, document) => {
      for (const detection of detector.detect(id, document)) expectedAlerts.add(alertKey(detection));
    },
  });
  try {
    const seed = Math.floor(Math.random() * 2 ** 31);
    // Dated just before now, as a live flow is: events dated behind what other runs left in the
    // correlator's windows for the same entities would be judged late there.
    const start = new Date(Date.now() - 120_000);
    const deliveries: Delivery[] = [...corpus({ records, seed, start, recordsPerFile: 100 })];
    withSuspiciousActivity(deliveries, seed, start);
    const malformed = await deliverMalformed(rig);

    let faulting = false;
    let duringFault = 0;
    const faultDone = sleep(faultAfterMs).then(async () => {
      faulting = true;
      try {
        await fault(rig);
      } finally {
        faulting = false;
      }
    });
    const began = Date.now();
    for (const [i, delivery] of deliveries.entries()) {
      const due = began + (i * seconds * 1000) / deliveries.length;
      if (due > Date.now()) await sleep(due - Date.now());
      await rig.deliver(delivery);
      if (faulting) duringFault++;
    }
    await faultDone;
    await rig.settle();
    await checkAccounting(rig, expectedAlerts, malformed);
    await alsoCheck?.(rig);
    return { records: rig.expected.size, duringFault, alerts: expectedAlerts.size };
  } finally {
    await rig.close();
  }
}

/**
 * One suspicious sequence of each source spread over the flow (a corpus this small may draw none),
 * so alerts are raised before, during and after the fault.
 */
function withSuspiciousActivity(deliveries: Delivery[], seed: number, start: Date): void {
  const at = (share: number) => new Date(start.getTime() + share * 30_000);
  const cloudtrail = new CloudTrailGenerator(seed, '210987654321');
  const sequences: Delivery[] = [
    { source: 'cloudtrail', key: cloudtrail.logFileKey(at(0.25)), records: cloudtrail.suspicious(at(0.25)) },
    { source: 'wazuh', alerts: new WazuhGenerator(seed).alerts(at(0.5), true) },
    { source: 'k8s', eventList: new K8sAuditGenerator(seed).eventList(at(0.75), true) },
  ];
  sequences.forEach((sequence, i) => deliveries.splice(Math.floor(((i + 1) * deliveries.length) / 4), 0, sequence));
}

/** A corrupt CloudTrail file and a Wazuh line that is not JSON: where each must land in siem.dlq. */
async function deliverMalformed(rig: PipelineRig): Promise<string[]> {
  const key = await rig.putCloudTrailFile('AWSLogs/malformed/CloudTrail/not-gzip.json.gz', Buffer.from('not gzip'));
  const offset = statSync(rig.wazuhFile).size;
  await rig.appendWazuh('{"this is": not json\n');
  return [`s3://${rig.config.ingest.cloudtrailBucket}/${key}`, `file:${statSync(rig.wazuhFile).ino}:${offset}`];
}

async function checkAccounting(rig: PipelineRig, expectedAlerts: Set<string>, malformed: string[]): Promise<void> {
  const ids = await rig.indexedIds();
  assert.equal(ids.length, rig.expected.size, 'one document per record, none twice');
  const indexed = new Set(ids);
  const missing = [...rig.expected].filter((id) => !indexed.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} records are not in Elasticsearch`);
  assert.equal(indexed.size, ids.length, 'no record is indexed twice');

  // Alerts of other runs' events only: the correlator's window replay at start reads the last
  // timespan of siem.events, whoever wrote it, and may complete a window of theirs.
  const ownRunOnly = (alert: Alert) => alert.evidence.event_ids.every((id) => rig.expected.has(id));
  const alerts = (await rig.alerts()).filter((alert) => expectedAlerts.has(alertKey(alert)) || ownRunOnly(alert));
  const raised = alerts.map(alertKey).sort();
  assert.deepEqual(raised, [...expectedAlerts].sort(), 'each expected alert exactly once, and no other');
  const delivered = new Set(
    rig.received.filter(({ event }) => event === 'alert.opened').map(({ alert }) => alert.alert.id),
  );
  const undelivered = alerts.filter((alert) => !delivered.has(alert.alert.id)).map(alertKey);
  assert.deepEqual(undelivered, [], 'every alert reached the webhook');

  const dlq = await rig.dlq();
  assert.deepEqual(
    [...new Set(dlq.map((entry) => entry.origin))].sort(),
    [...malformed].sort(),
    'siem.dlq holds the malformed records only',
  );
  assert.ok(
    dlq.every((entry) => entry.error.length > 0),
    'each with its reason',
  );
}
