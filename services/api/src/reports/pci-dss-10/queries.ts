// The report's requests to Elasticsearch. Each is sent exactly as it is printed beside its figure
// (method, path with its query string, body), so an auditor who runs it with curl gets the same answer.
import { aliases, type ElasticClient } from '@sentrail/lib/elastic';
import type { Figure, Reproduce } from './report.js';

export interface ElasticRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
}

export interface Answer<T> {
  response: T;
  reproduce: Reproduce;
}

/** The parts of a search response the report reads. */
export interface SearchResponse<Source, Aggregations> {
  hits: { total: { value: number }; hits: { _id: string; _source?: Source }[] };
  aggregations?: Aggregations;
}

export interface TermsBuckets<Sub = object> {
  buckets: ({ key: string; doc_count: number } & Sub)[];
}
export interface MetricValue {
  value: number | null;
  value_as_string?: string;
}

export type Cell = string | number | null;

export const DAY_MS = 86_400_000;

/** A figure's value and unit, with the request (or other source) that gives it. */
export function figure(label: string, value: Figure['value'], reproduce: Reproduce, unit?: string): Figure {
  return { label, value, ...(unit ? { unit } : {}), reproduce };
}

/** Milliseconds as minutes to one decimal: how auditors read response times. */
export const minutes = (ms: number | null | undefined): number | null =>
  ms === null || ms === undefined ? null : Math.round(ms / 6_000) / 10;

/** A part of a whole as a percentage to two decimals; null when there is no whole. */
export const percent = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 100;

/** `n` and the noun, singular or plural as `n` asks: for the sentences auditors read. */
export const quantity = (n: number | string | null, singular: string, plural = `${singular}s`): string =>
  `${n ?? 0} ${Number(n) === 1 ? singular : plural}`;

/** A table's title, saying so when it lists only the first rows of more. */
export const listedTitle = (title: string, listed: number, total: number): string =>
  listed < total ? `${title} (the first ${listed} of ${total})` : title;

/** The report's period and index aliases, and the requests every section sends. */
export class ReportQueries {
  readonly indices: ReturnType<typeof aliases>;

  constructor(
    private readonly elastic: ElasticClient,
    readonly prefix: string,
    readonly range: { from: string; to: string },
    readonly now: Date,
  ) {
    this.indices = aliases(prefix);
  }

  /** `field` inside the period: from inclusive, to exclusive. */
  inRange(field = '@timestamp'): Record<string, unknown> {
    return { range: { [field]: { gte: this.range.from, lt: this.range.to } } };
  }

  /**
   * The UTC days (YYYY-MM-DD) wholly inside the period and already over: the days a daily record
   * can be asked of. A part day at either end, or a day still running, would be judged on hours.
   */
  wholeDays(): string[] {
    const first = Math.ceil(Date.parse(this.range.from) / DAY_MS) * DAY_MS;
    const end = Math.min(Date.parse(this.range.to), this.now.getTime());
    const days: string[] = [];
    for (let day = first; day + DAY_MS <= end; day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
    return days;
  }

  async send<T>(request: ElasticRequest): Promise<Answer<T>> {
    const response = await this.elastic.transport.request<T>({
      method: request.method,
      path: request.path,
      ...(request.body ? { body: request.body } : {}),
    });
    return { response, reproduce: { elasticsearch: request } };
  }

  /** A search with exact totals; a family with no index yet (no reviews ever written) answers empty. */
  search<Source, Aggregations = object>(
    index: string,
    body: Record<string, unknown>,
  ): Promise<Answer<SearchResponse<Source, Aggregations>>> {
    return this.send({
      method: 'POST',
      path: `/${index}/_search?ignore_unavailable=true`,
      body: { track_total_hits: true, ...body },
    });
  }

  /** The number of documents of `index` every filter matches, as a figure. */
  async count(label: string, index: string, filters: Record<string, unknown>[], unit?: string): Promise<Figure> {
    const { response, reproduce } = await this.send<{ count: number }>({
      method: 'POST',
      path: `/${index}/_count?ignore_unavailable=true`,
      body: { query: { bool: { filter: filters } } },
    });
    return figure(label, response.count, reproduce, unit);
  }
}
