// An analyst's search at scale: synthetic events (1,000,000 unless `--records N`) in
// Elasticsearch, searched through the API (app.inject: parsing, checks, point in time, first page of
// 100) with queries of the shapes analysts write. Each query's latency, p50 and p95, against the
// same Elasticsearch query sent straight to Elasticsearch in the same run: the limit, and the ratio
// says what the API adds. Figures go to bench/results/api-search.json.
import { translateQuery } from '@sentrail/api/dist/query/translate.js';
import { searchRoutes } from '@sentrail/api/dist/routes/search.js';
import { startTestApi } from '@sentrail/api/dist/testing.js';
import { aliases } from '@sentrail/lib/elastic';
import { seedEvents } from './lib/seed-events.js';
import { corpusSize } from './lib/corpus-size.js';
import { writeResult } from './lib/report.js';

const EVENTS = corpusSize(1_000_000);
const RUNS = Number(process.env['BENCH_SEARCH_RUNS'] ?? 30);
const SIZE = 100;

/** Shapes analysts write, on values the seeded corpus has. */
const QUERIES = [
  '',
  'user.name:user-42',
  'event.action:Get* AND event.outcome:failure',
  'NOT event.outcome:success AND (event.action:ConsoleLogin OR event.action:CreateAccessKey)',
  'source.ip:198.51.100.0/28',
  'cloud.region:eu-west-1 AND pci_dss.requirements:10.2.1.4',
  'resource.type:"AWS::IAM::User"',
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50_ms: percentile(sorted, 0.5), p95_ms: percentile(sorted, 0.95) };
};
const round = (value: number) => Math.round(value * 100) / 100;

const api = await startTestApi([searchRoutes]);
try {
  console.log(`seeding ${EVENTS} events under ${api.prefix}`);
  const seeded = await seedEvents(api.deps.elastic, api.prefix, { count: EVENTS });
  const authorization = `Bearer ${await api.keyFor('analyst')}`;
  const { events } = aliases(api.prefix);

  const viaApi = async (query: string) => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: { authorization },
      payload: { query, ...seeded.range, size: SIZE },
    });
    if (response.statusCode !== 200) throw new Error(`'${query}' answered ${response.statusCode}: ${response.body}`);
    return response.json<{ total: number }>().total;
  };
  const direct = async (query: string) => {
    const result = await api.deps.elastic.search({
      index: events,
      size: SIZE,
      track_total_hits: true,
      sort: [{ '@timestamp': 'desc' }],
      query: {
        bool: {
          filter: [translateQuery(query), { range: { '@timestamp': { gte: seeded.range.from, lt: seeded.range.to } } }],
        },
      },
    });
    return typeof result.hits.total === 'number' ? result.hits.total : (result.hits.total?.value ?? 0);
  };
  const timed = async (run: () => Promise<number>) => {
    const began = performance.now();
    const total = await run();
    return { ms: performance.now() - began, total };
  };

  const results = [];
  const allApi: number[] = [];
  const allDirect: number[] = [];
  for (const query of QUERIES) {
    // Warm both paths once, so the first run's cache misses do not count against either.
    await viaApi(query);
    await direct(query);
    const apiMs: number[] = [];
    const directMs: number[] = [];
    let total = 0;
    for (let run = 0; run < RUNS; run++) {
      const a = await timed(() => viaApi(query));
      const d = await timed(() => direct(query));
      if (a.total !== d.total) throw new Error(`'${query}': the API found ${a.total}, Elasticsearch ${d.total}`);
      total = a.total;
      apiMs.push(a.ms);
      directMs.push(d.ms);
    }
    allApi.push(...apiMs);
    allDirect.push(...directMs);
    const [viaApiSummary, directSummary] = [summary(apiMs), summary(directMs)];
    results.push({
      query,
      hits: total,
      api: { p50_ms: round(viaApiSummary.p50_ms), p95_ms: round(viaApiSummary.p95_ms) },
      elasticsearch: { p50_ms: round(directSummary.p50_ms), p95_ms: round(directSummary.p95_ms) },
      ratio_p50: round(viaApiSummary.p50_ms / directSummary.p50_ms),
    });
    console.log(
      `${JSON.stringify(query).padEnd(92)} ${String(total).padStart(8)} hits: API p50 ${viaApiSummary.p50_ms.toFixed(1)} p95 ${viaApiSummary.p95_ms.toFixed(1)} ms; ES p50 ${directSummary.p50_ms.toFixed(1)} ms`,
    );
  }
  const overall = { api: summary(allApi), elasticsearch: summary(allDirect) };
  const path = await writeResult('api-search', {
    corpus: {
      records: EVENTS,
      generator: 'bench/lib/seed-events.ts (seed 7), 10 daily indices',
      seed_seconds: seeded.seconds,
    },
    settings: { runs_per_query: RUNS, page_size: SIZE, client: 'app.inject, same process as the API' },
    queries: results,
    overall: {
      api: { p50_ms: round(overall.api.p50_ms), p95_ms: round(overall.api.p95_ms) },
      elasticsearch: { p50_ms: round(overall.elasticsearch.p50_ms), p95_ms: round(overall.elasticsearch.p95_ms) },
      ratio_p50: round(overall.api.p50_ms / overall.elasticsearch.p50_ms),
      ratio_p95: round(overall.api.p95_ms / overall.elasticsearch.p95_ms),
    },
    summary: {
      figure: round(overall.api.p50_ms),
      unit: 'ms p50',
      limit: round(overall.elasticsearch.p50_ms),
      ratio: overall.elasticsearch.p50_ms / overall.api.p50_ms,
    },
  });
  console.log(
    `search over ${EVENTS} events: API p50 ${overall.api.p50_ms.toFixed(1)} ms, p95 ${overall.api.p95_ms.toFixed(1)} ms; ` +
      `Elasticsearch alone p50 ${overall.elasticsearch.p50_ms.toFixed(1)} ms, p95 ${overall.elasticsearch.p95_ms.toFixed(1)} ms → ${path}`,
  );
} finally {
  await api.close();
}
