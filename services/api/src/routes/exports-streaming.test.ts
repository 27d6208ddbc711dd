import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { aliases } from '@sentrail/lib/elastic';
import { waitUntil } from '@sentrail/lib/testing';
import { ExportRecords } from '../exports/export-records.js';
import { Exporter, type ExportEnd } from '../exports/exporter.js';
import { watchPointsInTime } from '../exports/point-in-time-watch.js';
import { ensureSigningKey } from '../exports/signing-key.js';
import { indexEvents, testEvent } from '../exports/test-events.js';
import { startTestApi, type TestApi } from '../testing.js';
import { createExportRoutes } from './exports.js';

// Large enough that an export (about 30 MB) cannot hide in the socket buffers of a client that stops reading.
const EVENTS = 10_000;
const PAGE_SIZE = 200;
const PAGES = EVENTS / PAGE_SIZE + 1; // the last, empty page says there is no more
const FROM = '2026-04-01T00:00:00.000Z';
const TO = '2026-04-02T00:00:00.000Z';

const ids = Array.from({ length: EVENTS }, (_, i) => `evt-${String(i).padStart(6, '0')}`);

describe('export streaming: backpressure and abort (real Elasticsearch)', () => {
  let api: TestApi;
  let folder: string;
  let keyFile: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-exports-'));
    keyFile = join(folder, 'export-signing-key.pem');
    api = await startTestApi([createExportRoutes({ pageSize: PAGE_SIZE })], {
      SENTRAIL_API__SIGNING_KEY_FILE: keyFile,
    });
    const events = ids.map((id, i) => {
      const event = testEvent(id, new Date(Date.parse(FROM) + i * 1000).toISOString());
      event.event.original = JSON.stringify({ eventID: id, padding: 'x'.repeat(3000) });
      return event;
    });
    await indexEvents(api.deps.elastic, api.prefix, events);
  });
  after(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The exporter the route uses, driven directly: the test is the reader. */
  async function startExport(onEnd: (end: ExportEnd) => void) {
    const exporter = new Exporter({
      elastic: api.deps.elastic,
      records: new ExportRecords(api.deps.elastic, api.prefix),
      key: await ensureSigningKey(keyFile),
      logger: api.deps.logger,
      index: aliases(api.prefix).events,
      pageSize: PAGE_SIZE,
    });
    return exporter.start(
      {
        query: '',
        translated: { match_all: {} },
        range: { from: FROM, to: TO },
        format: 'ndjson',
        requester: { keyId: 'test', name: 'test', role: 'auditor' },
      },
      onEnd,
    );
  }

  it('fetches a page only as the reader takes the one before: at most two pages ahead of a slow reader', async () => {
    const watch = watchPointsInTime(api.deps.elastic);
    let end: ExportEnd | undefined;
    try {
      const { body } = await startExport((ended) => (end = ended));
      await sleep(300);
      assert.ok(watch.searches <= 2, `${watch.searches} pages read before the reader took anything`);

      const received: string[] = [];
      let partial = '';
      let mostAhead = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) received.push((JSON.parse(line) as { event: { id: string } }).event.id);
        mostAhead = Math.max(mostAhead, watch.searches - Math.ceil(received.length / PAGE_SIZE));
        await sleep(1);
      }
      assert.ok(mostAhead <= 2, `the export read ${mostAhead} pages ahead of the reader`);
      assert.equal(partial, '');
      assert.deepEqual(received, ids, 'every event once, in order');
      assert.equal(watch.searches, PAGES);
      assert.deepEqual(end && { complete: end.complete, rows: end.rows }, { complete: true, rows: EVENTS });
      // The point in time is closed as the stream ends, by a request that may still be on its way.
      await waitUntil(
        'the point in time closed',
        async () => watch.closed.length,
        (closed) => closed > 0,
        5_000,
      );
      assert.deepEqual(watch.closed, watch.opened);
    } finally {
      watch.stop();
    }
  });

  it('cuts the body short and records no manifest when Elasticsearch fails mid-export', async () => {
    const watch = watchPointsInTime(api.deps.elastic);
    let end: ExportEnd | undefined;
    try {
      const { id, body } = await startExport((ended) => (end = ended));
      const chunks = body[Symbol.asyncIterator]();
      await chunks.next();
      // The point in time disappears under the export (as when it expires): the next page fails.
      await api.deps.elastic.closePointInTime({ id: watch.opened[0]! });
      await assert.rejects(async () => {
        for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next());
      });
      assert.equal(end?.complete, false);
      assert.ok(end.rows < EVENTS, `${end.rows} rows`);
      const record = await waitUntil(
        'the export recorded as aborted',
        () => new ExportRecords(api.deps.elastic, api.prefix).get(id),
        (found) => found?.status === 'aborted',
        10_000,
      );
      assert.deepEqual(
        record && 'reason' in record && record.reason,
        'the export failed on the server; see the API log',
      );
    } finally {
      watch.stop();
    }
  });

  it('stops reading when the client stops, and closes the point in time when it leaves; the export is recorded as aborted', async () => {
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const watch = watchPointsInTime(api.deps.elastic);
    try {
      const request = httpRequest(`${address}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await api.keyFor('auditor')}`, 'content-type': 'application/json' },
      });
      request.end(JSON.stringify({ query: '', from: FROM, to: TO, format: 'ndjson' }));
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      assert.equal(response.statusCode, 200);
      const id = String(response.headers['x-sentrail-export-id']);

      // The response is never read: once the socket buffers are full, the export must wait.
      let searches = -1;
      while (searches !== watch.searches) {
        searches = watch.searches;
        await sleep(500);
      }
      assert.ok(searches < PAGES / 2, `${searches} of ${PAGES} pages read for a client that reads nothing`);

      request.destroy();
      const manifest = await waitUntil(
        'the export recorded as aborted',
        () => api.request('auditor', { url: `/v1/exports/${id}/manifest` }),
        (answer) => answer.statusCode === 409,
        10_000,
      );
      assert.match(
        manifest.json<{ message: string }>().message,
        /^export .* has no manifest: it stopped after \d+ rows \(the client closed the connection before the end\)$/,
      );
      assert.equal(watch.opened.length, 1);
      assert.deepEqual(watch.closed, watch.opened);
      await assert.rejects(
        api.deps.elastic.search({ pit: { id: watch.opened[0]! }, size: 1 }),
        (error: { meta?: { statusCode?: number } }) => error.meta?.statusCode === 404,
      );
    } finally {
      watch.stop();
    }
  });
});
