// Every event matching a query and time range, in a stable order, read with a point in time (one
// consistent view of the indices however long the export takes) and search_after, a page at a time.
// At most two pages are held: the one being handed out and the next, fetched as the first is consumed.
import { Readable } from 'node:stream';
import type { estypes } from '@elastic/elasticsearch';
import type { ElasticClient } from '@sentrail/lib/elastic';

export interface EventsRequest {
  /** The events alias (or any index pattern). */
  index: string;
  /** The user's query, already translated; combined with the time range. */
  query: estypes.QueryDslQueryContainer;
  /** from <= @timestamp < to. */
  range: { from: string; to: string };
  pageSize: number;
  /** Only these fields of each document; the whole document when absent. */
  fields?: readonly string[];
}

export type EventDocument = Record<string, unknown>;

/**
 * Oldest first; event.id orders events of the same millisecond the same way in every export of the
 * same data (so the same export gives the same bytes), and _shard_doc makes every sort key unique,
 * which search_after needs to neither skip nor repeat an event.
 */
const SORT: estypes.Sort = [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }, { _shard_doc: 'asc' }];

/**
 * A slow client can leave a page unread for a while: long enough not to lose the point in time
 * under an auditor's slow link, short enough that an abandoned one does not stay long.
 */
const KEEP_ALIVE = '5m';

export interface Page {
  hits: EventDocument[];
  /** The sort values of the last hit: where the next page starts. */
  after: estypes.SortResults | undefined;
}

export class EventPages {
  private pitId: string | undefined;
  private first: Page | undefined;

  private constructor(
    private readonly elastic: ElasticClient,
    private readonly request: EventsRequest,
    pitId: string,
  ) {
    this.pitId = pitId;
  }

  /**
   * Opens the point in time and reads the first page, so that a query Elasticsearch refuses fails
   * here, before a response has begun. The caller must close() what it opened.
   */
  static async open(elastic: ElasticClient, request: EventsRequest): Promise<EventPages> {
    const pit = await elastic.openPointInTime({
      index: request.index,
      keep_alive: KEEP_ALIVE,
      // No events index yet is an empty export, not an error.
      ignore_unavailable: true,
    });
    const pages = new EventPages(elastic, request, pit.id);
    try {
      pages.first = await pages.fetch(undefined);
    } catch (error) {
      await pages.close();
      throw error;
    }
    return pages;
  }

  /**
   * The events in order, each made a row by `toRow`, as a stream that reads the next page while its
   * reader takes the current one; closes the point in time when it ends, fails or is destroyed.
   */
  rows(toRow: (document: EventDocument) => unknown): EventRows {
    const first = this.first!;
    this.first = undefined;
    return new EventRows(this, first, toRow);
  }

  /** The page after `page`; none when `page` was short (the last). */
  next(page: Page): Promise<Page> | undefined {
    return page.hits.length < this.request.pageSize ? undefined : this.fetch(page.after);
  }

  /** Idempotent; a point in time that cannot be closed expires after KEEP_ALIVE anyway. */
  async close(): Promise<void> {
    const id = this.pitId;
    if (id === undefined) return;
    this.pitId = undefined;
    await this.elastic.closePointInTime({ id }).catch(() => undefined);
  }

  private async fetch(after: estypes.SortResults | undefined): Promise<Page> {
    const { query, range, pageSize, fields } = this.request;
    const response = await this.elastic.search<EventDocument>({
      pit: { id: this.pitId!, keep_alive: KEEP_ALIVE },
      size: pageSize,
      sort: SORT,
      ...(after ? { search_after: after } : {}),
      track_total_hits: false,
      // A shard that fails must fail the export: partial results would be a file missing rows.
      allow_partial_search_results: false,
      _source: fields ? { includes: [...fields] } : true,
      query: { bool: { filter: [query, { range: { '@timestamp': { gte: range.from, lt: range.to } } }] } },
      // Only what is used: each hit's _index, _id and _score would be a third of what is sent and parsed.
      filter_path: ['pit_id', 'hits.hits._source', 'hits.hits.sort'],
    });
    // Elasticsearch may hand out a new id for the same point in time; the latest is the one to use.
    if (response.pit_id && this.pitId !== undefined) this.pitId = response.pit_id;
    // filter_path leaves out `hits` altogether when there are none.
    const hits = response.hits?.hits ?? [];
    return { hits: hits.map((hit) => hit._source ?? {}), after: hits.at(-1)?.sort };
  }
}

/**
 * Rows pushed one by one from the page at hand (no promise per row: a million rows go through here),
 * with the next page fetched when the reader starts on this one.
 */
export class EventRows extends Readable {
  /** Rows handed to the reader so far. */
  count = 0;
  private at = 0;
  private following: Promise<Page> | undefined;
  /** Between the end of a page and the arrival of the next, when Readable may still call _read. */
  private waiting = false;

  constructor(
    private readonly pages: EventPages,
    private page: Page,
    private readonly toRow: (document: EventDocument) => unknown,
  ) {
    super({ objectMode: true });
  }

  override _read(): void {
    if (this.waiting) return;
    if (this.at === 0 && this.following === undefined) {
      this.following = this.pages.next(this.page);
      // Awaited once this page is read; until then a failure must not count as unhandled.
      this.following?.catch(() => undefined);
    }
    const { hits } = this.page;
    while (this.at < hits.length) {
      this.count += 1;
      if (!this.push(this.toRow(hits[this.at++]!))) return;
    }
    const following = this.following;
    if (following === undefined) {
      this.push(null);
      return;
    }
    this.waiting = true;
    following.then(
      (page) => {
        if (this.destroyed) return;
        this.waiting = false;
        this.following = undefined;
        this.page = page;
        this.at = 0;
        this._read();
      },
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.pages.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}
