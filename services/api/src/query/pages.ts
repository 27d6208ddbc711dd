// Page after page of events, however deep: a point in time (one consistent view of the indices for
// the whole walk) and search_after (where the last page ended). The cursor handed out with a page
// carries all the next page needs — the point in time, where to resume, and the search itself — as
// deflated JSON in base64url. It is not trusted: everything in it is checked again as if the client
// had sent it, and the route rebuilds its query from the text it holds (never from DSL). The point in
// time is closed once the last page is served; an abandoned one expires after KEEP_ALIVE.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { estypes } from '@elastic/elasticsearch';
import type { ElasticClient } from '@sentrail/lib/elastic';
import { BadRequestError } from './bad-request.js';
import { EVENT_FIELDS } from './fields.js';
import { checkTimeRange, type TimeRange } from './time-range.js';

export type SortOrder = 'asc' | 'desc';

export interface SortField {
  field: string;
  order: SortOrder;
}

/** What a page is made of, whichever page it is: it travels in the cursor. */
export interface PagedSearch<P> extends TimeRange {
  /** The route's search: a cursor resumes only a search of the kind it came from. */
  scope: string;
  /** What the route builds its query from, e.g. a search's query text, a trail's kind and value. */
  params: P;
  size: number;
  sort: SortField[];
}

/** Where a walk stands after a page. */
export interface Position {
  pit: string;
  after: SortValue[];
  /** Hits served so far: once it reaches the total, that was the last page. */
  seen: number;
}

type SortValue = string | number | null;

export interface Hit {
  id: string;
  document: Record<string, unknown>;
}

export interface Page {
  total: number;
  hits: Hit[];
  /** Absent on the last page. */
  cursor?: string;
}

/** Long enough for an analyst to read a page before asking for the next. */
export const CURSOR_LIFETIME_MINUTES = 5;
const KEEP_ALIVE = `${CURSOR_LIFETIME_MINUTES}m`;
const CURSOR_VERSION = 1;
/** Far more than any cursor this API hands out; stops a small cursor inflating into a huge one. */
const MAX_CURSOR_BYTES = 4 * 1024 * 1024;
/**
 * Missing dates and numbers sort at Long.MIN/MAX_VALUE, which a JavaScript number cannot carry
 * back in search_after; these keep them last and exact.
 */
const MISSING_LAST = { asc: Number.MAX_SAFE_INTEGER, desc: -Number.MAX_SAFE_INTEGER };

/** Fields a page can be sorted on: keyword, ip, date and long fields with doc values. */
export function isSortable(name: string): boolean {
  const field = EVENT_FIELDS.get(name);
  return field !== undefined && field.aggregatable && field.type !== 'boolean';
}

/** The checks every page request passes, fresh or from a cursor; `where` prefixes the messages. */
export function checkPaging(
  input: { from?: unknown; to?: unknown; size?: unknown; sort?: unknown },
  where: string,
  maxPageSize: number,
): TimeRange & { size: number; sort: SortField[] } {
  const range = checkTimeRange(input.from, input.to, where);
  const { size, sort } = input;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxPageSize)
    throw new BadRequestError(`${where}/size must be a whole number from 1 to ${maxPageSize}`);
  if (!Array.isArray(sort) || sort.length === 0) throw new BadRequestError(`${where}/sort must name a field`);
  sort.forEach((entry: Partial<SortField>, i) => {
    if (typeof entry?.field !== 'string' || !isSortable(entry.field))
      throw new BadRequestError(
        `${where}/sort/${i}/field: '${String(entry?.field)}' is not a keyword, ip, date or number field of the events`,
      );
    if (entry.order !== 'asc' && entry.order !== 'desc')
      throw new BadRequestError(`${where}/sort/${i}/order must be asc or desc`);
  });
  return { ...range, size, sort: (sort as SortField[]).map(({ field, order }) => ({ field, order })) };
}

/**
 * The search and position a cursor holds, checked; `checkParams` checks the route's own part and
 * throws a BadRequestError for what it refuses.
 */
export function resumeCursor<P>(
  cursor: string,
  scope: string,
  maxPageSize: number,
  checkParams: (params: unknown) => P,
): { search: PagedSearch<P>; position: Position } {
  try {
    const content = JSON.parse(
      inflateRawSync(Buffer.from(cursor, 'base64url'), { maxOutputLength: MAX_CURSOR_BYTES }).toString('utf8'),
    ) as Record<string, unknown>;
    if (content['v'] !== CURSOR_VERSION) throw new BadRequestError('it is not a cursor of this API');
    if (content['scope'] !== scope)
      throw new BadRequestError(`it continues a ${String(content['scope'])}, not a ${scope}`);
    const search = { scope, params: checkParams(content['params']), ...checkPaging(content, 'cursor', maxPageSize) };
    const { pit, after, seen } = content;
    if (typeof pit !== 'string' || pit === '') throw new BadRequestError('it has no point in time');
    const sortValue = (value: unknown) => value === null || typeof value === 'string' || typeof value === 'number';
    if (!Array.isArray(after) || after.length !== search.sort.length + 1 || !after.every(sortValue))
      throw new BadRequestError('its search_after does not fit its sort');
    if (typeof seen !== 'number' || !Number.isInteger(seen) || seen < 0)
      throw new BadRequestError('its count is wrong');
    return { search, position: { pit, after, seen } };
  } catch (error) {
    const reason = error instanceof BadRequestError ? `: ${error.message}` : '';
    throw new BadRequestError(`the cursor is garbled${reason}; run the search again without it`);
  }
}

/**
 * One page: the first (no position: opens the point in time) or the next. `query` is the route's
 * own; the time range is added here. `source` limits the fields of each document.
 */
export async function readPage(
  elastic: ElasticClient,
  /** An alias whose indices are named `<alias>-…`, as the events'. */
  index: string,
  search: PagedSearch<unknown>,
  query: estypes.QueryDslQueryContainer,
  options: { position?: Position; source?: estypes.SearchSourceConfig } = {},
): Promise<Page> {
  const { position, source } = options;
  const range = { range: { '@timestamp': { gte: search.from, lt: search.to } } };
  // A point in time names its indices itself: this keeps a forged one from reading any but the alias's.
  const ownIndices = { prefix: { _index: `${index}-` } };
  const pit = position?.pit ?? (await openPit(elastic, index, range));
  let response: estypes.SearchResponse<Record<string, unknown>>;
  try {
    response = await elastic.search<Record<string, unknown>>({
      pit: { id: pit, keep_alive: KEEP_ALIVE },
      size: search.size,
      sort: elasticSort(search.sort),
      ...(position ? { search_after: position.after } : {}),
      track_total_hits: true,
      _source: source ?? true,
      query: { bool: { filter: [query, range, ownIndices] } },
    });
  } catch (error) {
    if (!position) {
      await closePit(elastic, pit);
      throw error;
    }
    throw cursorRefused(error);
  }
  const hits = response.hits.hits;
  const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
  const seen = (position?.seen ?? 0) + hits.length;
  const page = { total, hits: hits.map((hit) => ({ id: hit._id!, document: hit._source ?? {} })) };
  // Elasticsearch may hand out a new id for the same point in time; the latest is the one to use.
  const nextPit = response.pit_id ?? pit;
  const last = hits.at(-1);
  if (!last || hits.length < search.size || seen >= total) {
    await closePit(elastic, nextPit);
    return page;
  }
  const next = { v: CURSOR_VERSION, ...search, pit: nextPit, after: last.sort, seen };
  return { ...page, cursor: deflateRawSync(JSON.stringify(next)).toString('base64url') };
}

/** Only on the indices whose events may fall in the range: it keeps the point in time's id, and the cursor, short. */
async function openPit(elastic: ElasticClient, index: string, range: estypes.QueryDslQueryContainer): Promise<string> {
  const { id } = await elastic.openPointInTime({
    index,
    keep_alive: KEEP_ALIVE,
    index_filter: range,
    // No events index yet: an empty page, not an error.
    ignore_unavailable: true,
  });
  return id;
}

/** A point in time that cannot be closed expires after KEEP_ALIVE anyway. */
async function closePit(elastic: ElasticClient, id: string): Promise<void> {
  await elastic.closePointInTime({ id }).catch(() => undefined);
}

/** A tiebreaker last, so that every hit has its own place and search_after neither skips nor repeats one. */
function elasticSort(sort: SortField[]): estypes.Sort {
  return [
    ...sort.map(({ field, order }) => {
      const type = EVENT_FIELDS.get(field)!.type;
      const missing = type === 'date' || type === 'long' ? { missing: MISSING_LAST[order] } : {};
      return { [field]: { order, ...missing } };
    }),
    { _shard_doc: sort[0]!.order },
  ];
}

/** What Elasticsearch says of a cursor's point in time or position, as the client's fault. */
function cursorRefused(error: unknown): unknown {
  const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
  if (status === 404)
    return new BadRequestError(
      `the cursor has expired (a cursor lasts ${CURSOR_LIFETIME_MINUTES} minutes); run the search again`,
    );
  if (status === 400) return new BadRequestError('the cursor is garbled; run the search again without it');
  return error;
}
