import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { FastifyRequest } from 'fastify';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { waitUntil } from '@sentrail/lib/testing';
import { CSV_COLUMNS, csvRecord } from '../exports/export-formats.js';
import { ExportRecords } from '../exports/export-records.js';
import type { ExportManifest } from '../exports/manifest.js';
import { watchPointsInTime } from '../exports/point-in-time-watch.js';
import { publicKeyFingerprint, publicKeyFromPem } from '../exports/signing-key.js';
import { indexEvents, testEvent } from '../exports/test-events.js';
import { runVerifyExport } from '../exports/verify-command.js';
import type { RouteGroup } from '../app.js';
import { startTestApi, type TestApi } from '../testing.js';
import { createExportRoutes } from './exports.js';

const PAGE_SIZE = 7;
const FROM = '2026-03-01T00:00:00.000Z';
const TO = '2026-03-03T00:00:00.000Z';

/**
 * 30 events over two days (two daily indices, several pages), in groups of three sharing a
 * millisecond and indexed out of order; one with every character CSV must quote; three outside the
 * range, one of them exactly at its (exclusive) end.
 */
function seededEvents(): { inRange: EcsDocument[]; outside: EcsDocument[] } {
  const inRange: EcsDocument[] = [];
  for (let group = 0; group < 10; group++) {
    const timestamp = new Date(Date.parse(FROM) + group * 4 * 3600_000 + 1234).toISOString();
    for (const letter of ['c', 'a', 'b']) inRange.push(testEvent(`evt-${group}-${letter}`, timestamp));
  }
  inRange[4] = testEvent('evt-1-a', inRange[4]!['@timestamp'], {
    user: { name: 'O"Brien, Pat\nsecond line' },
    resource: { type: 'AWS::S3::Object', id: 'arn:aws:s3:::cde,bucket/"q"', name: 'a,b' },
    pci_dss: { requirements: ['10.2.1.1', '10.2.1.2'] },
  });
  inRange[0] = testEvent('evt-0-c', FROM);
  const outside = [
    testEvent('before-range', '2026-02-28T23:59:59.999Z'),
    testEvent('at-range-end', TO),
    testEvent('after-range', '2026-03-05T10:00:00.000Z'),
  ];
  return { inRange, outside };
}

const inOrder = (documents: EcsDocument[]) =>
  [...documents].sort(
    (a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) || (a.event.id < b.event.id ? -1 : 1),
  );

/** Keeps each request's `audit` as the access record hook sees it (onResponse, after the body ended). */
function auditRecorder(audits: FastifyRequest['audit'][]): RouteGroup {
  const group: RouteGroup = async (app) => {
    app.addHook('onResponse', async (request) => {
      audits.push(request.audit);
    });
  };
  // Not encapsulated (what fastify-plugin does), so the hook applies to the routes registered after it.
  return Object.assign(group, { [Symbol.for('skip-override')]: true });
}

class Output extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('auditors’ exports (real Elasticsearch)', () => {
  let api: TestApi;
  let folder: string;
  let keyFile: string;
  let publicKeyFile: string;
  const { inRange, outside } = seededEvents();
  const expected = inOrder(inRange);
  const audits: FastifyRequest['audit'][] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-exports-'));
    keyFile = join(folder, 'keys', 'export-signing-key.pem');
    api = await startTestApi([auditRecorder(audits), createExportRoutes({ pageSize: PAGE_SIZE })], {
      SENTRAIL_API__SIGNING_KEY_FILE: keyFile,
    });
    await indexEvents(api.deps.elastic, api.prefix, [...inRange, ...outside]);
    const publicKey = await api.request('auditor', { url: '/v1/exports/public-key' });
    publicKeyFile = join(folder, 'public-key.pem');
    writeFileSync(publicKeyFile, publicKey.json<{ pem: string }>().pem);
  });
  after(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const exportRequest = (body: Record<string, unknown>) =>
    api.request('auditor', { method: 'POST', url: '/v1/exports', payload: { query: '', from: FROM, to: TO, ...body } });

  /** An export, its manifest, and both written to files as an auditor would keep them. */
  async function exported(format: 'csv' | 'ndjson') {
    const response = await exportRequest({ format });
    assert.equal(response.statusCode, 200, response.body);
    const id = String(response.headers['x-sentrail-export-id']);
    const manifestResponse = await api.request('auditor', { url: `/v1/exports/${id}/manifest` });
    assert.equal(manifestResponse.statusCode, 200, manifestResponse.body);
    const manifest = manifestResponse.json<ExportManifest>();
    const file = join(folder, `${id}.${format}`);
    writeFileSync(file, response.rawPayload);
    return { response, id, manifest, file };
  }

  async function verify(file: string, manifest: unknown, ...args: string[]) {
    const manifestFile = join(folder, `manifest-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const stdout = new Output();
    const stderr = new Output();
    const code = await runVerifyExport([file, manifestFile, ...args], { stdout, stderr, env: {} });
    return { code, out: stdout.text, err: stderr.text };
  }

  it('answers 401 without a key and 403 to analysts, admins and ingest keys, on every route', async () => {
    const routes = [
      { method: 'POST', url: '/v1/exports', payload: { query: '', from: FROM, to: TO, format: 'csv' } },
      { method: 'GET', url: '/v1/exports/public-key' },
      { method: 'GET', url: '/v1/exports/00000000-0000-4000-8000-000000000000/manifest' },
    ] as const;
    for (const route of routes) {
      assert.equal((await api.request(undefined, route)).statusCode, 401, `${route.method} ${route.url}`);
      for (const role of ['analyst', 'admin', 'ingest'] as const)
        assert.equal((await api.request(role, route)).statusCode, 403, `${role}: ${route.method} ${route.url}`);
    }
  });

  it('creates the signing key readable by its owner only, and hands out its public half', async () => {
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(keyFile)).mode & 0o777, 0o700);
    const response = await api.request('auditor', { url: '/v1/exports/public-key' });
    assert.equal(response.statusCode, 200);
    const { pem, sha256 } = response.json<{ pem: string; sha256: string }>();
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(sha256, publicKeyFingerprint(publicKeyFromPem(readFileSync(keyFile, 'utf8'))));
  });

  it('exports CSV: a header, then every event in the range once, oldest first, across pages and indices', async () => {
    const watch = watchPointsInTime(api.deps.elastic);
    const { response } = await exported('csv');
    // The point in time is closed as the stream ends, by a request that may still be on its way.
    await waitUntil(
      'the point in time closed',
      async () => watch.closed.length,
      (closed) => closed > 0,
      5_000,
    ).finally(() => watch.stop());
    assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(response.headers['content-disposition']),
      /^attachment; filename="sentrail-export-[0-9a-f-]{36}\.csv"$/,
    );
    const [header, ...rows] = parse(response.rawPayload);
    assert.deepEqual(header, [...CSV_COLUMNS]);
    assert.deepEqual(
      rows,
      expected.map((document) => csvRecord({ ...document })),
    );
    // 30 events in pages of 7: five pages, the last one short, and the point in time closed.
    assert.equal(watch.searches, 5);
    assert.deepEqual(watch.closed, watch.opened);
  });

  it('quotes commas, quotes and newlines in CSV cells, and keeps them exact', async () => {
    const { response } = await exported('csv');
    assert.ok(response.body.includes('"O""Brien, Pat\nsecond line"'), response.body);
    const rows = parse<Record<string, string>>(response.rawPayload, { columns: true });
    const tricky = rows.find((row) => row['event.id'] === 'evt-1-a')!;
    assert.equal(tricky['user.name'], 'O"Brien, Pat\nsecond line');
    assert.equal(tricky['resource.id'], 'arn:aws:s3:::cde,bucket/"q"');
    assert.equal(tricky['pci_dss.requirements'], '10.2.1.1 10.2.1.2');
  });

  it('exports NDJSON: the whole ECS document per line, in the same order', async () => {
    const { response } = await exported('ndjson');
    assert.equal(response.headers['content-type'], 'application/x-ndjson');
    const lines = response.body.split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      expected,
    );
  });

  it('signs a manifest that names the query, range, requester, rows and the SHA-256 of the bytes sent', async () => {
    const before = new Date().toISOString();
    const { response, id, manifest } = await exported('ndjson');
    const publicKey = (await api.request('auditor', { url: '/v1/exports/public-key' })).json<{ sha256: string }>();
    assert.deepEqual(
      { ...manifest, started_at: undefined, completed_at: undefined, signature: undefined },
      {
        id,
        query: '',
        range: { from: FROM, to: TO },
        format: 'ndjson',
        requester: { key_id: manifest.requester.key_id, name: 'test auditor', role: 'auditor' },
        started_at: undefined,
        completed_at: undefined,
        rows: 30,
        sha256: createHash('sha256').update(response.rawPayload).digest('hex'),
        public_key_sha256: publicKey.sha256,
        signature: undefined,
      },
    );
    assert.ok(before <= manifest.started_at && manifest.started_at <= manifest.completed_at);
    assert.match(manifest.signature, /^[A-Za-z0-9+/]{86}==$/);
  });

  it('gives the access record the query, the rows and the SHA-256 before the response ends', async () => {
    audits.length = 0;
    const { manifest } = await exported('csv');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(audits[0], { query: '', rows: 30, export: { format: 'csv', sha256: manifest.sha256 } });
  });

  it('has sentrail verify-export accept the file and its manifest, by the public key or the configured key', async () => {
    for (const format of ['csv', 'ndjson'] as const) {
      const { file, manifest } = await exported(format);
      const result = await verify(file, manifest, '--public-key', publicKeyFile);
      assert.equal(result.code, 0, result.out + result.err);
      assert.match(
        result.out,
        new RegExp(
          `^ok: .* is export ${manifest.id}: 30 rows, sha256 ${manifest.sha256}, signed by key ${manifest.public_key_sha256}\\n$`,
        ),
      );
    }
    const { file, manifest } = await exported('csv');
    const manifestFile = join(folder, 'configured.json');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const stdout = new Output();
    const code = await runVerifyExport([file, manifestFile], {
      stdout,
      stderr: new Output(),
      env: { SENTRAIL_API__SIGNING_KEY_FILE: keyFile },
    });
    assert.equal(code, 0, stdout.text);
  });

  it('refuses a file with one byte changed, naming the SHA-256 only', async () => {
    const { file, manifest } = await exported('csv');
    const bytes = readFileSync(file);
    const at = bytes.indexOf('alice');
    bytes[at] = 'A'.charCodeAt(0);
    writeFileSync(file, bytes);
    const result = await verify(file, manifest, '--public-key', publicKeyFile);
    assert.equal(result.code, 1);
    assert.match(result.out, /^ {2}- SHA-256 differs: the file's is [0-9a-f]{64}, the manifest says [0-9a-f]{64}/m);
    assert.equal(result.out.match(/^ {2}- /gm)?.length, 1, result.out);
  });

  it('refuses a truncated file, naming the SHA-256 and the row count, for both formats', async () => {
    for (const format of ['csv', 'ndjson'] as const) {
      const { file, manifest } = await exported(format);
      const text = readFileSync(file, 'utf8');
      // The last two rows dropped: the file ends cleanly, at a row boundary.
      writeFileSync(file, text.slice(0, text.lastIndexOf('\n', text.lastIndexOf('\n', text.length - 2) - 1) + 1));
      const result = await verify(file, manifest, '--public-key', publicKeyFile);
      assert.equal(result.code, 1);
      assert.match(result.out, /SHA-256 differs/);
      assert.match(result.out, /row count differs: the file has 28 rows, the manifest says 30/);
    }
  });

  it('refuses an edited manifest (signature) and one signed by another key (fingerprint)', async () => {
    const { file, manifest } = await exported('ndjson');
    const edited = await verify(file, { ...manifest, query: 'user.name: mallory' }, '--public-key', publicKeyFile);
    assert.equal(edited.code, 1);
    assert.match(edited.out, /^ {2}- signature invalid: the manifest was changed after it was signed$/m);
    assert.equal(edited.out.match(/^ {2}- /gm)?.length, 1, edited.out);

    const otherKeyFile = join(folder, 'other-key.pem');
    writeFileSync(otherKeyFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const other = await verify(file, manifest, '--public-key', otherKeyFile);
    assert.equal(other.code, 1);
    assert.match(
      other.out,
      new RegExp(
        `signed by another key: the manifest names key ${manifest.public_key_sha256}, the public key given is [0-9a-f]{64}`,
      ),
    );
    assert.equal(other.out.match(/^ {2}- /gm)?.length, 1, other.out);
  });

  it('takes the search query language and records the query as written', async () => {
    const query = 'event.id: evt-1-a or (user.name: alice and event.id: evt-9-*)';
    const response = await exportRequest({ format: 'ndjson', query });
    assert.equal(response.statusCode, 200, response.body);
    const exportedIds = response.body
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as EcsDocument).event.id);
    assert.deepEqual(exportedIds, ['evt-1-a', 'evt-9-a', 'evt-9-b', 'evt-9-c']);
    const id = String(response.headers['x-sentrail-export-id']);
    const manifest = (await api.request('auditor', { url: `/v1/exports/${id}/manifest` })).json<ExportManifest>();
    assert.deepEqual({ query: manifest.query, rows: manifest.rows }, { query, rows: 4 });
  });

  it('exports only the header and a zero-row manifest when nothing matches', async () => {
    const response = await exportRequest({ format: 'csv', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, `${CSV_COLUMNS.join(',')}\n`);
    const id = String(response.headers['x-sentrail-export-id']);
    const manifest = (await api.request('auditor', { url: `/v1/exports/${id}/manifest` })).json<ExportManifest>();
    assert.equal(manifest.rows, 0);
    assert.deepEqual(manifest.range, { from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' });
  });

  it('answers 400 naming the field before streaming anything', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ format: 'xml' }, /body\/format must be equal to one of the allowed values/],
      [{ format: 'csv', from: 'yesterday' }, /body\/from must match format "date-time"/],
      [{ format: 'csv', to: FROM }, /body\/to must be later than body\/from/],
      [{ format: 'csv', query: undefined }, /body must have required property 'query'/],
      [{ format: 'csv', query: 'user.name:' }, /^body\/query: .* at 10$/],
    ];
    for (const [body, message] of cases) {
      const response = await exportRequest(body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.match(response.json<{ message: string }>().message, message);
      assert.equal(response.headers['x-sentrail-export-id'], undefined);
    }
  });

  it('answers 202 for an export still streaming: it has no manifest yet', async () => {
    const id = randomUUID();
    await new ExportRecords(api.deps.elastic, api.prefix).running({
      id,
      query: '',
      range: { from: FROM, to: TO },
      format: 'csv',
      requester: { key_id: '0123456789abcdef', name: 'someone', role: 'auditor' },
      started_at: new Date().toISOString(),
    });
    const response = await api.request('auditor', { url: `/v1/exports/${id}/manifest` });
    assert.equal(response.statusCode, 202);
    assert.equal(response.json<{ status: string }>().status, 'running');
  });

  it('answers 404 for an unknown export and 400 for an id that is not one', async () => {
    const unknown = await api.request('auditor', { url: '/v1/exports/00000000-0000-4000-8000-000000000000/manifest' });
    assert.equal(unknown.statusCode, 404);
    const bad = await api.request('auditor', { url: '/v1/exports/not-an-id/manifest' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /params\/id/);
  });
});
