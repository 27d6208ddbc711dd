import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type EventSelector,
  type GetTrailStatusResponse,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { ScheduledRuns } from '@sentrail/lib/schedule';
import { checkSection } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import type { JSONSchemaType } from 'ajv';
import { checkSchedule, CloudTrailClients, JsonStateFile, SHARED_SETTINGS } from '../cloudtrail-api.js';
import type { RawRecord } from '../raw-sink.js';
import type { Source, SourceContext, SourceFactory } from '../source.js';

/**
 * Trail status (PCI DSS 10.7): on a schedule, every trail of the configured regions is described,
 * its status and event selectors read, and one status event per trail goes to siem.raw.integrity,
 * flagging logging off, delivery errors, and event selectors narrower than at the last run.
 */

export const SOURCE = 'trailStatus';

export interface TrailStatusSettings {
  enabled: boolean;
  /** Regions whose trails are checked; empty means aws.region. */
  regions: string[];
  schedule: string;
  endpoint: string;
  stateDir: string;
}

const schema: JSONSchemaType<TrailStatusSettings> = {
  type: 'object',
  properties: {
    ...SHARED_SETTINGS,
    regions: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, default: [] },
    schedule: { type: 'string', default: '*/5 * * * *' },
  },
  required: [],
  additionalProperties: false,
};

export type TrailFlag =
  | 'logging_off'
  | 'delivery_error'
  | 'digest_delivery_error'
  | 'log_file_validation_off'
  | 'event_selectors_narrower'
  | 'trail_deleted'
  | 'check_failed';

export interface Selectors {
  eventSelectors: EventSelector[];
  advancedEventSelectors: AdvancedEventSelector[];
}

export interface TrailStatusEvent {
  kind: 'trail_status';
  /** Trail ARN and run time: one run gives the same id however often it is produced. */
  id: string;
  region: string;
  trail: {
    arn: string;
    name: string | null;
    homeRegion: string | null;
    s3BucketName: string | null;
    s3KeyPrefix: string | null;
    isMultiRegionTrail: boolean | null;
    isOrganizationTrail: boolean | null;
    logFileValidationEnabled: boolean | null;
  };
  status: {
    isLogging: boolean | null;
    latestDeliveryError: string | null;
    latestDeliveryTime: string | null;
    latestDigestDeliveryError: string | null;
    latestDigestDeliveryTime: string | null;
    startLoggingTime: string | null;
    stopLoggingTime: string | null;
  } | null;
  selectors: Selectors | null;
  flags: TrailFlag[];
  /** What the event selectors no longer cover compared with the last run. */
  narrowed: string[];
  error: string | null;
  checkedAt: string;
  previousCheckAt: string | null;
}

// --- Event selector coverage -------------------------------------------------------------------

type Access = 'read' | 'write';
const ACCESS: Access[] = ['read', 'write'];

const accessOf = (selector: EventSelector): Access[] =>
  selector.ReadWriteType === 'ReadOnly' ? ['read'] : selector.ReadWriteType === 'WriteOnly' ? ['write'] : ACCESS;

/** Per access type: undefined when no management events are logged, else the event sources excluded. */
function managementCoverage(selectors: EventSelector[], access: Access): Set<string> | undefined {
  const covering = selectors.filter((s) => s.IncludeManagementEvents !== false && accessOf(s).includes(access));
  if (covering.length === 0) return undefined;
  // A source is left out only when every selector that logs this access leaves it out.
  const [first, ...rest] = covering.map((s) => new Set(s.ExcludeManagementEventSources ?? []));
  return rest.reduce((excluded, next) => new Set([...excluded].filter((source) => next.has(source))), first!);
}

/** Data resource values are prefixes (`arn:aws:s3:::bucket/` covers every object of the bucket). */
function dataCovered(selectors: EventSelector[], type: string, value: string, access: Access): boolean {
  return selectors.some(
    (s) =>
      accessOf(s).includes(access) &&
      (s.DataResources ?? []).some((r) => r.Type === type && (r.Values ?? []).some((v) => value.startsWith(v))),
  );
}

function basicNarrowing(before: EventSelector[], now: EventSelector[]): string[] {
  const lost: string[] = [];
  for (const access of ACCESS) {
    const was = managementCoverage(before, access);
    const is = managementCoverage(now, access);
    if (was && !is) lost.push(`management ${access} events no longer logged`);
    else if (was && is) {
      for (const source of is) if (!was.has(source)) lost.push(`management ${access} events from ${source} excluded`);
    }
  }
  for (const selector of before) {
    for (const resource of selector.DataResources ?? []) {
      for (const value of resource.Values ?? []) {
        for (const access of accessOf(selector)) {
          if (!dataCovered(now, resource.Type ?? '', value, access)) {
            lost.push(`${resource.Type} data ${access} events on ${value} no longer logged`);
          }
        }
      }
    }
  }
  return lost;
}

const EXCLUDING = ['NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

/** Whether every value `narrow` lets through on a field, `wide` lets through as well. */
function fieldNoStricter(wide: AdvancedFieldSelector, narrow: AdvancedFieldSelector): boolean {
  const includes = (f: AdvancedFieldSelector) => Boolean(f.Equals ?? f.StartsWith ?? f.EndsWith);
  const starts = wide.StartsWith ?? [];
  const ends = wide.EndsWith ?? [];
  const allowed =
    !includes(wide) ||
    (includes(narrow) &&
      (narrow.Equals ?? []).every(
        (v) =>
          (wide.Equals ?? []).includes(v) || starts.some((p) => v.startsWith(p)) || ends.some((x) => v.endsWith(x)),
      ) &&
      (narrow.StartsWith ?? []).every((v) => starts.some((p) => v.startsWith(p))) &&
      (narrow.EndsWith ?? []).every((v) => ends.some((x) => v.endsWith(x))));
  return allowed && EXCLUDING.every((op) => (wide[op] ?? []).every((v) => (narrow[op] ?? []).includes(v)));
}

/**
 * An advanced selector logs what matches all its field conditions; one still covers an older one
 * when each of its conditions is on a field the older one also restricted, and no stricter. A
 * conservative test: an unusual rewrite that covers the same may still be reported.
 */
function advancedCovers(wide: AdvancedEventSelector, narrow: AdvancedEventSelector): boolean {
  return (wide.FieldSelectors ?? []).every((condition) => {
    const older = (narrow.FieldSelectors ?? []).find((f) => f.Field === condition.Field);
    return older !== undefined && fieldNoStricter(condition, older);
  });
}

function advancedNarrowing(before: AdvancedEventSelector[], now: AdvancedEventSelector[]): string[] {
  return before
    .filter((old) => !now.some((current) => advancedCovers(current, old)))
    .map((old) => `advanced event selector ${JSON.stringify(old.Name ?? old.FieldSelectors)} no longer covered`);
}

/** What the trail logged at the last run and no longer logs; empty when nothing was lost. */
export function selectorNarrowing(before: Selectors, now: Selectors): string[] {
  const beforeAdvanced = before.advancedEventSelectors.length > 0;
  const nowAdvanced = now.advancedEventSelectors.length > 0;
  if (beforeAdvanced !== nowAdvanced) {
    // Basic and advanced selectors do not compare one to one: the switch itself is worth a look.
    return [`event selectors changed from ${beforeAdvanced ? 'advanced to basic' : 'basic to advanced'}`];
  }
  return nowAdvanced
    ? advancedNarrowing(before.advancedEventSelectors, now.advancedEventSelectors)
    : basicNarrowing(before.eventSelectors, now.eventSelectors);
}

// --- The source ---------------------------------------------------------------------------------

interface TrailState {
  /** By trail ARN: the last run's selectors and where the trail lives, so a restart still compares. */
  trails: Record<string, { region: string; checkedAt: string; selectors: Selectors }>;
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;
const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

function describeTrail(trail: Trail, arn: string): TrailStatusEvent['trail'] {
  return {
    arn,
    name: trail.Name ?? null,
    homeRegion: trail.HomeRegion ?? null,
    s3BucketName: trail.S3BucketName ?? null,
    s3KeyPrefix: trail.S3KeyPrefix ?? null,
    isMultiRegionTrail: trail.IsMultiRegionTrail ?? null,
    isOrganizationTrail: trail.IsOrganizationTrail ?? null,
    logFileValidationEnabled: trail.LogFileValidationEnabled ?? null,
  };
}

function describeStatus(status: GetTrailStatusResponse): NonNullable<TrailStatusEvent['status']> {
  return {
    isLogging: status.IsLogging ?? null,
    latestDeliveryError: status.LatestDeliveryError || null,
    latestDeliveryTime: iso(status.LatestDeliveryTime),
    latestDigestDeliveryError: status.LatestDigestDeliveryError || null,
    latestDigestDeliveryTime: iso(status.LatestDigestDeliveryTime),
    startLoggingTime: iso(status.StartLoggingTime),
    stopLoggingTime: iso(status.StopLoggingTime),
  };
}

/** The Kafka record: keyed by the trail, so one trail's checks stay in order on one partition. */
export function trailStatusRecord(event: TrailStatusEvent): RawRecord {
  return { key: event.trail.arn, value: JSON.stringify(event), origin: `cloudtrail:${event.region}:${event.id}` };
}

export interface TrailStatusSource extends Source {
  /** One check of every trail (what the schedule runs); resolves with the events produced. */
  runOnce(now?: Date): Promise<TrailStatusEvent[]>;
}

export function createTrailStatusSource(context: SourceContext, rawSettings: unknown): TrailStatusSource {
  const settings = checkSection(`ingest.sources.${SOURCE}`, schema, rawSettings);
  checkSchedule(`ingest.sources.${SOURCE}.schedule`, settings.schedule);
  const { sink, metrics, logger } = context;
  const regions = settings.regions.length > 0 ? settings.regions : [context.config.aws.region];
  const clients = new CloudTrailClients(context.config.aws, settings.endpoint);
  const stateFile = new JsonStateFile<TrailState>(settings.stateDir, `${SOURCE}.json`);
  let state: TrailState | undefined;

  function emptyEvent(region: string, arn: string, checkedAt: string): TrailStatusEvent {
    return {
      kind: 'trail_status',
      id: `${arn}#${checkedAt}`,
      region,
      trail: describeTrail({}, arn),
      status: null,
      selectors: null,
      flags: [],
      narrowed: [],
      error: null,
      checkedAt,
      previousCheckAt: state!.trails[arn]?.checkedAt ?? null,
    };
  }

  async function checkTrail(region: string, trail: Trail, checkedAt: string): Promise<TrailStatusEvent> {
    const arn = trail.TrailARN ?? `arn:aws:cloudtrail:${region}:unknown:trail/${trail.Name}`;
    const event = { ...emptyEvent(region, arn, checkedAt), trail: describeTrail(trail, arn) };
    if (trail.LogFileValidationEnabled === false) event.flags.push('log_file_validation_off');
    const client = clients.get(region);
    try {
      const [status, selectors] = await Promise.all([
        client.send(new GetTrailStatusCommand({ Name: arn })),
        client.send(new GetEventSelectorsCommand({ TrailName: arn })),
      ]);
      event.status = describeStatus(status);
      event.selectors = {
        eventSelectors: selectors.EventSelectors ?? [],
        advancedEventSelectors: selectors.AdvancedEventSelectors ?? [],
      };
    } catch (error) {
      event.flags.push('check_failed');
      event.error = errorText(error);
      return event;
    }
    if (event.status.isLogging === false) event.flags.push('logging_off');
    if (event.status.latestDeliveryError) event.flags.push('delivery_error');
    if (event.status.latestDigestDeliveryError) event.flags.push('digest_delivery_error');
    const previous = state!.trails[arn];
    if (previous) {
      event.narrowed = selectorNarrowing(previous.selectors, event.selectors);
      if (event.narrowed.length > 0) event.flags.push('event_selectors_narrower');
    }
    return event;
  }

  async function runOnce(now = new Date()): Promise<TrailStatusEvent[]> {
    state ??= await stateFile.load({ trails: {} });
    const checkedAt = now.toISOString();
    const events: TrailStatusEvent[] = [];
    const next: TrailState = { trails: {} };
    for (const region of regions) {
      let trails: Trail[];
      try {
        // Without shadow trails, a multi-region trail is checked once, in its home region.
        const described = await clients.get(region).send(new DescribeTrailsCommand({ includeShadowTrails: false }));
        trails = described.trailList ?? [];
      } catch (error) {
        const event = emptyEvent(region, `cloudtrail:${region}`, checkedAt);
        event.flags.push('check_failed');
        event.error = errorText(error);
        events.push(event);
        // What is known of this region's trails is kept for the next run to compare with.
        for (const [arn, known] of Object.entries(state.trails)) if (known.region === region) next.trails[arn] = known;
        continue;
      }
      metrics.records.inc({ source: SOURCE }, trails.length);
      const seen = new Set<string>();
      for (const trail of trails) {
        const event = await checkTrail(region, trail, checkedAt);
        events.push(event);
        seen.add(event.trail.arn);
        const known = state.trails[event.trail.arn];
        if (event.selectors) next.trails[event.trail.arn] = { region, checkedAt, selectors: event.selectors };
        else if (known) next.trails[event.trail.arn] = known;
      }
      // A trail that was there at the last run and is gone now was deleted (PCI DSS 10.2.1.6).
      for (const [arn, known] of Object.entries(state.trails)) {
        if (known.region !== region || seen.has(arn)) continue;
        const event = emptyEvent(region, arn, checkedAt);
        event.flags.push('trail_deleted');
        events.push(event);
      }
    }
    await sink.send(SOURCE, TOPICS.rawIntegrity, events.map(trailStatusRecord));
    // Remembered only once Kafka has the events: a crash before means comparing again next run.
    state = next;
    await stateFile.save(state);
    for (const event of events) {
      if (event.flags.length > 0) logger.warn({ trail: event.trail.arn, flags: event.flags }, 'trail status flagged');
    }
    return events;
  }

  const runs = new ScheduledRuns(settings.schedule, runOnce, logger);
  return {
    runOnce,
    async start() {
      runs.start();
      void runs.runNow();
    },
    async stop() {
      await runs.stop();
      clients.destroy();
    },
  };
}

export const trailStatus: SourceFactory = createTrailStatusSource;
