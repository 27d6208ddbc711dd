// Auditors' verifiable exports (auditors only): every event a query matches in a time range, streamed
// as CSV or NDJSON, with a manifest signed by the API's Ed25519 key that `sentrail verify-export`
// checks offline. The manifest of an export is stored when its last byte is produced, before the
// response ends, so it can be fetched as soon as the download has finished.
import { aliases } from '@sentrail/lib/elastic';
import type { RouteGroup } from '../app.js';
import type { Role } from '../auth/roles.js';
import { ExportRecords, manifestOf } from '../exports/export-records.js';
import { Exporter, type ExportEnd } from '../exports/exporter.js';
import { EXPORT_FORMATS, type ExportFormat } from '../exports/manifest.js';
import { ensureSigningKey } from '../exports/signing-key.js';
import { answerBadRequests, BadRequestError, errorSchema, QueryError } from '../query/bad-request.js';
import { checkTimeRange } from '../query/time-range.js';
import { translateQuery } from '../query/translate.js';
import { replyError } from './reply-error.js';

const AUDITORS: readonly Role[] = ['auditor'];

/** Events per Elasticsearch request: large enough for throughput, small enough that two pages stay small. */
export const EXPORT_PAGE_SIZE = 5000;

const dateTime = { type: 'string', format: 'date-time' } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

const exportStart = {
  id: { type: 'string', format: 'uuid' },
  query: { type: 'string' },
  range: {
    type: 'object',
    properties: { from: dateTime, to: dateTime },
    required: ['from', 'to'],
  },
  format: { type: 'string', enum: EXPORT_FORMATS },
  requester: {
    type: 'object',
    properties: { key_id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
    required: ['key_id', 'name', 'role'],
  },
  started_at: dateTime,
} as const;

const manifest = {
  type: 'object',
  description: 'The signed manifest: `signature` is Ed25519 over the canonical JSON (keys sorted) of every other field',
  properties: {
    ...exportStart,
    completed_at: dateTime,
    rows: { type: 'integer' },
    sha256,
    public_key_sha256: sha256,
    signature: { type: 'string', contentEncoding: 'base64' },
  },
  required: [...Object.keys(exportStart), 'completed_at', 'rows', 'sha256', 'public_key_sha256', 'signature'],
} as const;

interface ExportBody {
  query: string;
  from: string;
  to: string;
  format: ExportFormat;
}

/** Elasticsearch refused the request itself (a query it cannot run), rather than failing. */
const refusedByElastic = (failure: unknown) => (failure as { meta?: { statusCode?: number } }).meta?.statusCode === 400;

function queryOfBody(query: string) {
  try {
    return translateQuery(query);
  } catch (error) {
    if (error instanceof QueryError) throw new QueryError(`body/query: ${error.message}`, error.position);
    throw error;
  }
}

export interface ExportRoutesOptions {
  /** Events per Elasticsearch request; tests make it small to cross page boundaries. */
  pageSize?: number;
}

export function createExportRoutes({ pageSize = EXPORT_PAGE_SIZE }: ExportRoutesOptions = {}): RouteGroup {
  return async (app, { deps }) => {
    const { config, elastic, logger } = deps;
    const prefix = config.elasticsearch.indexPrefix;
    // Created on the API's first start, so the public key can be handed out before any export.
    const key = await ensureSigningKey(config.api.signingKeyFile);
    const records = new ExportRecords(elastic, prefix);
    const exporter = new Exporter({ elastic, records, key, logger, index: aliases(prefix).events, pageSize });
    answerBadRequests(app);

    app.post<{ Body: ExportBody }>(
      '/v1/exports',
      {
        config: { roles: AUDITORS },
        schema: {
          summary: 'Export every event the query matches in [from, to), oldest first, as CSV or NDJSON',
          description:
            'The body is streamed; `x-sentrail-export-id` names the export, whose signed manifest ' +
            '(GET /v1/exports/{id}/manifest) is stored by the time the body ends. CSV columns: ' +
            'the PCI DSS 10.2.2 elements (see services/api/src/exports/export-formats.ts); NDJSON: ' +
            'the whole ECS document per line.',
          tags: ['exports'],
          body: {
            type: 'object',
            properties: {
              query: {
                type: 'string',
                description: 'in the search query language (as /v1/search); empty: every event',
              },
              from: { ...dateTime, description: 'inclusive' },
              to: { ...dateTime, description: 'exclusive; later than from' },
              format: { type: 'string', enum: EXPORT_FORMATS },
            },
            required: ['query', 'from', 'to', 'format'],
            additionalProperties: false,
          },
          response: {
            200: {
              description: 'The export file, streamed',
              headers: {
                'x-sentrail-export-id': { type: 'string', format: 'uuid' },
                'content-disposition': { type: 'string' },
              },
              content: {
                'text/csv': { schema: { type: 'string' } },
                'application/x-ndjson': { schema: { type: 'string' } },
              },
            },
            400: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const { query, format } = request.body;
        request.audit = { query };
        // The same query language and range rules as search: a fault answers 400 with where it is.
        const range = checkTimeRange(request.body.from, request.body.to, 'body');
        const translated = queryOfBody(query);
        // Called before the response ends when the export completes, so the access record has it all.
        const onEnd = ({ rows, sha256: digest, complete }: ExportEnd) => {
          request.audit = complete ? { query, rows, export: { format, sha256: digest } } : { query, rows };
        };
        let started;
        try {
          started = await exporter.start(
            {
              query,
              translated,
              range,
              format,
              requester: request.principal!,
            },
            onEnd,
          );
        } catch (failure) {
          if (refusedByElastic(failure)) throw new BadRequestError('body/query cannot be run on the events');
          throw Object.assign(new Error('Elasticsearch failed to start the export', { cause: failure }), {
            statusCode: 503,
          });
        }
        return reply
          .header('content-type', started.contentType)
          .header('content-disposition', `attachment; filename="${started.filename}"`)
          .header('x-sentrail-export-id', started.id)
          .header('cache-control', 'no-store')
          .send(started.body);
      },
    );

    app.get(
      '/v1/exports/public-key',
      {
        config: { roles: AUDITORS },
        schema: {
          summary: 'The public key export manifests are signed with, to keep for verifying exports offline',
          tags: ['exports'],
          response: {
            200: {
              type: 'object',
              properties: {
                pem: { type: 'string', description: 'SPKI PEM' },
                sha256: { ...sha256, description: "SHA-256 of the key's SPKI DER: public_key_sha256 in manifests" },
              },
              required: ['pem', 'sha256'],
            },
          },
        },
      },
      async () => ({ pem: key.publicKeyPem, sha256: key.publicKeySha256 }),
    );

    app.get<{ Params: { id: string } }>(
      '/v1/exports/:id/manifest',
      {
        config: { roles: AUDITORS },
        schema: {
          summary: "An export's signed manifest",
          description:
            '200: the manifest of a complete export. 202: the export is still streaming (or its API ' +
            'stopped before the end). 409: the export was cut short and has no manifest. 404: no such export.',
          tags: ['exports'],
          params: {
            type: 'object',
            properties: { id: { type: 'string', format: 'uuid' } },
            required: ['id'],
          },
          response: {
            200: manifest,
            202: {
              type: 'object',
              properties: {
                id: exportStart.id,
                status: { type: 'string', enum: ['running'] },
                started_at: dateTime,
              },
              required: ['id', 'status', 'started_at'],
            },
            400: errorSchema,
            404: errorSchema,
            409: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const record = await records.get(id);
        if (!record) return replyError(reply, 404, `no export has the id ${id}`);
        if (record.status === 'running')
          return reply.code(202).send({ id, status: record.status, started_at: record.started_at });
        if (record.status === 'aborted')
          return replyError(
            reply,
            409,
            `export ${id} has no manifest: it stopped after ${record.rows} rows (${record.reason})`,
          );
        return manifestOf(record);
      },
    );
  };
}

export const exportRoutes: RouteGroup = createExportRoutes();
