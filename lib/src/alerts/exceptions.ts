// Exceptions: an analyst mutes a rule for one entity (a scanner's IP, a break-glass user) with a
// reason and an expiry, kept in `<prefix>-alert-exceptions-YYYY.MM` as the record of who muted
// what. isMuted answers from memory, reloaded from Elasticsearch every refreshMs.
import { randomUUID } from 'node:crypto';
import { aliases, monthlyIndexName, type ElasticClient } from '../elastic.js';

export interface AlertException {
  '@timestamp': string;
  id: string;
  rule: { id: string };
  entity: { value: string };
  reason: string;
  by: string;
  expires_at: string;
}

export interface NewException {
  ruleId: string;
  entityValue: string;
  reason: string;
  by: string;
  expiresAt: string | Date;
}

export interface AlertExceptionsOptions {
  /** How long isMuted trusts what it loaded; exceptions created by this instance apply at once. */
  refreshMs?: number;
}

const LIST_LIMIT = 10_000;

export class AlertExceptions {
  private readonly alias: string;
  private readonly refreshMs: number;
  private cache: { loadedAt: number; exceptions: Promise<AlertException[]> } | undefined;

  constructor(
    private readonly client: ElasticClient,
    prefix: string,
    options: AlertExceptionsOptions = {},
  ) {
    this.alias = aliases(prefix).alertExceptions;
    this.refreshMs = options.refreshMs ?? 60_000;
  }

  async create(input: NewException): Promise<AlertException> {
    const now = new Date();
    const expires = new Date(input.expiresAt);
    const { ruleId, entityValue, reason, by } = input;
    for (const [field, value] of Object.entries({ ruleId, entityValue, reason, by })) {
      if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`exception: ${field} is required`);
    }
    if (Number.isNaN(expires.getTime())) throw new TypeError('exception: expiresAt must be a timestamp');
    if (expires <= now) throw new RangeError('exception: expiresAt must be in the future');
    const exception: AlertException = {
      '@timestamp': now.toISOString(),
      id: randomUUID(),
      rule: { id: ruleId },
      entity: { value: entityValue },
      reason,
      by,
      expires_at: expires.toISOString(),
    };
    // Refreshed at once: exceptions are rare, and whoever lists them next (another process too) should see it.
    await this.client.create({
      index: monthlyIndexName(this.alias, now),
      id: exception.id,
      document: exception,
      refresh: true,
    });
    if (this.cache) {
      const { loadedAt, exceptions } = this.cache;
      this.cache = { loadedAt, exceptions: exceptions.then((list) => [...list, exception]) };
    }
    return exception;
  }

  /** The exceptions in force at `at` (not yet expired), soonest expiry first. */
  async list(at: string | Date = new Date()): Promise<AlertException[]> {
    const result = await this.client.search<AlertException>({
      index: this.alias,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: LIST_LIMIT,
      query: { range: { expires_at: { gt: new Date(at).toISOString() } } },
      sort: [{ expires_at: 'asc' }],
    });
    return result.hits.hits.map((hit) => hit._source!);
  }

  /**
   * Whether an exception for this rule and entity is in force at `at` (the event's time, default
   * now). Only exceptions in force when last loaded are known: one that expired before then mutes nothing.
   */
  async isMuted(ruleId: string, entityValue: string, at: string | Date = new Date()): Promise<boolean> {
    const time = new Date(at).getTime();
    const exceptions = await this.inForce();
    return exceptions.some(
      (e) => e.rule.id === ruleId && e.entity.value === entityValue && Date.parse(e.expires_at) > time,
    );
  }

  private inForce(): Promise<AlertException[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.loadedAt >= this.refreshMs) {
      const exceptions = this.list(new Date(now));
      this.cache = { loadedAt: now, exceptions };
      // A failed load is not kept: the next call tries again.
      exceptions.catch(() => {
        if (this.cache?.exceptions === exceptions) this.cache = undefined;
      });
    }
    return this.cache.exceptions;
  }
}
