// The analysts' and auditors' search of the events: a page of hits (with a cursor for the next, as
// deep as needed), counts of a field's values, a histogram over time, and one event in full. The
// query is the language of query/parser.ts, translated and restricted before Elasticsearch sees it.
import type { estypes } from '@elastic/elasticsearch';
import { aliases } from '@sentrail/lib/elastic';
import type { RouteGroup } from '../app.js';
import { READERS } from '../auth/roles.js';
import { answerBadRequests, BadRequestError, errorSchema } from '../query/bad-request.js';
import { EVENT_FIELDS } from '../query/fields.js';
import {
  checkPaging,
  CURSOR_LIFETIME_MINUTES,
  readPage,
  resumeCursor,
  type PagedSearch,
  type SortField,
} from '../query/pages.js';
import { checkTimeRange } from '../query/time-range.js';
import { translateQuery } from '../query/translate.js';
import { replyError } from './reply-error.js';

const QUERY_DESCRIPTION =
  'KQL-like: field:value, field:"a phrase", bare values (searched in the usual fields), wildcards * and ? ' +
  '(keyword and text fields, case-insensitive), ranges (field >= 10, field < 2026-11-28, field:[a TO b]), ' +
  'field:* (exists), AND, OR, NOT, parentheses, \\ to escape. Empty: every event. ' +
  'Syntax in services/api/src/query/parser.ts.';

const DEFAULT_SIZE = 100;
const DEFAULT_SORT: SortField[] = [{ field: '@timestamp', order: 'desc' }];
/** A search's hits leave out the original record, which can be large; the event's own route has it. */
const HIT_SOURCE: estypes.SearchSourceConfig = { excludes: ['event.original'] };

/** Histogram intervals, and how long each is. */
const INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '3h': 10_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '7d': 604_800_000,
} as const;
type Interval = keyof typeof INTERVALS;
/** Without an interval, the finest that gives at most this many buckets. */
const DEFAULT_BUCKETS = 120;
const MAX_BUCKETS = 1000;

/** A terms bucket: keys are numbers for number, boolean and date fields, strings otherwise. */
interface CountBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
}

interface SearchParams {
  query: string;
}

interface SearchBody {
  query: string;
  from?: string;
  to?: string;
  size: number;
  sort: SortField[];
  cursor?: string;
}

interface AggregationBody {
  query: string;
  from: string;
  to: string;
}

const queryText = { type: 'string', default: '', description: QUERY_DESCRIPTION } as const;
const time = (description: string) => ({ type: 'string', format: 'date-time', description }) as const;
const range = {
  from: time('Inclusive: events at or after'),
  to: time('Exclusive: events before'),
} as const;
const document = { type: 'object', additionalProperties: true } as const;

function checkSearchParams(params: unknown): SearchParams {
  const query = (params as Partial<SearchParams> | null)?.query;
  if (typeof query !== 'string') throw new BadRequestError('it has no query');
  return { query };
}

/** The events matching a query in a time range, for counts and histograms. */
function matching(body: AggregationBody): estypes.QueryDslQueryContainer {
  const { from, to } = checkTimeRange(body.from, body.to, 'body');
  return { bool: { filter: [translateQuery(body.query), { range: { '@timestamp': { gte: from, lt: to } } }] } };
}

function histogramInterval(body: AggregationBody & { interval?: Interval }): Interval {
  const spanMs = new Date(body.to).getTime() - new Date(body.from).getTime();
  // One more than fits in the span: buckets start on whole intervals, not at `from`.
  const buckets = (interval: Interval) => Math.ceil(spanMs / INTERVALS[interval]) + 1;
  if (body.interval === undefined)
    return (Object.keys(INTERVALS) as Interval[]).find((interval) => buckets(interval) <= DEFAULT_BUCKETS) ?? '7d';
  if (buckets(body.interval) > MAX_BUCKETS)
    throw new BadRequestError(`body/interval ${body.interval} makes more than ${MAX_BUCKETS} buckets of this range`);
  return body.interval;
}

export const searchRoutes: RouteGroup = async (app, { deps }) => {
  const { elastic, config } = deps;
  const index = aliases(config.elasticsearch.indexPrefix).events;
  const { maxPageSize } = config.api;
  answerBadRequests(app);

  const newSearch = (body: SearchBody): PagedSearch<SearchParams> => ({
    scope: 'search',
    params: { query: body.query },
    ...checkPaging(body, 'body', maxPageSize),
  });

  app.post<{ Body: SearchBody }>(
    '/v1/search',
    {
      config: { roles: READERS },
      schema: {
        summary: 'Search the events: a page of hits, and a cursor for the next page',
        description:
          'Without a cursor, from and to are required. With a cursor (from the previous page), nothing else is ' +
          'needed and anything else is ignored: the cursor carries the query, range, size and sort. The last ' +
          `page has no cursor; a cursor expires ${CURSOR_LIFETIME_MINUTES} minutes after its page. Hits leave out ` +
          'event.original.',
        tags: ['search'],
        body: {
          type: 'object',
          properties: {
            query: queryText,
            ...range,
            size: { type: 'integer', minimum: 1, maximum: maxPageSize, default: DEFAULT_SIZE },
            sort: {
              type: 'array',
              minItems: 1,
              maxItems: 3,
              default: DEFAULT_SORT,
              description: 'Keyword, ip, date or number fields; default @timestamp desc (ties in a stable order)',
              items: {
                type: 'object',
                properties: {
                  field: { type: 'string' },
                  order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
                },
                required: ['field'],
                additionalProperties: false,
              },
            },
            cursor: { type: 'string', minLength: 1, description: "The previous page's cursor" },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              hits: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, document },
                  required: ['id', 'document'],
                },
              },
              cursor: { type: 'string', description: 'For the next page; absent on the last' },
            },
            required: ['total', 'hits'],
          },
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const { body } = request;
      const { search, position } = body.cursor
        ? resumeCursor(body.cursor, 'search', maxPageSize, checkSearchParams)
        : { search: newSearch(body), position: undefined };
      const query = translateQuery(search.params.query);
      const page = await readPage(elastic, index, search, query, { position, source: HIT_SOURCE });
      request.audit = { query: search.params.query, rows: page.hits.length };
      return page;
    },
  );

  app.post<{ Body: AggregationBody & { field: string; size: number } }>(
    '/v1/search/counts',
    {
      config: { roles: READERS },
      schema: {
        summary: "The commonest values of a field among the events a query matches, with each value's count",
        tags: ['search'],
        body: {
          type: 'object',
          properties: {
            query: queryText,
            ...range,
            field: { type: 'string', description: 'A keyword, ip, number, boolean or date field' },
            size: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
          required: ['from', 'to', 'field'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              field: { type: 'string' },
              buckets: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { value: { type: ['string', 'number', 'boolean'] }, count: { type: 'integer' } },
                  required: ['value', 'count'],
                },
              },
              other: { type: 'integer', description: 'Events with a value not among the buckets' },
            },
            required: ['field', 'buckets', 'other'],
          },
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const { body } = request;
      const field = EVENT_FIELDS.get(body.field);
      if (!field?.aggregatable)
        throw new BadRequestError(
          `body/field: '${body.field}' is not a keyword, ip, number, boolean or date field of the events`,
        );
      const response = await elastic.search<
        unknown,
        { values: { buckets: CountBucket[]; sum_other_doc_count: number } }
      >({
        index,
        ignore_unavailable: true,
        size: 0,
        track_total_hits: false,
        query: matching(body),
        aggs: { values: { terms: { field: field.name, size: body.size } } },
      });
      const values = response.aggregations?.values;
      const buckets = values?.buckets ?? [];
      const value = (bucket: CountBucket) => {
        if (field.type === 'boolean') return bucket.key_as_string === 'true';
        return field.type === 'date' ? bucket.key_as_string! : bucket.key;
      };
      request.audit = { query: body.query, rows: buckets.length };
      return {
        field: field.name,
        buckets: buckets.map((bucket) => ({ value: value(bucket), count: bucket.doc_count })),
        other: values?.sum_other_doc_count ?? 0,
      };
    },
  );

  app.post<{ Body: AggregationBody & { interval?: Interval } }>(
    '/v1/search/histogram',
    {
      config: { roles: READERS },
      schema: {
        summary: 'How many events a query matches, per interval of time',
        description: `Without an interval, the finest giving at most ${DEFAULT_BUCKETS} buckets; empty intervals are counted as 0. Buckets start on whole intervals (UTC).`,
        tags: ['search'],
        body: {
          type: 'object',
          properties: {
            query: queryText,
            ...range,
            interval: { type: 'string', enum: Object.keys(INTERVALS) },
          },
          required: ['from', 'to'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              interval: { type: 'string' },
              buckets: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { time: { type: 'string', format: 'date-time' }, count: { type: 'integer' } },
                  required: ['time', 'count'],
                },
              },
            },
            required: ['interval', 'buckets'],
          },
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const { body } = request;
      const query = matching(body);
      const interval = histogramInterval(body);
      const response = await elastic.search<unknown, { times: estypes.AggregationsDateHistogramAggregate }>({
        index,
        ignore_unavailable: true,
        size: 0,
        track_total_hits: false,
        query,
        aggs: {
          times: {
            date_histogram: {
              field: '@timestamp',
              fixed_interval: interval,
              min_doc_count: 0,
              extended_bounds: { min: new Date(body.from).getTime(), max: new Date(body.to).getTime() - 1 },
            },
          },
        },
      });
      const buckets = (response.aggregations?.times.buckets as estypes.AggregationsDateHistogramBucket[]) ?? [];
      request.audit = { query: body.query, rows: buckets.length };
      return {
        interval,
        buckets: buckets.map((bucket) => ({ time: new Date(bucket.key).toISOString(), count: bucket.doc_count })),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/events/:id',
    {
      config: { roles: READERS },
      schema: {
        summary: 'One event in full, original record included',
        tags: ['search'],
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 1024 } },
          required: ['id'],
        },
        response: {
          200: { type: 'object', properties: { id: { type: 'string' }, document }, required: ['id', 'document'] },
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const response = await elastic.search<Record<string, unknown>>({
        index,
        ignore_unavailable: true,
        size: 1,
        query: { term: { 'event.id': id } },
      });
      const hit = response.hits.hits[0];
      request.audit = { query: `event.id:${JSON.stringify(id)}`, rows: hit ? 1 : 0 };
      if (!hit) return replyError(reply, 404, `no event has the id ${JSON.stringify(id)}`);
      return { id: hit._id!, document: hit._source ?? {} };
    },
  );
};
