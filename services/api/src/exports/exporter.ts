// One export from start to end: the events read (event-pages), streamed in the chosen format
// (export-stream), recorded as running, then complete with its signed manifest or aborted
// (export-records).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { estypes } from '@elastic/elasticsearch';
import type { ElasticClient } from '@sentrail/lib/elastic';
import type { Logger } from '@sentrail/lib/logger';
import type { Principal } from '../auth/roles.js';
import { EventPages } from './event-pages.js';
import { CONTENT_TYPES, exportFields } from './export-formats.js';
import type { ExportRecords } from './export-records.js';
import { exportStream, type ExportResult } from './export-stream.js';
import { signManifest, type ExportFormat } from './manifest.js';
import type { SigningKey } from './signing-key.js';

export interface ExportRequest {
  /** As the auditor wrote it: what the manifest records. */
  query: string;
  /** The same query translated for Elasticsearch. */
  translated: estypes.QueryDslQueryContainer;
  /** ISO 8601 UTC. */
  range: { from: string; to: string };
  format: ExportFormat;
  requester: Principal;
}

export interface StartedExport {
  id: string;
  filename: string;
  contentType: string;
  body: Readable;
}

/** How an export ended: complete (its manifest stored) or not, with what was produced. */
export type ExportEnd = ExportResult & { complete: boolean };

export interface ExporterOptions {
  elastic: ElasticClient;
  records: ExportRecords;
  key: SigningKey;
  logger: Logger;
  /** The events alias. */
  index: string;
  /** Events per Elasticsearch request. */
  pageSize: number;
}

export class Exporter {
  constructor(private readonly options: ExporterOptions) {}

  /**
   * Reads the first page and records the export as running; throws before anything is streamed if
   * either fails. `onEnd` learns how it ended, before the response ends when it completes.
   */
  async start(request: ExportRequest, onEnd: (end: ExportEnd) => void): Promise<StartedExport> {
    const { elastic, records, key, logger, index, pageSize } = this.options;
    const { query, translated, range, format, requester } = request;
    const start = {
      id: randomUUID(),
      query,
      range,
      format,
      requester: { key_id: requester.keyId, name: requester.name, role: requester.role },
      started_at: new Date().toISOString(),
    };
    const pages = await EventPages.open(elastic, {
      index,
      query: translated,
      range,
      pageSize,
      fields: exportFields(format),
    });
    try {
      await records.running(start);
    } catch (error) {
      await pages.close();
      throw error;
    }
    const body = exportStream({
      pages,
      format,
      onComplete: async (result) => {
        const manifest = signManifest(
          { ...start, completed_at: new Date().toISOString(), rows: result.rows, sha256: result.sha256 },
          key,
        );
        await records.complete(manifest);
        onEnd({ ...result, complete: true });
      },
      onAbort: (result, error) => {
        const clientLeft = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
        if (!clientLeft) logger.error({ err: error, export: start.id }, 'export failed');
        const reason = clientLeft
          ? 'the client closed the connection before the end'
          : 'the export failed on the server; see the API log';
        records.aborted(start, result.rows, reason).catch((recordError: unknown) => {
          logger.error({ err: recordError, export: start.id }, 'cannot record the aborted export');
        });
        onEnd({ ...result, complete: false });
      },
    });
    return {
      id: start.id,
      filename: `sentrail-export-${start.id}.${format}`,
      contentType: CONTENT_TYPES[format],
      body,
    };
  }
}
