// An export's body as a stream: events → rows in the format → SHA-256 and byte count → the HTTP response.
// Every stage is pulled by the one after it (stream.pipeline, write() returning false is honoured), so
// the next page of events is fetched only as the response drains and memory stays flat whatever the
// size of the export.
import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import type { EventPages } from './event-pages.js';
import { exportFormatter } from './export-formats.js';
import type { ExportFormat } from './manifest.js';

export interface ExportResult {
  rows: number;
  /** Hex SHA-256 of the bytes produced. */
  sha256: string;
  bytes: number;
}

export interface ExportStreamOptions {
  /** Opened; closed by the stream whatever happens. */
  pages: EventPages;
  format: ExportFormat;
  /**
   * Once every byte is produced and before the response ends: the client sees the end of the body
   * only after this resolves (the manifest is stored by then), and a rejection cuts the response short.
   */
  onComplete: (result: ExportResult) => Promise<void>;
  /** When the export stopped before its end (client gone, a server failed): what was produced until then. */
  onAbort: (result: ExportResult, error: Error) => void;
}

/** Writes go to the socket in chunks of about this size rather than one per row. */
const CHUNK_BYTES = 64 * 1024;

/** Hashes and counts the bytes that pass, gathering them into larger chunks. */
class Digest extends Transform {
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  bytes = 0;

  constructor(private readonly onEnd: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    callback(null, this.pendingBytes >= CHUNK_BYTES ? this.takePending() : undefined);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) this.push(this.takePending());
    this.onEnd().then(() => callback(), callback);
  }

  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  private takePending(): Buffer {
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return chunk;
  }
}

/** The body to send; its end, or its failure, is reported through onComplete or onAbort. */
export function exportStream({ pages, format, onComplete, onAbort }: ExportStreamOptions): Readable {
  const formatter = exportFormatter(format);
  const rows = pages.rows(formatter.toRow);
  const result = (): ExportResult => ({ rows: rows.count, sha256: digest.sha256(), bytes: digest.bytes });
  let completed = false;
  const digest: Digest = new Digest(async () => {
    await onComplete(result());
    completed = true;
  });
  // Torn down on any failure, which destroys the rows: their point in time closes.
  pipeline([rows, ...formatter.stages, digest], (error) => {
    if (error && !completed) onAbort(result(), error);
  });
  return digest;
}
