// Every API request becomes an access record on siem.raw.sentrail (PCI DSS 10.2.1.3: access to the
// audit trail is itself logged), which the normalizer maps like any other source into the trail.
// Public routes (/docs, the web UI's files) are not recorded: they need no key and return no audit
// data, and recording every static file would bury the accesses that matter.
//
// Records are produced after the response, in the background, with acks=all: whatever arrives while
// one send is in flight goes in the next, so a busy API makes few, larger sends. A send that fails is
// retried with backoff; one that still fails is logged as an error, records included, and counted in
// sentrail_api_access_records_lost_total: a lost record is never silent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import type { AccessRecord } from '@sentrail/lib/access-record';
import { ACKS_ALL, TOPICS, type Message, type Producer } from '@sentrail/lib/kafka';
import type { Logger } from '@sentrail/lib/logger';
import type { ServiceMetrics } from '@sentrail/lib/metrics';
import { retry } from '@sentrail/lib/retry';

/** The normalizer's mapper for siem.raw.sentrail expects this `source` header (MAPPER_INPUTS.sentrailAccess). */
export const ACCESS_SOURCE = 'api';
/** Records in one send: well under the topic's message size limit even with long URLs and queries. */
const MAX_BATCH = 50;

export interface AccessLogOptions {
  producer: Producer;
  logger: Logger;
  /** Where the lost-records counter is exposed (the service's /metrics). */
  metrics?: ServiceMetrics;
  /** Retries of a failed send, and the backoff's base. */
  retries?: number;
  baseMs?: number;
}

/** nginx's status for a request whose client went away before the response was complete. */
export const CLIENT_CLOSED = 499;

/** The access record of a request, once its response is sent (or its client has gone: CLIENT_CLOSED). */
export function accessRecord(request: FastifyRequest, reply: FastifyReply, status = reply.statusCode): AccessRecord {
  const { principal, audit } = request;
  const userAgent = request.headers['user-agent'];
  return {
    id: request.id,
    time: new Date(Date.now() - reply.elapsedTime).toISOString(),
    method: request.method,
    // A URL no route matches has no pattern: it is recorded as such, the URL says what was tried.
    route: request.routeOptions.url ?? '(no route)',
    url: request.url,
    status,
    durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
    key: principal ? { id: principal.keyId, name: principal.name, role: principal.role } : null,
    client: { ip: request.ip, ...(userAgent ? { userAgent } : {}) },
    ...audit,
  };
}

export class AccessLog {
  private readonly producer: Producer;
  private readonly logger: Logger;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly queue: Message[] = [];
  private draining: Promise<void> | undefined;
  readonly lost: Counter;

  constructor(options: AccessLogOptions) {
    this.producer = options.producer;
    this.logger = options.logger;
    this.retries = options.retries ?? 4;
    this.baseMs = options.baseMs ?? 250;
    this.lost = new Counter({
      name: 'sentrail_api_access_records_lost_total',
      help: 'API access records that could not be produced to siem.raw.sentrail after retries.',
      registers: options.metrics ? [options.metrics.registry] : [],
    });
  }

  /** Queues the record for siem.raw.sentrail; never throws. */
  record(record: AccessRecord): void {
    this.queue.push({
      key: record.id,
      value: JSON.stringify(record),
      headers: { source: ACCESS_SOURCE, origin: `api:${record.id}`, received_at: record.time },
    });
    this.draining ??= this.drain();
  }

  /** Resolves once every record queued so far is produced or counted as lost. */
  async flushed(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.send(this.queue.splice(0, MAX_BATCH));
    this.draining = undefined;
  }

  private async send(messages: Message[]): Promise<void> {
    try {
      await retry(() => this.producer.send({ topic: TOPICS.rawSentrail, acks: ACKS_ALL, messages }), {
        retries: this.retries,
        baseMs: this.baseMs,
        onRetry: (error, attempt) => this.logger.warn({ err: error, attempt }, 'access records not produced; retrying'),
      });
    } catch (error) {
      this.lost.inc(messages.length);
      this.logger.error(
        { err: error, lost: messages.length, records: messages.map((message) => message.value) },
        'access records lost: siem.raw.sentrail did not take them',
      );
    }
  }
}

/**
 * The hooks that record every request but those to public routes, once: when its response is sent,
 * or when its client goes away first (an export stopped halfway), which fastify's onResponse misses.
 */
export function accessLogHooks(log: AccessLog) {
  const replies = new WeakMap<FastifyRequest, FastifyReply>();
  const recorded = new WeakSet<FastifyRequest>();
  const record = (request: FastifyRequest, reply: FastifyReply, status?: number) => {
    if (request.routeOptions.config.roles === 'public' || recorded.has(request)) return;
    recorded.add(request);
    log.record(accessRecord(request, reply, status));
  };
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => void replies.set(request, reply),
    onResponse: async (request: FastifyRequest, reply: FastifyReply) => record(request, reply),
    onRequestAbort: async (request: FastifyRequest) => {
      const reply = replies.get(request);
      if (reply) record(request, reply, CLIENT_CLOSED);
    },
  };
}
