// The search Grafana's Elasticsearch datasource sends for a panel's target (its backend,
// pkg/tsdb/elasticsearch): the time range on the datasource's time field and the target's Lucene
// query as filters, then the bucket aggregations nested in order (a count is their doc_count).
// Tests send it to Elasticsearch to prove a panel gets data, without a Grafana.
export interface TimeRange {
  from: number;
  to: number;
}

/** A bucket aggregation as the generated JSON holds it (the SDK's types, read back as plain strings). */
interface BucketAggregation {
  id: string;
  type: string;
  field?: string;
  settings?: {
    size?: string;
    order?: string;
    orderBy?: string;
    min_doc_count?: string;
    interval?: string;
  };
}

/** What a panel's target holds in the generated JSON. */
export interface ElasticsearchTarget {
  query?: string;
  timeField?: string;
  bucketAggs?: BucketAggregation[];
  metrics?: { id: string; type: string; field?: string }[];
}

export interface ElasticsearchRequest {
  body: Record<string, unknown>;
  /** Fields aggregated on, which must be aggregatable. */
  aggregatedFields: string[];
  /** Fields named in the Lucene query, which must be indexed. */
  queriedFields: string[];
}

/** The single-value metrics the dashboards use besides the count. */
const METRICS = ['avg', 'max', 'min', 'sum'];

const NICE_INTERVALS_MS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400, 604800].map(
  (seconds) => seconds * 1000,
);

/** `auto`: about a thousand points over the range, as Grafana's interval calculation aims for. */
function autoInterval(range: TimeRange): string {
  const wanted = (range.to - range.from) / 1000;
  const chosen = NICE_INTERVALS_MS.find((ms) => ms >= wanted) ?? NICE_INTERVALS_MS.at(-1)!;
  return `${chosen / 1000}s`;
}

/** Field names of a Lucene query: every `name:` not inside quotes. */
export function luceneFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/(?:^|[\s(])([A-Za-z_@][\w.@]*):/g)].map((match) => match[1]!);
}

export function elasticsearchRequest(
  target: ElasticsearchTarget,
  timeField: string,
  range: TimeRange,
): ElasticsearchRequest {
  const query = target.query || '*';
  const aggregatedFields: string[] = [];
  const levels = (target.bucketAggs ?? []).map((bucket): [string, Record<string, unknown>] => {
    const settings = bucket.settings ?? {};
    switch (bucket.type) {
      case 'terms': {
        const orderBy = settings.orderBy === '_term' ? '_key' : (settings.orderBy ?? '_count');
        aggregatedFields.push(bucket.field!);
        return [
          bucket.id,
          {
            terms: {
              field: bucket.field,
              size: Number(settings.size ?? 10) || 500,
              order: { [orderBy]: settings.order ?? 'desc' },
              min_doc_count: Number(settings.min_doc_count ?? 1),
            },
          },
        ];
      }
      case 'date_histogram': {
        const interval = !settings.interval || settings.interval === 'auto' ? autoInterval(range) : settings.interval;
        aggregatedFields.push(bucket.field ?? timeField);
        return [
          bucket.id,
          {
            date_histogram: {
              field: bucket.field ?? timeField,
              fixed_interval: interval,
              min_doc_count: Number(settings.min_doc_count ?? 0),
              extended_bounds: { min: range.from, max: range.to },
              format: 'epoch_millis',
            },
          },
        ];
      }
      default:
        throw new Error(`bucket aggregation ${bucket.type} is not modelled here`);
    }
  });
  // A count is each bucket's doc_count; any other metric is an aggregation in the innermost bucket.
  const metrics: Record<string, unknown> = {};
  for (const metric of target.metrics ?? []) {
    if (metric.type === 'count') continue;
    if (!METRICS.includes(metric.type) || !metric.field) throw new Error(`metric ${metric.type} is not modelled here`);
    aggregatedFields.push(metric.field);
    metrics[metric.id] = { [metric.type]: { field: metric.field } };
  }
  const innermost = Object.keys(metrics).length > 0 ? metrics : undefined;
  // Each level nests inside the one before it.
  const aggs = levels.reduceRight<Record<string, unknown> | undefined>(
    (inner, [id, aggregation]) => ({ [id]: inner ? { ...aggregation, aggs: inner } : aggregation }),
    innermost,
  );
  return {
    body: {
      size: 0,
      track_total_hits: true,
      query: {
        bool: {
          filter: [
            { range: { [timeField]: { gte: range.from, lte: range.to, format: 'epoch_millis' } } },
            { query_string: { query, analyze_wildcard: true } },
          ],
        },
      },
      ...(aggs && { aggs }),
    },
    aggregatedFields,
    queriedFields: luceneFields(query),
  };
}
