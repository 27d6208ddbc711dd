// Synthetic ECS events for the benchmarks that read the events indices (exports, search latency):
// `count` documents spread evenly over `days` daily indices of a prefix, the same for the same seed,
// shaped as the normalizer writes CloudTrail events. Loaded with _bulk into indices created with
// refresh off, which is switched back on (and refreshed) at the end.
import type { EcsDocument } from '@sentrail/lib/ecs';
import { seededRandom } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { eventsIndexName, type ElasticClient } from '@sentrail/lib/elastic';

export interface SeedOptions {
  count: number;
  /** Start of the first day, UTC. */
  from?: string;
  days?: number;
  seed?: number;
}

export interface SeededEvents {
  count: number;
  /** from <= @timestamp < to for every event. */
  range: { from: string; to: string };
  indices: string[];
  seconds: number;
}

const BATCH = 5000;
const IN_FLIGHT = 2;
const DAY_MS = 86_400_000;

const ACTIONS = [
  ['GetObject', 's3.amazonaws.com', 'AWS::S3::Object', '10.2.1.1'],
  ['PutObject', 's3.amazonaws.com', 'AWS::S3::Object', '10.2.1.1'],
  ['ConsoleLogin', 'signin.amazonaws.com', 'AWS::IAM::User', '10.2.1.4'],
  ['CreateAccessKey', 'iam.amazonaws.com', 'AWS::IAM::AccessKey', '10.2.1.5'],
  ['RunInstances', 'ec2.amazonaws.com', 'AWS::EC2::Instance', '10.2.1.7'],
  ['StopLogging', 'cloudtrail.amazonaws.com', 'AWS::CloudTrail::Trail', '10.2.1.6'],
] as const;
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];

function syntheticEvent(i: number, timestamp: string, next: () => number): EcsDocument {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const [action, provider, resourceType, requirement] = pick(ACTIONS);
  const user = `user-${Math.floor(next() * 500)}`;
  const ip = `198.51.100.${Math.floor(next() * 254) + 1}`;
  const account = `1111222233${String(Math.floor(next() * 10)).padStart(2, '0')}`;
  const region = pick(REGIONS);
  const id = `bench-${i.toString(16).padStart(8, '0')}`;
  const outcome = next() < 0.05 ? 'failure' : 'success';
  const resource = `arn:aws:${provider.split('.')[0]}:${region}:${account}:${resourceType.split('::')[2]!.toLowerCase()}/${Math.floor(next() * 1e6)}`;
  return {
    '@timestamp': timestamp,
    event: {
      id,
      kind: 'event',
      category: ['iam'],
      type: ['access'],
      action,
      outcome,
      provider,
      dataset: 'aws.cloudtrail',
      module: 'aws',
      created: timestamp,
      ingested: timestamp,
      original: JSON.stringify({
        eventVersion: '1.09',
        eventID: id,
        eventTime: timestamp,
        eventSource: provider,
        eventName: action,
        awsRegion: region,
        sourceIPAddress: ip,
        userIdentity: {
          type: 'IAMUser',
          userName: user,
          accountId: account,
          arn: `arn:aws:iam::${account}:user/${user}`,
        },
        requestParameters: { resource },
        recipientAccountId: account,
      }),
    },
    user: { name: user },
    source: { ip, address: ip },
    user_agent: { original: 'aws-cli/2.15.0 Python/3.11' },
    resource: { type: resourceType, id: resource },
    cloud: { provider: 'aws', account: { id: account }, region, service: { name: provider.split('.')[0] } },
    related: { user: [user], ip: [ip] },
    pci_dss: { requirements: [requirement], complete: true },
  };
}

export async function seedEvents(
  elastic: ElasticClient,
  prefix: string,
  { count, from = '2026-10-01T00:00:00.000Z', days = 10, seed = 7 }: SeedOptions,
): Promise<SeededEvents> {
  const start = Date.parse(from);
  const spacing = (days * DAY_MS) / count;
  const timestampOf = (i: number) => new Date(start + Math.floor(i * spacing)).toISOString();
  const indices = Array.from({ length: days }, (_, day) => eventsIndexName(prefix, start + day * DAY_MS));
  const began = performance.now();
  // Created ahead so refresh can be off while loading; the index template gives mappings and alias.
  for (const index of indices) await elastic.indices.create({ index, settings: { refresh_interval: '-1' } });

  const next = seededRandom(seed);
  let written = 0;
  const batch = () => {
    const operations: object[] = [];
    for (const end = Math.min(written + BATCH, count); written < end; written++) {
      const document = syntheticEvent(written, timestampOf(written), next);
      operations.push(
        { create: { _index: eventsIndexName(prefix, document['@timestamp']), _id: document.event.id } },
        document,
      );
    }
    return operations;
  };
  const load = async () => {
    while (written < count) {
      const response = await elastic.bulk({ operations: batch() });
      const failed = response.items.find((item) => item.create?.error);
      if (failed) throw new Error(`seeding failed: ${JSON.stringify(failed.create?.error)}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, load));

  await elastic.indices.putSettings({ index: indices, settings: { refresh_interval: '1s' } });
  await elastic.indices.refresh({ index: indices });
  return {
    count,
    range: { from: new Date(start).toISOString(), to: new Date(start + days * DAY_MS).toISOString() },
    indices,
    seconds: (performance.now() - began) / 1000,
  };
}
