// The benchmark and fault-suite corpus: what a busy estate delivers, seeded so the same options give
// the same corpus on every run. CloudTrail log files from many accounts, regions and users (~80 % of
// the records), lines appended to Wazuh's alerts.json (~12 %) and Kubernetes audit webhook batches
// (~8 %), each with the generators' suspicious sequences now and then. Made lazily, one delivery at a
// time, so a corpus of millions never sits in memory.
import {
  CloudTrailGenerator,
  seededRandom,
  type CloudTrailRecord,
} from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { K8sAuditGenerator } from '@sentrail/ingest/dist/demo/k8s-audit-generator.js';
import { WazuhGenerator } from '@sentrail/ingest/dist/demo/wazuh-generator.js';
import type { MapperName } from '@sentrail/normalizer/dist/mappers/index.js';

export type Delivery =
  | { source: 'cloudtrail'; key: string; records: CloudTrailRecord[] }
  | { source: 'wazuh'; alerts: Record<string, unknown>[] }
  | {
      source: 'k8s';
      eventList: {
        kind: 'EventList';
        apiVersion: 'audit.k8s.io/v1';
        metadata: object;
        items: Record<string, unknown>[];
      };
    };

export interface CorpusOptions {
  records: number;
  seed?: number;
  start?: Date;
  recordsPerFile?: number;
}

/** The normalizer's mapper for each source's records. */
export const MAPPER_OF: Record<Delivery['source'], MapperName> = {
  cloudtrail: 'cloudtrail',
  wazuh: 'wazuh',
  k8s: 'k8sAudit',
};

/** Share of the records each source delivers. */
const SHARE: Record<Delivery['source'], number> = { cloudtrail: 0.8, wazuh: 0.12, k8s: 0.08 };
/** Alerts a Wazuh delivery appends, and events a webhook batch posts. */
const WAZUH_LINES = 50;
const K8S_BATCH = 100;
/** How often a delivery carries a generator's suspicious sequence. */
const SUSPICIOUS = { cloudtrail: 1 / 20, wazuh: 1 / 50, k8s: 1 / 20 };
/** 100 records a second across the estate: the corpus's clock advances by each delivery's records. */
const SPACING_MS = 10;
/**
 * CloudTrail delivers a trail's log file about every five minutes, holding those minutes' records.
 * The trails take turns; at 500 records a file a round of all 48 spans those five minutes.
 */
const FILE_SPAN_MS = 5 * 60_000;
const DEFAULT_START = new Date('2026-11-28T00:00:00Z');

const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
const ACCOUNTS = Array.from({ length: 12 }, (_, i) => String(310_847_000_000 + i * 7_919_113));
const FIRST_NAMES = [
  'amara', 'bruno', 'chen', 'dalia', 'emeka', 'freya', 'goran', 'hana', 'ivan', 'jonas',
  'keiko', 'lucia', 'mateo', 'nadia', 'omar', 'priya', 'quinn', 'rosa', 'sven', 'tariq',
]; // prettier-ignore
const LAST_NAMES = ['alvarez', 'berg', 'costa', 'dubois', 'eriksen', 'fischer', 'garcia', 'haddad', 'ito', 'jensen'];
/** 200 IAM users, each active in every account. */
const USERS = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${first}.${last}`));

/**
 * mulberry32 walks one cycle of 2^32 states, one fixed step per draw, so generators seeded with
 * nearby numbers would walk over each other's states and, sooner or later, draw the same ids. Each
 * of the corpus's streams (one generator) starts STRIDE draws after the previous one on the cycle of
 * `seed` instead: no two share a state while each draws fewer than 2^26 (~900k CloudTrail records,
 * ~2M Kubernetes events), so ids are distinct in corpora up to about 25 million records.
 */
const STRIDE = 2 ** 26;
const MULBERRY_STEP = 0x6d2b79f5;
const streamSeed = (seed: number, stream: number) => (seed + Math.imul(stream * STRIDE, MULBERRY_STEP)) >>> 0;

/** Deliveries whose records add up to exactly `records`; the same options give the same corpus. */
export function* corpus({
  records,
  seed = 1,
  start = DEFAULT_START,
  recordsPerFile = 500,
}: CorpusOptions): Generator<Delivery> {
  const random = seededRandom(streamSeed(seed, 0));
  const trails = ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region })));
  const cloudtrail = trails.map(
    ({ account, region }, i) => new CloudTrailGenerator(streamSeed(seed, i + 1), account, region, USERS),
  );
  const wazuh = new WazuhGenerator(streamSeed(seed, trails.length + 1));
  const k8s = new K8sAuditGenerator(streamSeed(seed, trails.length + 2));
  const delivered: Record<Delivery['source'], number> = { cloudtrail: 0, wazuh: 0, k8s: 0 };
  const batch: Record<Delivery['source'], number> = { cloudtrail: recordsPerFile, wazuh: WAZUH_LINES, k8s: K8S_BATCH };
  let total = 0;
  let files = 0;
  let time = start.getTime();
  while (total < records) {
    const source = furthestBehind(delivered, total);
    const size = Math.min(batch[source], records - total);
    const suspicious = random() < SUSPICIOUS[source];
    switch (source) {
      case 'cloudtrail': {
        const generator = cloudtrail[files++ % cloudtrail.length]!;
        const sequence = suspicious ? generator.suspicious(new Date(time - FILE_SPAN_MS / 2)) : [];
        const routine = generator.routine(
          new Date(time - FILE_SPAN_MS),
          Math.max(0, size - sequence.length),
          FILE_SPAN_MS,
        );
        yield { source, key: generator.logFileKey(new Date(time)), records: [...routine, ...sequence].slice(0, size) };
        break;
      }
      case 'wazuh': {
        const alerts: Record<string, unknown>[] = [];
        while (alerts.length < size)
          alerts.push(...wazuh.alerts(new Date(time + alerts.length * SPACING_MS), alerts.length === 0 && suspicious));
        yield { source, alerts: alerts.slice(0, size) };
        break;
      }
      case 'k8s': {
        const items: Record<string, unknown>[] = [];
        while (items.length < size)
          items.push(
            ...k8s.eventList(new Date(time + items.length * SPACING_MS), items.length === 0 && suspicious).items,
          );
        yield {
          source,
          eventList: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: items.slice(0, size) },
        };
        break;
      }
    }
    delivered[source] += size;
    total += size;
    time += size * SPACING_MS;
  }
}

/** The source whose share of the records so far is furthest below its SHARE: the mix stays even throughout. */
function furthestBehind(delivered: Record<Delivery['source'], number>, total: number): Delivery['source'] {
  const sources = Object.keys(SHARE) as Delivery['source'][];
  const deficit = (source: Delivery['source']) => SHARE[source] * (total + 1) - delivered[source];
  return sources.reduce((behind, source) => (deficit(source) > deficit(behind) ? source : behind));
}

/** The records of a delivery, each as its ingest source puts it on Kafka (after JSON.stringify). */
export function recordsOf(delivery: Delivery): Record<string, unknown>[] {
  switch (delivery.source) {
    case 'cloudtrail':
      return delivery.records;
    case 'wazuh':
      return delivery.alerts;
    case 'k8s':
      return delivery.eventList.items;
  }
}

export function recordCount(delivery: Delivery): number {
  return recordsOf(delivery).length;
}
