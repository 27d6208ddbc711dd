import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import { readMessages, testConfig, topicEnd } from '@sentrail/lib/testing';
import { ReplayError, startCloudTrailReplay, type CloudTrailReplay } from '../testing/cloudtrail-replay.js';
import { sourceTestContext } from '../testing/source-context.js';
import { createTrailStatusSource, selectorNarrowing, type Selectors, type TrailStatusEvent } from './trail-status.js';

const config = testConfig();
const region = 'us-east-1';
const epoch = (iso: string) => Date.parse(iso) / 1000;

describe('selectorNarrowing', () => {
  const basic = (...eventSelectors: object[]) => ({ eventSelectors, advancedEventSelectors: [] }) as Selectors;
  const advanced = (...advancedEventSelectors: object[]) =>
    ({ eventSelectors: [], advancedEventSelectors }) as Selectors;
  const all = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] };

  it('finds lost management access, newly excluded sources and lost data resources', () => {
    const before = basic({
      ...all,
      DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::cde-bucket/cards/'] }],
    });
    assert.deepEqual(selectorNarrowing(before, before), []);
    assert.deepEqual(
      selectorNarrowing(
        before,
        basic({ ...all, ReadWriteType: 'WriteOnly', ExcludeManagementEventSources: ['kms.amazonaws.com'] }),
      ),
      [
        'management read events no longer logged',
        'management write events from kms.amazonaws.com excluded',
        'AWS::S3::Object data read events on arn:aws:s3:::cde-bucket/cards/ no longer logged',
        'AWS::S3::Object data write events on arn:aws:s3:::cde-bucket/cards/ no longer logged',
      ],
    );
    // A whole bucket covers one of its prefixes: wider, not narrower.
    const wider = basic({ ...all, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::cde-bucket/'] }] });
    assert.deepEqual(selectorNarrowing(before, wider), []);
  });

  it('compares advanced selectors condition by condition', () => {
    const management = { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
    const s3 = {
      Name: 'cde objects',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::cde-bucket/cards/'] },
      ],
    };
    const s3Wider = {
      ...s3,
      FieldSelectors: [
        s3.FieldSelectors[0],
        s3.FieldSelectors[1],
        { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::cde-bucket/'] },
      ],
    };
    const s3ReadOnly = { ...s3, FieldSelectors: [...s3.FieldSelectors, { Field: 'readOnly', Equals: ['true'] }] };
    assert.deepEqual(selectorNarrowing(advanced(management, s3), advanced(management, s3Wider)), []);
    assert.deepEqual(selectorNarrowing(advanced(management, s3), advanced(s3)), [
      'advanced event selector "management" no longer covered',
    ]);
    assert.deepEqual(selectorNarrowing(advanced(management, s3), advanced(management, s3ReadOnly)), [
      'advanced event selector "cde objects" no longer covered',
    ]);
    assert.deepEqual(selectorNarrowing(basic(all), advanced(management)), [
      'event selectors changed from basic to advanced',
    ]);
  });
});

describe('trailStatus source (Kafka, CloudTrail API replayed)', () => {
  const account = String(randomInt(100_000_000_000, 999_999_999_999));
  const arn = (name: string) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
  const trail = (name: string) => ({
    Name: name,
    S3BucketName: 'sentrail-cloudtrail',
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: region,
    TrailARN: arn(name),
    LogFileValidationEnabled: name !== 'stopped',
    HasCustomEventSelectors: true,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  });
  const statuses: Record<string, object> = {
    organization: {
      IsLogging: true,
      LatestDeliveryTime: epoch('2026-11-28T17:55:12Z'),
      LatestDigestDeliveryTime: epoch('2026-11-28T17:31:02Z'),
      StartLoggingTime: epoch('2026-01-05T09:00:00Z'),
      LatestDeliveryAttemptTime: '2026-11-28T17:55:12Z',
      LatestDeliveryAttemptSucceeded: '2026-11-28T17:55:12Z',
      TimeLoggingStarted: '2026-01-05T09:00:00Z',
    },
    stopped: {
      IsLogging: false,
      LatestDeliveryError: 'AccessDenied',
      LatestDeliveryTime: epoch('2026-11-27T10:00:00Z'),
      StopLoggingTime: epoch('2026-11-28T12:00:00Z'),
      LatestDeliveryAttemptTime: '2026-11-28T11:59:00Z',
      LatestDeliveryAttemptSucceeded: '',
      TimeLoggingStopped: '2026-11-28T12:00:00Z',
    },
  };
  const fullSelectors = [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::cde-bucket/'] }],
      ExcludeManagementEventSources: [],
    },
  ];
  let selectors: Record<string, object[]> = { organization: fullSelectors, stopped: fullSelectors };
  let trails = ['organization', 'stopped'];
  const nameOf = (input: Record<string, unknown>, key: string) => String(input[key]).split('/').at(-1)!;

  let harness: Awaited<ReturnType<typeof sourceTestContext>>;
  let replay: CloudTrailReplay;
  let stateDir: string;
  const settings = () => ({ endpoint: replay.endpoint, stateDir, regions: [region] });

  /** One run; its events as Kafka has them, by trail name. */
  async function run(source: ReturnType<typeof createTrailStatusSource>, now: Date) {
    const since = await topicEnd(harness.admin, TOPICS.rawIntegrity);
    const returned = await source.runOnce(now);
    const messages = await readMessages(harness.kafka, TOPICS.rawIntegrity, {
      since,
      count: returned.length,
      match: (message) => message.key?.toString().includes(`:${account}:`) ?? false,
    });
    const events = messages.map((message) => {
      const event = JSON.parse(message.value!.toString()) as TrailStatusEvent;
      assert.equal(message.key!.toString(), event.trail.arn);
      assert.equal(message.headers?.['source']?.toString(), 'trailStatus');
      return event;
    });
    assert.equal(events.length, returned.length);
    return new Map(events.map((event) => [event.trail.arn.split('/').at(-1)!, event]));
  }

  before(async () => {
    harness = await sourceTestContext(config, 'trail-status');
    stateDir = await mkdtemp(join(tmpdir(), 'sentrail-trail-status-'));
    replay = await startCloudTrailReplay({
      DescribeTrails: () => ({ trailList: trails.map(trail) }),
      GetTrailStatus: (input) =>
        statuses[nameOf(input, 'Name')] ?? new ReplayError('TrailNotFoundException', 'Unknown trail'),
      GetEventSelectors: (input) => ({
        TrailARN: arn(nameOf(input, 'TrailName')),
        EventSelectors: selectors[nameOf(input, 'TrailName')],
      }),
    });
  });
  after(async () => {
    await replay.close();
    await harness.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('rejects a bad schedule naming the key', () => {
    assert.throws(
      () => createTrailStatusSource(harness.context, { schedule: '61 * * * *' }),
      (error: unknown) => error instanceof ConfigError && /ingest\.sources\.trailStatus\.schedule/.test(error.message),
    );
  });

  it('reports each trail with its status, flagging logging off and a delivery error', async () => {
    const source = createTrailStatusSource(harness.context, settings());
    const now = new Date('2026-11-28T18:00:00Z');
    const events = await run(source, now);
    await source.stop!();

    const healthy = events.get('organization')!;
    assert.equal(healthy.kind, 'trail_status');
    assert.equal(healthy.id, `${arn('organization')}#2026-11-28T18:00:00.000Z`);
    assert.deepEqual(healthy.flags, []);
    assert.equal(healthy.status?.isLogging, true);
    assert.equal(healthy.status?.latestDeliveryTime, '2026-11-28T17:55:12.000Z');
    assert.equal(healthy.trail.isMultiRegionTrail, true);
    assert.equal(healthy.previousCheckAt, null);

    const stopped = events.get('stopped')!;
    assert.deepEqual(stopped.flags, ['log_file_validation_off', 'logging_off', 'delivery_error']);
    assert.equal(stopped.status?.latestDeliveryError, 'AccessDenied');
    assert.equal(stopped.status?.stopLoggingTime, '2026-11-28T12:00:00.000Z');

    const described = replay.callsTo('DescribeTrails');
    assert.equal(described.at(-1)!.region, region);
    assert.equal(described.at(-1)!.input['includeShadowTrails'], false);
  });

  it('flags event selectors narrower than at the last run, after a restart too', async () => {
    const state = JSON.parse(await readFile(join(stateDir, 'trailStatus.json'), 'utf8')) as { trails: object };
    assert.deepEqual(Object.keys(state.trails).sort(), [arn('organization'), arn('stopped')]);

    selectors = {
      ...selectors,
      organization: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }],
    };
    const restarted = createTrailStatusSource(harness.context, settings());
    const events = await run(restarted, new Date('2026-11-28T18:05:00Z'));
    const narrowed = events.get('organization')!;
    assert.deepEqual(narrowed.flags, ['event_selectors_narrower']);
    assert.deepEqual(narrowed.narrowed, [
      'management read events no longer logged',
      'AWS::S3::Object data read events on arn:aws:s3:::cde-bucket/ no longer logged',
      'AWS::S3::Object data write events on arn:aws:s3:::cde-bucket/ no longer logged',
    ]);
    assert.equal(narrowed.previousCheckAt, '2026-11-28T18:00:00.000Z');
    assert.ok(!events.get('stopped')!.flags.includes('event_selectors_narrower'));

    // Compared with the run just before, not the first: widening back is not narrower, and a deleted trail is told.
    selectors = { ...selectors, organization: fullSelectors };
    trails = ['organization'];
    const next = await run(restarted, new Date('2026-11-28T18:10:00Z'));
    await restarted.stop!();
    assert.deepEqual(next.get('organization')!.flags, []);
    assert.deepEqual(next.get('stopped')!.flags, ['trail_deleted']);
  });

  it('reports a trail it cannot check instead of skipping it', async () => {
    trails = ['organization', 'vanished'];
    const source = createTrailStatusSource(harness.context, settings());
    const events = await run(source, new Date('2026-11-28T18:15:00Z'));
    await source.stop!();
    const vanished = events.get('vanished')!;
    assert.deepEqual(vanished.flags, ['check_failed']);
    assert.match(vanished.error!, /TrailNotFoundException/);
  });
});
