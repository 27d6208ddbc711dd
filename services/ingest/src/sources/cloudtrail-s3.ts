// CloudTrail log files found by listing the trail bucket: the backfill, and the way in for
// deployments without S3 → SQS notifications. Each run lists whole day prefixes and diffs them
// against the keys already processed, instead of polling from a marker (StartAfter the last key),
// which misses files CloudTrail delivers late or out of key order.
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { checkSection, ConfigError } from '@sentrail/lib/config';
import type { ReadinessCheck } from '@sentrail/lib/health';
import type { JSONSchemaType } from 'ajv';
import cron, { type ScheduledTask } from 'node-cron';
import { pingBucket } from '../aws.js';
import { ObjectFetchError, objectOrigin, readCloudTrailObject } from '../cloudtrail-object.js';
import { KeyState } from '../key-state.js';
import type { Source, SourceContext, SourceFactory } from '../source.js';

export const SOURCE_NAME = 'cloudtrailS3';
const SECTION = `ingest.sources.${SOURCE_NAME}`;

export interface CloudtrailS3Settings {
  enabled?: boolean;
  /** Default: ingest.cloudtrailBucket. */
  bucket?: string;
  /** 12-digit account ids, as strings (quote them in YAML so a leading zero survives). */
  accounts: string[];
  /** Organization trails: keys are then `AWSLogs/<org-id>/<account>/CloudTrail/…`. */
  organizationIds?: string[];
  /** Default: [aws.region]. */
  regions?: string[];
  /** Days listed, today (UTC) included; older days are forgotten by the state. */
  lookBackDays: number;
  /** The most recent days, today included, listed on every run so late deliveries are found. */
  relistDays: number;
  /** YYYY-MM-DD: days before it are not read. */
  onlyLogsAfter?: string;
  schedule: string;
  stateFile: string;
  /** Objects read at once. */
  concurrency: number;
}

export const cloudtrailS3Schema: JSONSchemaType<CloudtrailS3Settings> = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', nullable: true },
    bucket: { type: 'string', nullable: true, pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
    accounts: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[0-9]{12}$' },
    },
    organizationIds: {
      type: 'array',
      nullable: true,
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^o-[a-z0-9]{10,32}$' },
    },
    regions: {
      type: 'array',
      nullable: true,
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$' },
    },
    lookBackDays: { type: 'integer', minimum: 1, maximum: 400, default: 7 },
    relistDays: { type: 'integer', minimum: 1, default: 2 },
    onlyLogsAfter: { type: 'string', nullable: true, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
    schedule: { type: 'string', default: '*/5 * * * *' },
    stateFile: { type: 'string', minLength: 1, default: '.local/state/ingest/cloudtrail-s3.json' },
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 4 },
  },
  required: ['accounts', 'lookBackDays', 'relistDays', 'schedule', 'stateFile', 'concurrency'],
  additionalProperties: false,
};

/** The checks a schema cannot express; every problem names its key. */
function checkSettings(value: unknown): CloudtrailS3Settings {
  const settings = checkSection(SECTION, cloudtrailS3Schema, value);
  const problems: string[] = [];
  const cronCheck = cron.validateDetailed(settings.schedule);
  if (!cronCheck.valid) {
    const reasons = cronCheck.errors.map((error) => error.message).join('; ');
    problems.push(`${SECTION}.schedule: not a cron expression (${reasons})`);
  }
  if (settings.relistDays > settings.lookBackDays) {
    problems.push(`${SECTION}.relistDays: must be at most lookBackDays (${settings.lookBackDays})`);
  }
  const after = settings.onlyLogsAfter;
  if (after !== undefined && (Number.isNaN(Date.parse(after)) || utcDay(new Date(after)) !== after)) {
    problems.push(`${SECTION}.onlyLogsAfter: not a calendar date (YYYY-MM-DD)`);
  }
  if (problems.length > 0) throw new ConfigError(SECTION, problems);
  return settings;
}

const utcDay = (date: Date) => date.toISOString().slice(0, 10);
const DAY_MS = 24 * 60 * 60 * 1000;

/** One day prefix of one trail: `AWSLogs/[org-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/`. */
interface DayPrefix {
  day: string;
  prefix: string;
  /** Older than the re-listed days: once listed and read in full, it is not listed again. */
  settles: boolean;
}

export interface RunSummary {
  /** Day prefixes listed. */
  listed: number;
  /** New objects read and acknowledged by Kafka. */
  objects: number;
}

/**
 * The processed-keys state holds, per day, the object keys read and acknowledged, and the day
 * prefixes that are settled (a prefix ends in '/', an object key never does).
 *
 * Keys are added to the state only after Kafka acknowledged every record of the object, and the
 * state is saved after each object; saves made while one is being written are coalesced into the
 * next write (KeyState.save), so under load the file is written per small group of objects. A crash
 * after Kafka's ack but before that write means the object is read again on the next run:
 * at-least-once, and the normalizer's writes, keyed by eventID, make the duplicate a no-op.
 */
export class CloudtrailS3Source implements Source {
  readonly settings: CloudtrailS3Settings;
  readonly bucket: string;
  readonly checks: Record<string, ReadinessCheck>;
  private readonly regions: string[];
  private state: Promise<KeyState> | undefined;
  private running: Promise<RunSummary> | undefined;
  private task: ScheduledTask | undefined;
  private stopping = false;

  /** Checks the settings (ConfigError naming the key); nothing runs before start() or runOnce(). */
  constructor(
    private readonly context: SourceContext,
    value: unknown,
  ) {
    this.settings = checkSettings(value);
    this.bucket = this.settings.bucket ?? context.config.ingest.cloudtrailBucket;
    this.regions = this.settings.regions ?? [context.config.aws.region];
    this.checks = { [SOURCE_NAME]: () => pingBucket(context.s3, this.bucket) };
  }

  /** Loads the state (a corrupt state file stops the start), runs once now, then on the schedule. */
  async start(): Promise<void> {
    await this.loadState();
    this.task = cron.schedule(this.settings.schedule, () => this.scheduledRun(), {
      name: SOURCE_NAME,
      noOverlap: true,
    });
    void this.scheduledRun();
  }

  /** No new object is started; the ones in flight finish and are recorded in the state. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.task?.destroy();
    await this.running?.catch(() => undefined);
  }

  /** One run; a call while a run is under way joins that run rather than starting another. */
  runOnce(): Promise<RunSummary> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async scheduledRun(): Promise<void> {
    try {
      const { listed, objects } = await this.runOnce();
      this.context.logger[objects > 0 ? 'info' : 'debug']({ listed, objects }, 'listing run done');
    } catch (error) {
      this.context.logger.error({ err: error }, 'listing run failed; the next run starts over from the state');
    }
  }

  private loadState(): Promise<KeyState> {
    this.state ??= KeyState.load(this.settings.stateFile).catch((error: unknown) => {
      this.state = undefined;
      throw error;
    });
    return this.state;
  }

  /** Every trail's day prefixes in the window, newest first so recent logs come in before the backfill. */
  private dayPrefixes(now: Date): DayPrefix[] {
    const { accounts, organizationIds, lookBackDays, relistDays, onlyLogsAfter } = this.settings;
    const trailRoots = organizationIds
      ? organizationIds.flatMap((org) => accounts.map((account) => `AWSLogs/${org}/${account}`))
      : accounts.map((account) => `AWSLogs/${account}`);
    const prefixes: DayPrefix[] = [];
    for (let back = 0; back < lookBackDays; back++) {
      const day = utcDay(new Date(now.getTime() - back * DAY_MS));
      if (onlyLogsAfter !== undefined && day < onlyLogsAfter) break;
      for (const root of trailRoots) {
        for (const region of this.regions) {
          prefixes.push({
            day,
            prefix: `${root}/CloudTrail/${region}/${day.replaceAll('-', '/')}/`,
            settles: back >= relistDays,
          });
        }
      }
    }
    return prefixes;
  }

  private async run(): Promise<RunSummary> {
    const state = await this.loadState();
    const now = new Date();
    const firstDay = utcDay(new Date(now.getTime() - (this.settings.lookBackDays - 1) * DAY_MS));
    const pruned = state.prune(firstDay);
    if (pruned.length > 0) {
      await state.save();
      this.context.logger.info({ days: pruned }, 'forgot processed keys of days before the look-back window');
    }

    const limit = limiter(this.settings.concurrency);
    // After a failure the run starts no new object: the next run retries from the state.
    let failure: { error: unknown } | undefined;
    const halted = () => this.stopping || failure !== undefined;
    const drains: Promise<void>[] = [];
    const summary: RunSummary = { listed: 0, objects: 0 };
    try {
      for (const target of this.dayPrefixes(now)) {
        if (halted()) break;
        if (state.has(target.day, target.prefix)) continue;
        const keys = await this.listNewKeys(state, target);
        summary.listed++;
        const drain = Promise.all(
          keys.map((key) =>
            limit(async () => {
              if (halted()) return false;
              const done = await this.readObject(state, target.day, key);
              if (done) summary.objects++;
              return done;
            }),
          ),
        ).then(async (done) => {
          if (target.settles && done.every(Boolean)) {
            state.add(target.day, target.prefix);
            await state.save();
          }
        });
        drains.push(drain.catch((error: unknown) => void (failure ??= { error })));
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      await Promise.all(drains);
    }
    if (failure) throw failure.error;
    return summary;
  }

  /** The keys under one day prefix that the state does not hold yet; directory markers left out. */
  private async listNewKeys(state: KeyState, { day, prefix }: DayPrefix): Promise<string[]> {
    const keys: string[] = [];
    try {
      const pages = paginateListObjectsV2({ client: this.context.s3 }, { Bucket: this.bucket, Prefix: prefix });
      for await (const page of pages) {
        for (const { Key: key } of page.Contents ?? []) {
          if (key && !key.endsWith('/') && !state.has(day, key)) keys.push(key);
        }
      }
    } catch (error) {
      throw new Error(`cannot list s3://${this.bucket}/${prefix}: ${(error as Error).message}`, { cause: error });
    }
    return keys;
  }

  /** Reads one object to Kafka and records it; false when it vanished since the listing. */
  private async readObject(state: KeyState, day: string, key: string): Promise<boolean> {
    const { s3, sink, metrics, logger } = this.context;
    const location = { bucket: this.bucket, key };
    metrics.inFlight.inc({ source: SOURCE_NAME });
    try {
      await readCloudTrailObject({ s3, sink, metrics, source: SOURCE_NAME }, location);
    } catch (error) {
      // Deleted since the listing (a lifecycle rule at the window's edge): the next listing will not show it.
      if (error instanceof ObjectFetchError && error.missing) {
        logger.warn({ origin: objectOrigin(location) }, 'listed object no longer exists');
        return false;
      }
      throw error;
    } finally {
      metrics.inFlight.dec({ source: SOURCE_NAME });
    }
    state.add(day, key);
    await state.save();
    return true;
  }
}

/** Runs at most `concurrency` of the functions given to it at once, the rest waiting in order. */
function limiter(concurrency: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot take it in between.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

export const cloudtrailS3: SourceFactory = (context, settings) => new CloudtrailS3Source(context, settings);
