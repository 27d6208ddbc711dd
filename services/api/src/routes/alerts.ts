// Alert handling: list and read alerts (analysts and auditors), and acknowledge, close or assign
// them (analysts). Changes go through the same AlertStore as the correlator's, so the lifecycle's
// rules hold, each change records who and when, and closing requests the close notifications
// (PagerDuty's resolve) the correlator's outbox then delivers.
import type { FastifyReply } from 'fastify';
import { ALERT_STATUSES, LEVELS, type Alert, type AlertStatus, type Level } from '@sentrail/lib/alerts/alert';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { AlertNotFoundError, AlertStateError } from '@sentrail/lib/alerts/errors';
import { AlertExceptions } from '@sentrail/lib/alerts/exceptions';
import { aliases } from '@sentrail/lib/elastic';
import { channelsFor } from '@sentrail/lib/notifiers/notifier';
import { createNotifiers } from '@sentrail/lib/notifiers/registry';
import type { RouteGroup } from '../app.js';
import { READERS, type Role } from '../auth/roles.js';
import { replyError } from './reply-error.js';

const ANALYSTS: readonly Role[] = ['analyst'];
const DEFAULT_PAGE_SIZE = 100;
const NOTE = { type: 'string', maxLength: 4000 } as const;

const text = { type: 'string' } as const;
const strings = { type: 'array', items: text } as const;

const alertSchema = {
  type: 'object',
  properties: {
    '@timestamp': text,
    alert: { type: 'object', properties: { id: text }, required: ['id'] },
    rule: {
      type: 'object',
      properties: { id: text, name: text, severity: { type: 'string', enum: LEVELS } },
      required: ['id', 'name', 'severity'],
    },
    pci_dss: { type: 'object', properties: { requirements: strings } },
    entity: { type: 'object', properties: { type: text, value: text }, required: ['type', 'value'] },
    first_seen: text,
    last_seen: text,
    count: { type: 'integer' },
    evidence: { type: 'object', properties: { event_ids: strings } },
    status: { type: 'string', enum: ALERT_STATUSES },
    status_history: {
      type: 'array',
      items: {
        type: 'object',
        properties: { status: text, by: text, at: text, note: text, assignee: text },
        required: ['status', 'by', 'at'],
      },
    },
    assignee: text,
    notifications: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          channel: text,
          event: text,
          status: text,
          requested_at: text,
          attempts: { type: 'integer' },
          last_attempt: text,
          next_attempt: text,
          error: text,
        },
      },
    },
  },
  required: ['alert', 'rule', 'entity', 'first_seen', 'last_seen', 'count', 'status', 'status_history'],
} as const;

const alertId = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
  required: ['id'],
} as const;

interface ListQuery {
  status?: AlertStatus[];
  severity?: Level[];
  rule?: string;
  entity?: string;
  assignee?: string;
  from?: string;
  to?: string;
  size: number;
  cursor?: string;
}

/** A page's continuation: the last alert's sort values, opaque to the client. */
const encodeCursor = (sort: unknown[]) => Buffer.from(JSON.stringify(sort)).toString('base64url');

function decodeCursor(cursor: string): [number, string] | undefined {
  try {
    const sort: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const valid = Array.isArray(sort) && sort.length === 2;
    return valid && Number.isSafeInteger(sort[0]) && typeof sort[1] === 'string' ? [sort[0], sort[1]] : undefined;
  } catch {
    return undefined;
  }
}

/** The filters of a listing, as Elasticsearch filters; from/to keep the alerts active in that range. */
function filters(query: ListQuery): object[] {
  const { status, severity, rule, entity, assignee, from, to } = query;
  return [
    ...(status ? [{ terms: { status } }] : []),
    ...(severity ? [{ terms: { 'rule.severity': severity } }] : []),
    ...(rule ? [{ term: { 'rule.id': rule } }] : []),
    ...(entity ? [{ term: { 'entity.value': entity } }] : []),
    ...(assignee ? [{ term: { assignee } }] : []),
    ...(from ? [{ range: { last_seen: { gte: from } } }] : []),
    ...(to ? [{ range: { first_seen: { lte: to } } }] : []),
  ];
}

export const alertRoutes: RouteGroup = async (app, { deps }) => {
  const { config, elastic } = deps;
  const prefix = config.elasticsearch.indexPrefix;
  const { alerts: alertsAlias, events: eventsAlias } = aliases(prefix);
  const store = new AlertStore({
    client: elastic,
    prefix,
    suppressionMinutes: config.correlator.alerts.suppressionMinutes,
    channels: channelsFor(createNotifiers(config.correlator.notifiers)),
    exceptions: new AlertExceptions(elastic, prefix),
  });

  /** Runs an alert change; refreshes so the next listing sees it (changes come at a person's pace). */
  async function change(reply: FastifyReply, action: () => Promise<Alert>): Promise<Alert | FastifyReply> {
    try {
      const alert = await action();
      await elastic.indices.refresh({ index: alertsAlias });
      return alert;
    } catch (error) {
      if (error instanceof AlertNotFoundError) return replyError(reply, 404, error.message);
      if (error instanceof AlertStateError) return replyError(reply, 409, error.message);
      throw error;
    }
  }

  app.get<{ Querystring: ListQuery }>(
    '/v1/alerts',
    {
      config: { roles: READERS },
      schema: {
        summary: 'List alerts, newest activity first, a page at a time',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'array', items: { type: 'string', enum: ALERT_STATUSES } },
            severity: { type: 'array', items: { type: 'string', enum: LEVELS } },
            rule: { type: 'string', minLength: 1, maxLength: 512 },
            entity: { type: 'string', minLength: 1, maxLength: 512 },
            assignee: { type: 'string', minLength: 1, maxLength: 512 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            size: {
              type: 'integer',
              minimum: 1,
              maximum: config.api.maxPageSize,
              default: Math.min(DEFAULT_PAGE_SIZE, config.api.maxPageSize),
            },
            cursor: { type: 'string', maxLength: 1000 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              alerts: { type: 'array', items: alertSchema },
              cursor: { type: 'string', description: 'Pass it back as `cursor` for the next page' },
            },
            required: ['total', 'alerts'],
          },
        },
      },
    },
    async (request, reply) => {
      const { query } = request;
      if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to))
        return replyError(reply, 400, 'querystring/from must not be after querystring/to');
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && !after)
        return replyError(reply, 400, 'querystring/cursor is not a cursor this API gave');
      const result = await elastic.search<Alert>({
        index: alertsAlias,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: query.size,
        track_total_hits: true,
        query: { bool: { filter: filters(query) } },
        // Newest activity first; the alert id breaks ties, so search_after never skips nor repeats one.
        sort: [{ last_seen: 'desc' }, { 'alert.id': 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      const { hits } = result.hits;
      request.audit = { rows: hits.length };
      const total = typeof result.hits.total === 'number' ? result.hits.total : (result.hits.total?.value ?? 0);
      const last = hits.at(-1);
      return {
        total,
        alerts: hits.map((hit) => hit._source!),
        ...(hits.length === query.size && last?.sort ? { cursor: encodeCursor(last.sort) } : {}),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/alerts/:id',
    {
      config: { roles: READERS },
      schema: {
        summary: 'An alert with its evidence events; evidence no longer stored is listed as missing',
        tags: ['alerts'],
        params: alertId,
        response: {
          200: {
            type: 'object',
            properties: {
              alert: alertSchema,
              evidence: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: text,
                    document: { type: 'object', additionalProperties: true },
                    missing: { type: 'boolean' },
                  },
                  required: ['id'],
                },
              },
            },
            required: ['alert', 'evidence'],
          },
        },
      },
    },
    async (request, reply) => {
      let alert: Alert;
      try {
        alert = await store.get(request.params.id);
      } catch (error) {
        if (error instanceof AlertNotFoundError) return replyError(reply, 404, error.message);
        throw error;
      }
      const ids = alert.evidence.event_ids;
      const found =
        ids.length === 0
          ? []
          : (
              await elastic.search<Record<string, unknown>>({
                index: eventsAlias,
                ignore_unavailable: true,
                allow_no_indices: true,
                size: ids.length,
                query: { ids: { values: ids } },
              })
            ).hits.hits;
      const documents = new Map(found.map((hit) => [hit._id, hit._source]));
      request.audit = { rows: documents.size };
      const evidence = ids.map((id) => {
        const document = documents.get(id);
        return document ? { id, document } : { id, missing: true };
      });
      return { alert, evidence };
    },
  );

  app.post<{ Params: { id: string }; Body: { note?: string } | null }>(
    '/v1/alerts/:id/acknowledge',
    {
      config: { roles: ANALYSTS },
      schema: {
        summary: 'Acknowledge an open alert',
        tags: ['alerts'],
        params: alertId,
        // The note is optional, and so the body: none at all is validated as null.
        body: { type: ['object', 'null'], properties: { note: NOTE }, additionalProperties: false },
        response: { 200: alertSchema },
      },
    },
    async (request, reply) =>
      change(reply, () => store.acknowledge(request.params.id, request.principal!.name, request.body?.note)),
  );

  app.post<{ Params: { id: string }; Body: { note: string } }>(
    '/v1/alerts/:id/close',
    {
      config: { roles: ANALYSTS },
      schema: {
        summary: 'Close an alert, saying why; notifiers that resolve incidents (PagerDuty) are told',
        tags: ['alerts'],
        params: alertId,
        body: {
          type: 'object',
          properties: { note: { ...NOTE, pattern: '\\S' } },
          required: ['note'],
          additionalProperties: false,
        },
        response: { 200: alertSchema },
      },
    },
    async (request, reply) =>
      change(reply, () => store.close(request.params.id, request.principal!.name, request.body.note)),
  );

  app.post<{ Params: { id: string }; Body: { assignee: string; note?: string } }>(
    '/v1/alerts/:id/assign',
    {
      config: { roles: ANALYSTS },
      schema: {
        summary: 'Assign an alert that is not closed to someone',
        tags: ['alerts'],
        params: alertId,
        body: {
          type: 'object',
          properties: { assignee: { type: 'string', maxLength: 200, pattern: '\\S' }, note: NOTE },
          required: ['assignee'],
          additionalProperties: false,
        },
        response: { 200: alertSchema },
      },
    },
    async (request, reply) =>
      change(reply, () =>
        store.assign(request.params.id, request.body.assignee, request.principal!.name, request.body.note),
      ),
  );
};
