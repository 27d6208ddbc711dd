import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CloudTrailClient, paginateListPublicKeys } from '@aws-sdk/client-cloudtrail';
import { ConfigError, type SentrailConfig } from '@sentrail/lib/config';
import type { Logger } from '@sentrail/lib/logger';
import { scheduleProblem } from '@sentrail/lib/schedule';
import { common } from './aws.js';

// What the two sources built on the CloudTrail control plane (digest validation, trail status) share.

/** Settings both sources take, with their defaults (the JSON schema fragments of their sections). */
export const SHARED_SETTINGS = {
  enabled: { type: 'boolean', default: true },
  /** Endpoint of the CloudTrail API; empty means AWS itself (set for tests and local replays). */
  endpoint: { type: 'string', pattern: '^(https?://[^\\s/]+.*)?$', default: '' },
  /** Where the small state files live that let a restarted service carry on where it stopped. */
  stateDir: { type: 'string', minLength: 1, default: '.local/state/ingest' },
} as const;

/** A cron expression is checked here, so a bad one fails at start naming its key, not at the first tick. */
export function checkSchedule(path: string, expression: string): void {
  const problem = scheduleProblem(path, expression);
  if (problem) throw new ConfigError(path, [problem]);
}

/** One CloudTrail client per region: public keys and trails are regional. */
export class CloudTrailClients {
  private readonly clients = new Map<string, CloudTrailClient>();

  constructor(
    private readonly aws: SentrailConfig['aws'],
    private readonly endpoint: string,
  ) {}

  get(region: string): CloudTrailClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new CloudTrailClient({ ...common(this.aws, this.endpoint), region });
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/**
 * CloudTrail's digest-signing public keys by region and fingerprint. Keys are valid for weeks and
 * one signs every digest of its region meanwhile, so ListPublicKeys is asked only for a fingerprint
 * not seen yet, and every key it returns is kept.
 */
export class PublicKeyCache {
  private readonly keys = new Map<string, KeyObject>();
  private readonly fetching = new Map<string, Promise<void>>();

  constructor(
    private readonly clients: CloudTrailClients,
    private readonly logger: Logger,
  ) {}

  /** The key with this fingerprint among those valid in [start, end]; undefined when CloudTrail has none. */
  async get(region: string, fingerprint: string, start: Date, end: Date): Promise<KeyObject | undefined> {
    const id = `${region}/${fingerprint}`;
    if (!this.keys.has(id)) {
      // Digests validated in parallel share one request per region and range.
      const request = `${region}/${start.toISOString()}/${end.toISOString()}`;
      let pending = this.fetching.get(request);
      if (!pending) {
        pending = this.fetch(region, start, end).finally(() => this.fetching.delete(request));
        this.fetching.set(request, pending);
      }
      await pending;
    }
    return this.keys.get(id);
  }

  private async fetch(region: string, start: Date, end: Date): Promise<void> {
    const pages = paginateListPublicKeys({ client: this.clients.get(region) }, { StartTime: start, EndTime: end });
    for await (const page of pages) {
      for (const { Fingerprint, Value } of page.PublicKeyList ?? []) {
        if (!Fingerprint || !Value) continue;
        try {
          // CloudTrail publishes the keys as DER-encoded PKCS#1 RSA public keys.
          const key = createPublicKey({ key: Buffer.from(Value), format: 'der', type: 'pkcs1' });
          this.keys.set(`${region}/${Fingerprint}`, key);
        } catch (error) {
          this.logger.warn({ err: error, region, fingerprint: Fingerprint }, 'CloudTrail public key not readable');
        }
      }
    }
  }
}

/** A small JSON state file, written whole through a rename so a crash leaves the old or the new one. */
export class JsonStateFile<T> {
  readonly path: string;

  constructor(stateDir: string, name: string) {
    this.path = resolve(join(stateDir, name));
  }

  async load(empty: T): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
      throw error;
    }
  }

  async save(state: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, this.path);
  }
}
