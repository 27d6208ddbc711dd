// Hundreds of malformed variants per source through the running ingest and normalizer, mixed with a
// valid corpus and repeats of some of it: nothing crashes, each malformed record lands in siem.dlq
// with its reason (or, pushed over HTTP, is refused with a 4xx naming the problem), and the counts
// reconcile: in = indexed + duplicates + DLQ + refused.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { corpus, recordCount, recordsOf, type Delivery } from '@sentrail/bench/dist/lib/corpus.js';
import { PipelineRig, type DlqRecord } from '@sentrail/bench/dist/lib/pipeline-rig.js';
import { seededRandom } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { metric } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { malformedVariants, type Variant } from './malformed-variants.js';

const VARIANTS = 200;
const RECORDS_PER_FILE = 50;

/** Where a malformed unit must land: its siem.dlq origin, and the reason when the normalizer gives it. */
interface Expected {
  origin: string;
  reason?: string;
}

describe('bad input through the whole pipeline', () => {
  let rig: PipelineRig;
  const seed = Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const valid: Delivery[] = [...corpus({ records: 1500, seed, start: new Date('2026-06-01T00:00:00Z') })];
  const expectedDlq: Expected[] = [];
  const refused: { status: number; message: string }[] = [];
  let units = 0;
  let duplicates = 0;

  before(async () => {
    rig = await PipelineRig.start({ services: ['ingest', 'normalizer'] });
  });
  after(() => rig?.close());

  const sample = (source: Delivery['source']) =>
    valid
      .filter((delivery) => delivery.source === source)
      .flatMap(recordsOf)
      .slice(0, 100);
  const variants = (source: Delivery['source'], mapper: 'cloudtrail' | 'wazuh' | 'k8sAudit', mark = {}) =>
    malformedVariants(mapper, sample(source), {
      count: VARIANTS,
      seed: seed + mapper.length,
      context: createContext(rig.config.normalizer.context),
      mark,
    });
  const junk = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  const bucketOrigin = (key: string) => `s3://${rig.config.ingest.cloudtrailBucket}/${key}`;

  async function cloudtrailFiles(): Promise<void> {
    const good = gzipSync(JSON.stringify({ Records: sample('cloudtrail') }));
    const broken: Buffer[] = [
      ...Array.from({ length: 10 }, () => junk(64 + Math.floor(random() * 512))), // not gzip
      ...Array.from({ length: 10 }, () => good.subarray(0, 20 + Math.floor(random() * (good.length - 40)))), // cut short
      ...Array.from({ length: 10 }, () => gzipSync(`{"Records": [${'{"a": 1},'.repeat(Math.floor(random() * 9))}`)), // not JSON
      ...Array.from({ length: 10 }, (_, i) =>
        gzipSync(JSON.stringify(i % 2 ? { Records: { a: 1 } } : { records: [] })),
      ), // no Records array
    ];
    for (const [i, body] of broken.entries()) {
      const key = await rig.putCloudTrailFile(`AWSLogs/000000000000/CloudTrail/eu-west-1/broken-${i}.json.gz`, body);
      expectedDlq.push({ origin: bucketOrigin(key) });
      units++;
    }
    const elements: { record: unknown; reason?: string }[] = [
      ...variants('cloudtrail', 'cloudtrail'),
      ...[42, 'text', [1, 2], null, true].map((record) => ({ record })),
    ];
    for (let i = 0; i < elements.length; i += RECORDS_PER_FILE) {
      const chunk = elements.slice(i, i + RECORDS_PER_FILE);
      const key = await rig.putCloudTrailFile(
        `AWSLogs/000000000000/CloudTrail/eu-west-1/variants-${i}.json.gz`,
        gzipSync(JSON.stringify({ Records: chunk.map(({ record }) => record) })),
      );
      chunk.forEach(({ reason }, index) => expectedDlq.push({ origin: `${bucketOrigin(key)}#${index}`, reason }));
      units += chunk.length;
    }
  }

  async function wazuhLines(): Promise<void> {
    const lines: { text: string; reason?: string }[] = [
      ...variants('wazuh', 'wazuh').map((variant: Variant) => ({
        text: JSON.stringify(variant.record),
        reason: variant.reason,
      })),
      ...sample('wazuh')
        .slice(0, 50)
        .map((alert) => {
          const text = JSON.stringify(alert);
          return { text: text.slice(0, 1 + Math.floor(random() * (text.length - 2))) }; // cut short: not JSON
        }),
      ...['42', '[]', '"text"', 'null', 'true'].map((text) => ({ text })),
    ];
    const inode = statSync(rig.wazuhFile).ino;
    let offset = statSync(rig.wazuhFile).size;
    for (const { text, reason } of lines) {
      expectedDlq.push({ origin: `file:${inode}:${offset}`, reason });
      offset += Buffer.byteLength(text) + 1;
      units++;
    }
    await rig.appendWazuh(lines.map(({ text }) => `${text}\n`).join(''));
  }

  async function k8sPushes(): Promise<void> {
    const eventList = (items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
    const bodies: { body: string; reason?: string }[] = [
      ...variants('k8s', 'k8sAudit', { rigRun: rig.prefix }).map((variant) => ({
        body: eventList([variant.record]),
        reason: variant.reason,
      })),
      ...[
        '{"kind": "EventList"',
        '[]',
        JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', items: [] }),
      ].map((body) => ({ body })),
      { body: eventList([42]) },
    ];
    for (const { body, reason } of bodies) {
      units++;
      const response = await rig.postK8sAudit(body);
      if (response.status === 202) {
        assert.ok(reason, `a body that is not an EventList was accepted: ${body}`);
        expectedDlq.push({ origin: `http:*${rig.prefix}`, reason });
        continue;
      }
      assert.equal(response.status, 400, body);
      refused.push({ status: response.status, message: ((await response.json()) as { message: string }).message });
    }
  }

  it('puts each malformed record in siem.dlq with its reason, indexes the rest once, and the counts reconcile', async (t) => {
    for (const delivery of valid) await rig.deliver(delivery);
    // Repeats, as at-least-once delivery makes them: the first file, Wazuh lines and webhook batch again.
    for (const source of ['cloudtrail', 'wazuh', 'k8s'] as const) {
      const repeat = valid.find((delivery) => delivery.source === source)!;
      await rig.deliver(repeat);
      duplicates += recordCount(repeat);
    }
    await cloudtrailFiles();
    await wazuhLines();
    await k8sPushes();
    const sent = rig.expected.size + duplicates + units;

    await rig.settle();
    const dlq = await waitForDlq(rig, expectedDlq.length);

    // Nothing crashed: both services still run and answer ready.
    for (const name of ['ingest', 'normalizer'] as const) {
      assert.equal(rig.service(name).child.exitCode, null, `${name} exited`);
      assert.equal((await fetch(`${await rig.service(name).address}/readyz`)).status, 200);
    }

    // Each malformed record in siem.dlq, once, with the normalizer's reason where it gives one.
    const byOrigin = new Map(dlq.map((entry) => [entry.origin, entry]));
    assert.equal(byOrigin.size, dlq.length, 'no malformed record is in siem.dlq twice');
    const http = dlq.filter((entry) => entry.origin.startsWith('http:'));
    for (const expected of expectedDlq.filter(({ origin }) => !origin.startsWith('http:'))) {
      const entry = byOrigin.get(expected.origin);
      assert.ok(entry, `${expected.origin} is not in siem.dlq`);
      assert.ok(entry.error.length > 0, `${expected.origin} has no reason`);
      if (expected.reason) assert.equal(entry.error, expected.reason, expected.origin);
    }
    const httpReasons = expectedDlq.filter(({ origin }) => origin.startsWith('http:')).map(({ reason }) => reason);
    assert.deepEqual(http.map((entry) => entry.error).sort(), httpReasons.sort());
    assert.equal(dlq.length, expectedDlq.length, 'siem.dlq holds the malformed records and nothing else');
    assert.ok(
      refused.every(({ message }) => /body/i.test(message)),
      `each refused push names what is wrong: ${JSON.stringify(refused.slice(0, 3))}`,
    );

    // Every valid record indexed once.
    const ids = await rig.indexedIds();
    assert.equal(ids.length, rig.expected.size);
    assert.deepEqual(new Set(ids), rig.expected);

    // in = indexed + duplicates + DLQ + refused, from the data and from the services' own counters.
    assert.equal(sent, ids.length + duplicates + dlq.length + refused.length);
    t.diagnostic(
      `in ${sent} = indexed ${ids.length} + duplicates ${duplicates} + siem.dlq ${dlq.length} + refused ${refused.length}`,
    );
    const normalizer = rig.service('normalizer');
    const ingest = rig.service('ingest');
    assert.equal(await metric(normalizer, 'sentrail_normalizer_indexed_total'), ids.length);
    assert.equal(await metric(normalizer, 'sentrail_normalizer_duplicates_total'), duplicates);
    assert.equal(
      (await metric(normalizer, 'sentrail_normalizer_dlq_total')) + (await metric(ingest, 'sentrail_ingest_dlq_total')),
      dlq.length,
    );
  });
});

/** siem.dlq read until it holds `count` of the rig's entries (the DLQ producer may trail the settle). */
async function waitForDlq(rig: PipelineRig, count: number): Promise<DlqRecord[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dlq = await rig.dlq();
    if (dlq.length >= count || Date.now() > deadline) return dlq;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
