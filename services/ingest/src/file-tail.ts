// Follows a growing file of lines (JSON lines such as Wazuh's alerts.json) the way log shippers do:
// complete lines only, a checkpoint of inode and offset written only after the lines were handled,
// rotation (a new inode behind the path) and truncation (copytruncate) followed. Polling, not
// fs.watch: watch events are lost on some file systems and across rotations.
import { mkdir, open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@sentrail/lib/logger';
import { retry } from '@sentrail/lib/retry';

export interface TailLine {
  /** The line's bytes, without its line ending. */
  bytes: Buffer;
  /** `file:<inode>:<offset>`, the offset of the line's first byte. */
  origin: string;
  /**
   * False for the unterminated rest of a file that was rotated away or truncated: its newline will
   * never come, so it is handed over once, marked, rather than lost.
   */
  complete: boolean;
}

/** Where the next unhandled line starts; always at a line boundary. */
export interface TailCheckpoint {
  inode: string;
  offset: number;
}

export interface FileTailOptions {
  path: string;
  checkpointFile: string;
  /** Where to begin in a file the checkpoint does not know. */
  startAt: 'beginning' | 'end';
  pollIntervalMs: number;
  /** Bytes read at once; the complete lines among them are one batch. */
  batchBytes: number;
  /** Handles a batch; the checkpoint moves past it only once this resolves. A throw means it comes again. */
  handle: (lines: TailLine[]) => Promise<void>;
  logger: Logger;
  onRetry?: (error: unknown) => void;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export const fileOrigin = (inode: string, offset: number) => `file:${inode}:${offset}`;

export async function readCheckpoint(file: string): Promise<TailCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const saved = JSON.parse(text) as Partial<TailCheckpoint>;
  // A damaged checkpoint must stop the tail, not silently restart it somewhere else.
  if (typeof saved.inode !== 'string' || !Number.isSafeInteger(saved.offset) || saved.offset! < 0) {
    throw new Error(`checkpoint ${file} is not {inode, offset}: ${text}`);
  }
  return { inode: saved.inode, offset: saved.offset! };
}

/** Write to a temporary file, flush it to disk, rename over the old one: a crash leaves one or the other. */
async function writeCheckpoint(file: string, checkpoint: TailCheckpoint): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify(checkpoint));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

async function inodeAt(path: string): Promise<{ inode: string; size: number } | undefined> {
  try {
    const stats = await stat(path, { bigint: true });
    return { inode: stats.ino.toString(), size: Number(stats.size) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class FileTail {
  private file: { handle: FileHandle; inode: string } | undefined;
  /** Bytes before this are handled and checkpointed (or being checkpointed). */
  private offset = 0;
  /** Bytes read after `offset` that do not end in a newline yet. */
  private partial = Buffer.alloc(0);
  private stopping = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private missingLogged = false;
  /** The error of the last poll, until one succeeds: what the readiness check reports. */
  lastError: Error | undefined;

  constructor(private readonly options: FileTailOptions) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.options.checkpointFile), { recursive: true });
    this.loop = this.run();
  }

  /** Finishes the batch in hand and its checkpoint, then closes the file. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.loop;
    await this.file?.handle.close();
    this.file = undefined;
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, logger, onRetry } = this.options;
    const signal = this.abort.signal;
    while (!this.stopping) {
      try {
        await retry(() => this.poll(), {
          retries: Infinity,
          baseMs: pollIntervalMs,
          signal,
          onRetry: (error, attempt, delayMs) => {
            this.lastError = error instanceof Error ? error : new Error(String(error));
            onRetry?.(error);
            logger.warn({ err: error, attempt, delayMs, path: this.options.path }, 'tail failed; retrying');
          },
        });
        this.lastError = undefined;
        await sleep(pollIntervalMs, undefined, { signal });
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    }
  }

  private get readPosition(): number {
    return this.offset + this.partial.length;
  }

  private async poll(): Promise<void> {
    if (!this.file && !(await this.open())) return;
    await this.drain();
    if (this.stopping) return;
    const onDisk = await inodeAt(this.options.path);
    // Moved away and not yet replaced: the writer may still append to the file we hold.
    if (!onDisk) return;
    if (onDisk.inode !== this.file!.inode) {
      // Rotated: what was written to the old file before the writer switched comes first.
      await this.drain();
      if (this.stopping) return;
      await this.flushPartial();
      this.options.logger.info({ path: this.options.path, from: this.file!.inode, to: onDisk.inode }, 'file rotated');
      await this.file!.handle.close();
      this.file = undefined;
      await this.open(0);
    } else if (onDisk.size < this.readPosition) {
      await this.flushPartial();
      this.options.logger.warn({ path: this.options.path, size: onDisk.size, offset: this.offset }, 'file truncated');
      await this.moveTo(0);
    }
  }

  /**
   * Opens the file at the path at `startOffset`, else where the checkpoint or `startAt` says; false
   * while there is no file.
   */
  private async open(startOffset?: number): Promise<boolean> {
    const { path, checkpointFile, startAt, logger } = this.options;
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!this.missingLogged) logger.warn({ path }, 'file to tail does not exist yet');
      this.missingLogged = true;
      return false;
    }
    this.missingLogged = false;
    const stats = await handle.stat({ bigint: true });
    const inode = stats.ino.toString();
    const size = Number(stats.size);
    this.file = { handle, inode };
    const saved = startOffset === undefined ? await readCheckpoint(checkpointFile) : undefined;
    let offset: number;
    if (startOffset !== undefined) {
      offset = startOffset;
    } else if (saved?.inode === inode && saved.offset <= size) {
      offset = saved.offset;
    } else if (saved) {
      // Rotated or truncated while we were not running: this file is new to us.
      logger.warn(
        { path, checkpoint: saved, inode, size },
        'file changed since the checkpoint; reading it from the start',
      );
      offset = 0;
    } else {
      offset = startAt === 'end' ? await this.lineStartBefore(size) : 0;
    }
    await this.moveTo(offset);
    return true;
  }

  /** The start of the line being written at `position`, so starting at the end never begins mid-line. */
  private async lineStartBefore(position: number): Promise<number> {
    const from = Math.max(0, position - this.options.batchBytes);
    const block = Buffer.alloc(position - from);
    const { bytesRead } = await this.file!.handle.read(block, 0, block.length, from);
    const newline = block.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    return newline === -1 ? (from === 0 ? 0 : position) : from + newline + 1;
  }

  private async moveTo(offset: number): Promise<void> {
    this.offset = offset;
    this.partial = Buffer.alloc(0);
    await writeCheckpoint(this.options.checkpointFile, { inode: this.file!.inode, offset });
  }

  /** Reads to the end of the open file, one batch at a time, checkpointing after each. */
  private async drain(): Promise<void> {
    const { handle, inode } = this.file!;
    while (!this.stopping) {
      const chunk = Buffer.allocUnsafe(this.options.batchBytes);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.readPosition);
      if (bytesRead === 0) return;
      const bytes = Buffer.concat([this.partial, chunk.subarray(0, bytesRead)]);
      const end = bytes.lastIndexOf(NEWLINE) + 1;
      if (end === 0) {
        // A line longer than a batch: keep reading until its newline.
        this.partial = bytes;
        continue;
      }
      const lines: TailLine[] = [];
      for (let start = 0; start < end;) {
        const newline = bytes.indexOf(NEWLINE, start);
        let line = bytes.subarray(start, newline);
        if (line.at(-1) === CARRIAGE_RETURN) line = line.subarray(0, -1);
        // Blank lines carry nothing to lose.
        if (line.toString('utf8').trim() !== '') {
          lines.push({ bytes: line, origin: fileOrigin(inode, this.offset + start), complete: true });
        }
        start = newline + 1;
      }
      if (lines.length > 0) await this.options.handle(lines);
      this.offset += end;
      this.partial = bytes.subarray(end);
      await writeCheckpoint(this.options.checkpointFile, { inode, offset: this.offset });
    }
  }

  /** Hands over the unterminated rest of a file whose newline will never come. */
  private async flushPartial(): Promise<void> {
    if (this.partial.length === 0) return;
    const { inode } = this.file!;
    await this.options.handle([{ bytes: this.partial, origin: fileOrigin(inode, this.offset), complete: false }]);
    this.offset += this.partial.length;
    this.partial = Buffer.alloc(0);
    await writeCheckpoint(this.options.checkpointFile, { inode, offset: this.offset });
  }
}
