import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '@sentrail/lib/testing';
import { canonicalJson, signManifest, type ExportManifest } from './manifest.js';
import { ensureSigningKey, type SigningKey } from './signing-key.js';
import { runVerifyExport } from './verify-command.js';

// The checks against real exports are in routes/exports.test.ts; here, the command line itself.

class Output extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('sentrail verify-export', () => {
  let folder: string;
  let key: SigningKey;
  let keyFile: string;
  let csvFile: string;
  let manifestFile: string;
  let manifest: ExportManifest;
  const csv = 'a,b\n"1,\n2",x\n3,y\n';

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-verify-'));
    keyFile = join(folder, 'key.pem');
    key = await ensureSigningKey(keyFile);
    csvFile = join(folder, 'export.csv');
    writeFileSync(csvFile, csv);
    manifest = signManifest(
      {
        id: '00000000-0000-4000-8000-000000000001',
        query: 'event.outcome: failure',
        range: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
        format: 'csv',
        requester: { key_id: '0123456789abcdef', name: 'auditor', role: 'auditor' },
        started_at: '2026-01-03T00:00:00.000Z',
        completed_at: '2026-01-03T00:00:01.000Z',
        rows: 2,
        sha256: createHash('sha256').update(csv).digest('hex'),
      },
      key,
    );
    manifestFile = join(folder, 'manifest.json');
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const stdout = new Output();
    const stderr = new Output();
    const code = await runVerifyExport(args, { stdout, stderr, env });
    return { code, out: stdout.text, err: stderr.text };
  }

  it('signs the canonical JSON: keys sorted at every level, no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { f: 'x', e: null }], c: 'é' } }),
      '{"a":{"c":"é","d":[2,{"e":null,"f":"x"}]},"b":1}',
    );
  });

  it('counts CSV records, not lines: a quoted newline is part of its field', async () => {
    const result = await run([csvFile, manifestFile, '--public-key', keyFile]);
    assert.equal(result.code, 0, result.out + result.err);
    assert.match(
      result.out,
      /^ok: .*export\.csv is export 00000000-0000-4000-8000-000000000001: 2 rows, sha256 [0-9a-f]{64}, signed by key [0-9a-f]{64}\n$/,
    );
  });

  it('runs as its own program, with the configured signing key by default', () => {
    const result = spawnSync(process.execPath, ['services/api/dist/exports/verify-command.js', csvFile, manifestFile], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, SENTRAIL_API__SIGNING_KEY_FILE: keyFile },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ok: /);
  });

  it('says when a file ends inside a quoted field', async () => {
    const cut = join(folder, 'cut.csv');
    writeFileSync(cut, csv.slice(0, csv.indexOf('\n2') + 1));
    const result = await run([cut, manifestFile, '--public-key', keyFile]);
    assert.equal(result.code, 1);
    assert.match(result.out, /SHA-256 differs/);
    assert.match(result.out, /the file is not valid CSV: .*quote/i);
  });

  it('lists every problem of a manifest that lacks its fields', async () => {
    const bare = join(folder, 'bare.json');
    writeFileSync(
      bare,
      JSON.stringify({ ...manifest, sha256: undefined, rows: undefined, public_key_sha256: undefined }),
    );
    const result = await run([csvFile, bare, '--public-key', keyFile]);
    assert.equal(result.code, 1);
    assert.match(result.out, /sha256 is missing/);
    assert.match(result.out, /rows is missing/);
    assert.match(result.out, /public_key_sha256 is missing/);
  });

  it('answers usage errors with exit 2 and the usage', async () => {
    const notJson = join(folder, 'not.json');
    writeFileSync(notJson, 'not json');
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [[], {}, /FILE and MANIFEST are required, 0 given/],
      [[csvFile, manifestFile, '--nope'], {}, /Unknown option '--nope'/],
      [[join(folder, 'missing.csv'), manifestFile, '--public-key', keyFile], {}, /cannot read the file/],
      [[csvFile, notJson, '--public-key', keyFile], {}, /is not JSON/],
      [[csvFile, manifestFile, '--public-key', csvFile], {}, /export\.csv: /],
      [
        [csvFile, manifestFile],
        { SENTRAIL_API__SIGNING_KEY_FILE: join(folder, 'absent.pem') },
        /cannot read the signing key .*absent\.pem/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const result = await run(args, env);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err, message);
      assert.match(result.err, /usage: sentrail verify-export FILE MANIFEST/);
    }
  });
});
