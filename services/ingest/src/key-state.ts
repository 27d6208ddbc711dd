import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

interface StateDocument {
  version: 1;
  /** Day (YYYY-MM-DD, UTC) → names done that day, sorted so the file diffs well. */
  days: Record<string, string[]>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The names (S3 keys) a source has finished, grouped by day so the set stays bounded: days that
 * leave the source's window are pruned. Survives restarts in one JSON file, replaced atomically.
 */
export class KeyState {
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    private readonly days: Map<string, Set<string>>,
  ) {}

  /** Loads the file; a missing file is an empty state, an unreadable one an error (never a silent reset). */
  static async load(file: string): Promise<KeyState> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new KeyState(file, new Map());
      throw error;
    }
    let document: StateDocument;
    try {
      document = JSON.parse(text) as StateDocument;
    } catch (error) {
      throw new Error(`state file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (document?.version !== 1 || typeof document.days !== 'object' || document.days === null) {
      throw new Error(`state file ${file} is not a version 1 key state`);
    }
    const days = new Map<string, Set<string>>();
    for (const [day, names] of Object.entries(document.days)) {
      if (!DAY.test(day) || !Array.isArray(names)) throw new Error(`state file ${file}: bad entry for day ${day}`);
      days.set(day, new Set(names));
    }
    return new KeyState(file, days);
  }

  has(day: string, name: string): boolean {
    return this.days.get(day)?.has(name) ?? false;
  }

  add(day: string, name: string): void {
    let names = this.days.get(day);
    if (!names) this.days.set(day, (names = new Set()));
    names.add(name);
  }

  /** Forgets every day before `firstDay` (YYYY-MM-DD); returns the days removed. */
  prune(firstDay: string): string[] {
    const removed = [...this.days.keys()].filter((day) => day < firstDay);
    for (const day of removed) this.days.delete(day);
    return removed;
  }

  dayList(): string[] {
    return [...this.days.keys()].sort();
  }

  /**
   * Writes the state as it is now. Writes never overlap: a call while one is under way waits for it
   * and then writes once for every caller that came meanwhile, so frequent saves cost few writes.
   */
  save(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.writing) {
      this.writing = this.write().finally(() => (this.writing = undefined));
      return this.writing;
    }
    this.queued = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.save();
      });
    return this.queued;
  }

  /** Temp file, fsync, rename: a crash leaves either the old state or the new one, never half of one. */
  private async write(): Promise<void> {
    const document: StateDocument = {
      version: 1,
      days: Object.fromEntries(this.dayList().map((day) => [day, [...this.days.get(day)!].sort()])),
    };
    const text = JSON.stringify(document);
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
  }
}
