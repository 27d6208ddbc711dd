import type { ElasticClient } from '@sentrail/lib/elastic';
import type { Logger } from '@sentrail/lib/logger';
import { retry } from '@sentrail/lib/retry';
import type { NormalizerMetrics } from './normalizer-metrics.js';

/** One document to create: `id` is its deterministic _id, `index` the daily index of its event time. */
export interface IndexRequest {
  id: string;
  index: string;
  /** The document as JSON text: serialized once, sized by the buffer and sent as is by the client. */
  document: string;
}

export interface Rejection {
  request: IndexRequest;
  /** The Elasticsearch error type and reason, causes included: what the DLQ entry says. */
  reason: string;
}

/** Every request of a write ends up in exactly one list; the objects are the caller's own. */
export interface WriteResult {
  created: IndexRequest[];
  /** Already there (409): a replay, counted but not an error. */
  duplicates: IndexRequest[];
  /** Refused for good (mapping, parse errors): for siem.dlq. */
  rejected: Rejection[];
}

export interface ElasticWriterOptions {
  /** Backoff between attempts: exponential from baseMs, capped at maxMs, full jitter (lib/src/retry.ts). */
  baseMs?: number;
  maxMs?: number;
  /** At most one warning this often while retrying, however many attempts fail. */
  warnEveryMs?: number;
}

/** The action line of a request in the _bulk body. */
export const bulkAction = (request: IndexRequest) => ({ create: { _index: request.index, _id: request.id } });

interface ErrorCause {
  type: string;
  reason?: string | null;
  caused_by?: ErrorCause;
}

/** Items of a bulk that Elasticsearch could not take now but may later (429, 5xx, index blocks). */
class ItemsRefused extends Error {
  constructor(causes: ErrorCause[]) {
    super(`Elasticsearch refused ${causes.length} documents for now: ${explain(causes[0]!)}`);
  }
}

const explain = (cause: ErrorCause): string =>
  `${cause.type}: ${cause.reason ?? ''}${cause.caused_by ? `; caused by ${explain(cause.caused_by)}` : ''}`;

/** Worth retrying as a whole: the request did not get through, or the cluster is overloaded or failing. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // By name: the client's error classes are not re-exported by @sentrail/lib/elastic.
  if (['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError'].includes(error.name)) return true;
  const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
  return error.name === 'ResponseError' && status !== undefined && (status === 429 || status >= 500);
}

const isRetryableItem = (status: number, error?: ErrorCause) =>
  status === 429 || status >= 500 || error?.type === 'cluster_block_exception';

/**
 * Creates documents with one _bulk request of `create` actions, so a replayed record is a counted
 * duplicate. Whatever Elasticsearch cannot take now is retried with backoff until it can or the signal
 * aborts: the whole request while the cluster is unreachable or overloaded (the paused gauge is 1 and
 * the caller, not having an answer, does not commit), only the refused items on a partial failure.
 * Only documents Elasticsearch will never take (mapping and parse errors) come back as rejected.
 */
export class ElasticWriter {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly warnEveryMs: number;
  private lastWarning = 0;
  /** Writes currently waiting for Elasticsearch: the paused gauge is 1 while there is any. */
  private waiting = 0;

  constructor(
    private readonly client: ElasticClient,
    private readonly metrics: NormalizerMetrics,
    private readonly logger: Logger,
    options: ElasticWriterOptions = {},
  ) {
    this.baseMs = options.baseMs ?? 200;
    this.maxMs = options.maxMs ?? 10_000;
    this.warnEveryMs = options.warnEveryMs ?? 5_000;
  }

  async write(requests: IndexRequest[], signal?: AbortSignal): Promise<WriteResult> {
    signal?.throwIfAborted();
    const result: WriteResult = { created: [], duplicates: [], rejected: [] };
    if (requests.length === 0) return result;
    const endTimer = this.metrics.bulkSeconds.startTimer();
    let pending = requests;
    let waited = false;
    try {
      await retry(
        async () => {
          const refused = await this.send(pending, result, signal);
          pending = refused.map(({ request }) => request);
          if (refused.length > 0) throw new ItemsRefused(refused.map(({ cause }) => cause));
        },
        {
          retries: Infinity,
          baseMs: this.baseMs,
          maxMs: this.maxMs,
          retryable: (error) => error instanceof ItemsRefused || isUnavailable(error),
          onRetry: (error, attempt, delayMs) => {
            if (!waited) this.setWaiting(+1);
            waited = true;
            const items = error instanceof ItemsRefused;
            this.metrics.retries.inc({ reason: items ? 'item' : 'unavailable' }, items ? pending.length : 1);
            this.warn(error, { attempt, delayMs, documents: pending.length });
          },
          signal,
        },
      );
    } catch (error) {
      // Whatever failed last (the request, the backoff sleep), an abort is what the caller asked for.
      signal?.throwIfAborted();
      throw error;
    } finally {
      if (waited) this.setWaiting(-1);
    }
    if (waited) this.logger.info({ documents: requests.length }, 'Elasticsearch takes documents again');
    endTimer();
    return result;
  }

  private setWaiting(change: 1 | -1) {
    this.waiting += change;
    this.metrics.elasticsearchPaused.set(this.waiting > 0 ? 1 : 0);
  }

  /** One _bulk request: settles what it can into `result` and returns the items to try again. */
  private async send(requests: IndexRequest[], result: WriteResult, signal?: AbortSignal) {
    let response;
    try {
      response = await this.client.bulk(
        {
          operations: requests.flatMap((request) => [bulkAction(request), request.document]),
          // Status and error are all we read: the rest is ~150 bytes a document for nothing.
          filter_path: ['items.*.status', 'items.*.error'],
        },
        // The client's own retries (maxRetries of createElastic) would come at once, without this
        // backoff, and multiply its attempts: this writer's retry is the only one.
        { maxRetries: 0, signal },
      );
    } catch (error) {
      this.metrics.bulkRequests.inc({ result: 'error' });
      throw error;
    }
    const refused: { request: IndexRequest; cause: ErrorCause }[] = [];
    let failed = 0;
    requests.forEach((request, i) => {
      // Items come back in the order of the actions.
      const { status, error } = response.items[i]!.create!;
      if (status < 300) result.created.push(request);
      else if (status === 409) result.duplicates.push(request);
      else {
        failed++;
        const cause = error ?? { type: `status ${status}` };
        if (isRetryableItem(status, error)) refused.push({ request, cause });
        else result.rejected.push({ request, reason: explain(cause) });
      }
    });
    this.metrics.bulkRequests.inc({ result: failed > 0 ? 'partial' : 'ok' });
    return refused;
  }

  /** Throttled: an outage of minutes is a handful of lines, not one per attempt. */
  private warn(error: unknown, details: { attempt: number; delayMs: number; documents: number }) {
    const now = Date.now();
    if (now - this.lastWarning < this.warnEveryMs) return;
    this.lastWarning = now;
    const message =
      error instanceof ItemsRefused
        ? 'Elasticsearch refused documents for now: retrying them'
        : 'Elasticsearch unavailable: consumption paused, retrying';
    this.logger.warn({ err: error, ...details }, message);
  }
}
