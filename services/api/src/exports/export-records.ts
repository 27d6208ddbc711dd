// Where exports are recorded (`<prefix>-exports`, one document per export, by its id): `running` as
// soon as it starts, so that even an export cut short by a crash leaves a trace; `complete` with the
// signed manifest once every byte was produced; `aborted` with the rows produced when the client left
// or a server failed. Only a complete export has a manifest: nothing signed ever describes a file that
// was not produced whole.
import { aliases, type ElasticClient } from '@sentrail/lib/elastic';
import type { ExportManifest, ManifestContent } from './manifest.js';

type ExportStart = Omit<ManifestContent, 'completed_at' | 'rows' | 'sha256'>;

export type ExportRecord =
  | (ExportStart & { status: 'running' })
  | (ExportStart & { status: 'aborted'; ended_at: string; rows: number; reason: string })
  | (ExportManifest & { status: 'complete' });

export class ExportRecords {
  private readonly index: string;

  constructor(
    private readonly client: ElasticClient,
    prefix: string,
  ) {
    // One index behind the alias, as for API keys: a few documents a day, kept as long as the trail.
    this.index = `${aliases(prefix).exports}-000001`;
  }

  async running(start: ExportStart): Promise<void> {
    await this.client.create({ index: this.index, id: start.id, document: { ...start, status: 'running' } });
  }

  async complete(manifest: ExportManifest): Promise<void> {
    await this.write({ ...manifest, status: 'complete' });
  }

  async aborted(start: ExportStart, rows: number, reason: string): Promise<void> {
    await this.write({ ...start, status: 'aborted', ended_at: new Date().toISOString(), rows, reason });
  }

  async get(id: string): Promise<ExportRecord | undefined> {
    const found = await this.client.get<ExportRecord>({ index: this.index, id }).catch((error: unknown) => {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return undefined;
      throw error;
    });
    return found?._source;
  }

  private async write(record: ExportRecord): Promise<void> {
    await this.client.index({ index: this.index, id: record.id, document: record });
  }
}

/** The manifest of a complete export, as it was signed: without the record's own status. */
export function manifestOf(record: ExportManifest & { status: 'complete' }): ExportManifest {
  const manifest: Partial<typeof record> = { ...record };
  delete manifest.status;
  return manifest as ExportManifest;
}
