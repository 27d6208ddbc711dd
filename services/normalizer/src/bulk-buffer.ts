import { bulkAction, type IndexRequest, type WriteResult } from './elastic-writer.js';

/** config normalizer.bulk: a bulk is sent when it holds maxDocuments or maxBytes, or flushMs after its first. */
export interface BulkSettings {
  maxDocuments: number;
  maxBytes: number;
  flushMs: number;
}

/** What writes one bulk: the ElasticWriter. */
export interface BulkWriter {
  write(requests: IndexRequest[], signal?: AbortSignal): Promise<WriteResult>;
}

/** The requests one `add` put into one bulk, and how to hand that caller their results. */
interface Part {
  requests: IndexRequest[];
  signal: AbortSignal | undefined;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

class Bulk {
  parts: Part[] = [];
  documents = 0;
  bytes = 0;
  /** flushMs has passed since its first request: it goes as soon as the writer is free. */
  due = false;
  timer: NodeJS.Timeout | undefined;
}

/** Bytes a request adds to the NDJSON body of a _bulk: its action line and its document line. */
export const bulkBytes = (request: IndexRequest): number =>
  Buffer.byteLength(JSON.stringify(bulkAction(request))) + Buffer.byteLength(request.document) + 2;

/**
 * Gathers the documents of concurrent callers (the Kafka batches of several partitions) into _bulk
 * requests of maxDocuments or maxBytes, or whatever arrived within flushMs, and gives each caller the
 * results of its own documents once the bulks holding them are written.
 *
 * One bulk is written at a time: Elasticsearch already spreads a bulk over its shards, and while one
 * is in flight the next keeps filling (past flushMs, up to full), so a loaded normalizer sends fewer,
 * larger bulks, and memory is bounded by what the callers hand in and await.
 */
export class BulkBuffer {
  private open = new Bulk();
  /** Full bulks waiting for the writer, oldest first. */
  private readonly full: Bulk[] = [];
  /** The loop writing bulks one after another, while there are any to write. */
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly writer: BulkWriter,
    private readonly settings: BulkSettings,
  ) {}

  /**
   * Resolves with the results of exactly these requests. An aborted signal rejects this call at once;
   * a bulk already holding the requests is still written for its other callers, and aborted only
   * once every caller with requests in it has aborted.
   */
  async add(requests: IndexRequest[], signal?: AbortSignal): Promise<WriteResult> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error('the bulk buffer is closed');
    // Sized before any is taken, so a document that cannot be serialized leaves nothing behind.
    const sized = requests.map((request) => ({ request, bytes: bulkBytes(request) }));
    const results: Promise<WriteResult>[] = [];
    let part: Part | undefined;
    for (const { request, bytes } of sized) {
      if (this.open.documents > 0 && this.open.bytes + bytes > this.settings.maxBytes) this.seal();
      // Nothing else runs during this loop: the open bulk's last part is this call's until a seal.
      if (part === undefined || this.open.parts.at(-1) !== part) {
        const started = this.startPart(signal);
        part = started.part;
        results.push(started.result);
      }
      part.requests.push(request);
      this.open.documents++;
      this.open.bytes += bytes;
      if (this.open.documents >= this.settings.maxDocuments || this.open.bytes >= this.settings.maxBytes) this.seal();
    }
    const done = Promise.all(results).then(merge);
    return signal ? untilAborted(done, signal) : done;
  }

  /** Writes what is pending and resolves once every bulk is written; later adds are refused. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.open.documents > 0) this.open.due = true;
    this.pump();
    await this.sending;
  }

  private startPart(signal: AbortSignal | undefined): { part: Part; result: Promise<WriteResult> } {
    const bulk = this.open;
    if (bulk.parts.length === 0) {
      bulk.timer = setTimeout(() => {
        bulk.due = true;
        this.pump();
      }, this.settings.flushMs);
    }
    let part!: Part;
    const result = new Promise<WriteResult>((resolve, reject) => {
      part = { requests: [], signal, resolve, reject };
    });
    bulk.parts.push(part);
    return { part, result };
  }

  /** The open bulk is full: it joins the queue and a new one opens. */
  private seal(): void {
    clearTimeout(this.open.timer);
    this.full.push(this.open);
    this.open = new Bulk();
    this.pump();
  }

  private pump(): void {
    if (this.sending) return; // the running loop takes the next bulk when it has written this one
    const next = this.next();
    if (next) this.sending = this.drain(next);
  }

  private next(): Bulk | undefined {
    if (this.full.length > 0) return this.full.shift();
    if (!this.open.due) return undefined;
    const bulk = this.open;
    clearTimeout(bulk.timer);
    this.open = new Bulk();
    return bulk;
  }

  private async drain(first: Bulk): Promise<void> {
    for (let bulk: Bulk | undefined = first; bulk; bulk = this.next()) await this.send(bulk);
    this.sending = undefined;
  }

  private async send(bulk: Bulk): Promise<void> {
    const abandoned = whenAllAbort(bulk.parts.map((part) => part.signal));
    try {
      const result = await this.writer.write(
        bulk.parts.flatMap((part) => part.requests),
        abandoned.signal,
      );
      for (const part of bulk.parts) part.resolve(share(result, part.requests));
    } catch (error) {
      for (const part of bulk.parts) part.reject(error);
    } finally {
      abandoned.dispose();
    }
  }
}

/** A signal that aborts once all of these have (none if one is missing: that caller waits for good). */
function whenAllAbort(signals: (AbortSignal | undefined)[]): { signal?: AbortSignal; dispose: () => void } {
  if (signals.some((signal) => signal === undefined)) return { dispose: () => undefined };
  const distinct = [...new Set(signals as AbortSignal[])];
  const controller = new AbortController();
  const check = () => {
    if (distinct.every((signal) => signal.aborted)) controller.abort(distinct[0]!.reason);
  };
  for (const signal of distinct) signal.addEventListener('abort', check);
  check();
  return {
    signal: controller.signal,
    dispose: () => distinct.forEach((signal) => signal.removeEventListener('abort', check)),
  };
}

function share(result: WriteResult, requests: IndexRequest[]): WriteResult {
  const mine = new Set(requests);
  return {
    created: result.created.filter((request) => mine.has(request)),
    duplicates: result.duplicates.filter((request) => mine.has(request)),
    rejected: result.rejected.filter(({ request }) => mine.has(request)),
  };
}

function merge(results: WriteResult[]): WriteResult {
  return {
    created: results.flatMap((result) => result.created),
    duplicates: results.flatMap((result) => result.duplicates),
    rejected: results.flatMap((result) => result.rejected),
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
