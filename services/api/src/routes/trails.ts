// The trail of one user, one resource or one source address: everything it did in a time range,
// oldest first, as the rows PCI DSS 10.2.2 asks an audit log to record — who, what, when, outcome,
// origin, resource. Paged like search (query/pages.ts), with the same cursor.
import { aliases } from '@sentrail/lib/elastic';
import type { RouteGroup } from '../app.js';
import { READERS } from '../auth/roles.js';
import { answerBadRequests, BadRequestError, errorSchema, QueryError } from '../query/bad-request.js';
import { checkPaging, readPage, resumeCursor, type PagedSearch, type SortField } from '../query/pages.js';
import type { QueryNode } from '../query/parser.js';
import { toElasticQuery } from '../query/translate.js';

/** Where each kind of trail looks for its value. */
const TRAIL_FIELDS = {
  user: ['user.name', 'user.id', 'related.user'],
  resource: ['resource.id', 'resource.name'],
  ip: ['source.ip', 'related.ip'],
} as const;
type TrailKind = keyof typeof TRAIL_FIELDS;

interface Trail {
  kind: TrailKind;
  value: string;
}

const SORT: SortField[] = [{ field: '@timestamp', order: 'asc' }];
const ROW_FIELDS = [
  '@timestamp',
  'user.name',
  'user.id',
  'event.action',
  'event.outcome',
  'source.ip',
  'source.address',
  'host.name',
  'resource.type',
  'resource.id',
  'resource.name',
];

const nullable = { type: ['string', 'null'] } as const;
const rowSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    when: { type: 'string' },
    who: { ...nullable, description: 'user.name, else user.id' },
    what: { ...nullable, description: 'event.action' },
    outcome: { ...nullable, description: 'event.outcome' },
    origin: { ...nullable, description: 'source.ip, else source.address, else host.name' },
    resource: { ...nullable, description: 'resource.type and resource.id (else resource.name)' },
  },
  required: ['id', 'when', 'who', 'what', 'outcome', 'origin', 'resource'],
} as const;

/** The value in any of the kind's fields, exactly, type-checked as a query's value would be. */
function trailQuery({ kind, value }: Trail) {
  const term = (name: string): QueryNode => ({
    type: 'term',
    field: { name, position: 0 },
    value: { text: value, position: 0 },
  });
  try {
    return toElasticQuery({ type: 'or', operands: TRAIL_FIELDS[kind].map(term) });
  } catch (error) {
    if (error instanceof QueryError)
      throw new BadRequestError('params/value must be an IP address or CIDR range for an ip trail');
    throw error;
  }
}

function checkTrail(params: unknown): Trail {
  const { kind, value } = (params ?? {}) as Partial<Trail>;
  if (typeof kind !== 'string' || !(kind in TRAIL_FIELDS) || typeof value !== 'string')
    throw new BadRequestError('it is not the cursor of a trail');
  return { kind, value };
}

function field(document: Record<string, unknown>, path: string): string | null {
  let value: unknown = document;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : null;
}

function row(id: string, document: Record<string, unknown>) {
  const resource = [
    field(document, 'resource.type'),
    field(document, 'resource.id') ?? field(document, 'resource.name'),
  ];
  return {
    id,
    when: field(document, '@timestamp') ?? '',
    who: field(document, 'user.name') ?? field(document, 'user.id'),
    what: field(document, 'event.action'),
    outcome: field(document, 'event.outcome'),
    origin: field(document, 'source.ip') ?? field(document, 'source.address') ?? field(document, 'host.name'),
    resource: resource.filter((part) => part !== null).join(' ') || null,
  };
}

export const trailRoutes: RouteGroup = async (app, { deps }) => {
  const { elastic, config } = deps;
  const index = aliases(config.elasticsearch.indexPrefix).events;
  const { maxPageSize } = config.api;
  answerBadRequests(app);

  app.get<{
    Params: Trail;
    Querystring: { from?: string; to?: string; size: number; cursor?: string };
  }>(
    '/v1/trails/:kind/:value',
    {
      config: { roles: READERS },
      schema: {
        summary: 'Everything a user, a resource or a source address did in a time range, oldest first',
        description:
          'user: user.name, user.id or related.user; resource: resource.id or resource.name; ip: source.ip or ' +
          'related.ip (an address or a CIDR range). Rows hold the PCI DSS 10.2.2 elements. Without a cursor, ' +
          'from and to are required; with one, nothing else is needed.',
        tags: ['search'],
        params: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: Object.keys(TRAIL_FIELDS) },
            value: { type: 'string', minLength: 1, maxLength: 1024 },
          },
          required: ['kind', 'value'],
        },
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', format: 'date-time', description: 'Inclusive' },
            to: { type: 'string', format: 'date-time', description: 'Exclusive' },
            size: { type: 'integer', minimum: 1, maximum: maxPageSize, default: 100 },
            cursor: { type: 'string', minLength: 1, description: "The previous page's cursor" },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              value: { type: 'string' },
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              total: { type: 'integer' },
              rows: { type: 'array', items: rowSchema },
              cursor: { type: 'string', description: 'For the next page; absent on the last' },
            },
            required: ['kind', 'value', 'from', 'to', 'total', 'rows'],
          },
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const trail = { kind: request.params.kind, value: request.params.value };
      const { cursor } = request.query;
      const { search, position } = cursor
        ? resumeCursor(cursor, 'trail', maxPageSize, checkTrail)
        : {
            search: {
              scope: 'trail',
              params: trail,
              ...checkPaging({ ...request.query, sort: SORT }, 'querystring', maxPageSize),
            } satisfies PagedSearch<Trail>,
            position: undefined,
          };
      if (search.params.kind !== trail.kind || search.params.value !== trail.value)
        throw new BadRequestError(`the cursor is for the ${search.params.kind} trail of ${search.params.value}`);
      const page = await readPage(elastic, index, search, trailQuery(trail), {
        position,
        source: { includes: ROW_FIELDS },
      });
      request.audit = { query: `trail ${trail.kind} ${trail.value}`, rows: page.hits.length };
      return {
        ...trail,
        from: search.from,
        to: search.to,
        total: page.total,
        rows: page.hits.map((hit) => row(hit.id, hit.document)),
        cursor: page.cursor,
      };
    },
  );
};
