// An auditor's export at scale: synthetic events (1,000,000 unless `--records N`) in
// Elasticsearch, exported as CSV through the API on a real socket and read by fetch as a client would.
// Measures rows per second, and the process's memory during the export against before it: the export
// streams, so memory must stay flat however many rows there are. The limit, in the same run: the same
// pages read straight from Elasticsearch. Figures go to bench/results/export.json.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventPages } from '@sentrail/api/dist/exports/event-pages.js';
import { CSV_COLUMNS } from '@sentrail/api/dist/exports/export-formats.js';
import { translateQuery } from '@sentrail/api/dist/query/translate.js';
import { createExportRoutes, EXPORT_PAGE_SIZE } from '@sentrail/api/dist/routes/exports.js';
import { aliases } from '@sentrail/lib/elastic';
import { startTestApi } from '@sentrail/api/dist/testing.js';
import { seedEvents } from './lib/seed-events.js';
import { corpusSize } from './lib/corpus-size.js';
import { writeResult } from './lib/report.js';

const EVENTS = corpusSize(1_000_000);
const AIM_ROWS_PER_SECOND = 30_000;
const SAMPLE_MS = 100;

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** The peak of process.memoryUsage() while `work` runs, sampled every SAMPLE_MS. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; heapUsed: number }> {
  let rss = 0;
  let heapUsed = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heapUsed = Math.max(heapUsed, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const result = await work();
    sample();
    return { result, rss, heapUsed };
  } finally {
    clearInterval(timer);
  }
}

const keyFolder = mkdtempSync(join(tmpdir(), 'sentrail-bench-export-'));
const api = await startTestApi([createExportRoutes()], {
  SENTRAIL_API__SIGNING_KEY_FILE: join(keyFolder, 'signing-key.pem'),
});
try {
  console.log(`seeding ${EVENTS} events under ${api.prefix}`);
  const seeded = await seedEvents(api.deps.elastic, api.prefix, { count: EVENTS });
  console.log(`seeded in ${seeded.seconds.toFixed(1)} s (${Math.round(EVENTS / seeded.seconds)} events/s)`);

  const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const authorization = `Bearer ${await api.keyFor('auditor')}`;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = process.memoryUsage();

  const began = performance.now();
  const measured = await peakMemory(async () => {
    const response = await fetch(`${address}/v1/exports`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '', ...seeded.range, format: 'csv' }),
    });
    if (response.status !== 200 || !response.body)
      throw new Error(`export answered ${response.status}: ${await response.text()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      // The synthetic events have no newline inside a field: one line is one record.
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines += 1;
    }
    return { id: response.headers.get('x-sentrail-export-id')!, sha256: hash.digest('hex'), bytes, rows: lines - 1 };
  });
  const seconds = (performance.now() - began) / 1000;
  const received = measured.result;

  const manifest = (await (
    await fetch(`${address}/v1/exports/${received.id}/manifest`, { headers: { authorization } })
  ).json()) as { rows: number; sha256: string };
  if (manifest.rows !== EVENTS || received.rows !== EVENTS || manifest.sha256 !== received.sha256)
    throw new Error(
      `the export is wrong: ${received.rows} rows received, manifest ${manifest.rows} rows, of ${EVENTS}; sha256 ${manifest.sha256 === received.sha256 ? 'matches' : 'differs'}`,
    );

  // The limit: the same pages read straight from Elasticsearch (same point in time, page size and
  // fields), with no CSV, hashing or HTTP.
  const readBegan = performance.now();
  const pages = await EventPages.open(api.deps.elastic, {
    index: aliases(api.prefix).events,
    query: translateQuery(''),
    range: seeded.range,
    pageSize: EXPORT_PAGE_SIZE,
    fields: CSV_COLUMNS,
  });
  const rows = pages.rows((document) => document);
  await rows.forEach(() => undefined);
  const read = rows.count;
  const readSeconds = (performance.now() - readBegan) / 1000;
  if (read !== EVENTS) throw new Error(`the plain read found ${read} of ${EVENTS} events`);

  const rowsPerSecond = EVENTS / seconds;
  const path = await writeResult('export', {
    corpus: {
      records: EVENTS,
      generator: 'bench/lib/seed-events.ts (seed 7): synthetic CloudTrail-shaped ECS events over 10 daily indices',
      seed_seconds: seeded.seconds,
    },
    settings: { format: 'csv', page_size: EXPORT_PAGE_SIZE, client: 'fetch over 127.0.0.1, same process as the API' },
    export: {
      rows: EVENTS,
      bytes: received.bytes,
      seconds,
      rows_per_second: rowsPerSecond,
      mib_per_second: mib(received.bytes) / seconds,
      sha256_matches_manifest: true,
    },
    memory_mib: {
      before: { rss: mib(before.rss), heap_used: mib(before.heapUsed) },
      peak_during: { rss: mib(measured.rss), heap_used: mib(measured.heapUsed) },
      growth: { rss: mib(measured.rss - before.rss), heap_used: mib(measured.heapUsed - before.heapUsed) },
    },
    limit: {
      what: 'the same pages read straight from Elasticsearch',
      seconds: readSeconds,
      rows_per_second: EVENTS / readSeconds,
    },
    summary: {
      figure: rowsPerSecond,
      unit: 'rows/s',
      limit: EVENTS / readSeconds,
      ratio: rowsPerSecond / (EVENTS / readSeconds),
      aim: `≥ ${AIM_ROWS_PER_SECOND / 1000}k rows/s`,
      met: rowsPerSecond >= AIM_ROWS_PER_SECOND,
    },
  });
  console.log(
    `exported ${EVENTS} rows (${mib(received.bytes)} MiB) in ${seconds.toFixed(1)} s: ${Math.round(rowsPerSecond)} rows/s (aim ${AIM_ROWS_PER_SECOND}) ` +
      `against ${Math.round(EVENTS / readSeconds)} rows/s read straight from Elasticsearch; ` +
      `RSS ${mib(before.rss)} → peak ${mib(measured.rss)} MiB, heap ${mib(before.heapUsed)} → peak ${mib(measured.heapUsed)} MiB → ${path}`,
  );
} finally {
  await api.close();
  rmSync(keyFolder, { recursive: true, force: true });
}
