import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { signatureMatches, type BundleManifest } from '../../exports/manifest.js';
import { ensureSigningKey, type SigningKey } from '../../exports/signing-key.js';
import { runVerifyExport } from '../../exports/verify-command.js';
import { writeReportBundle } from './report-bundle.js';
import { renderReportHtml } from './report-html.js';
import { testReport } from './test-report.js';

// Tampered bundles are refused in report-command.test.ts, on a bundle the command made.

describe('the PCI DSS 10 report bundle', () => {
  let folder: string;
  let key: SigningKey;
  let keyFile: string;
  let exportFile: string;
  let exportManifest: string;
  const report = testReport();

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-bundle-'));
    keyFile = join(folder, 'key.pem');
    key = await ensureSigningKey(keyFile);
    exportFile = join(folder, 'sentrail-export-1.csv');
    writeFileSync(exportFile, 'a,b\n1,2\n');
    exportManifest = join(folder, 'sentrail-export-1.manifest.json');
    writeFileSync(exportManifest, '{}\n');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  /** `sentrail verify-export DIR MANIFEST` in process, with the test's key. */
  async function verify(dir: string, manifest: string): Promise<{ status: number; output: string }> {
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const status = await runVerifyExport([dir, manifest, '--public-key', keyFile], {
      stdout: sink,
      stderr: sink,
      env: {},
    });
    return { status, output };
  }

  it('holds the report as JSON, HTML and PDF and the attachments, each listed with its size and SHA-256, signed', async () => {
    const dir = join(folder, 'bundle');
    const now = new Date('2026-11-29T03:10:00.000Z');
    const manifest = await writeReportBundle({ dir, report, key, attachments: [exportFile, exportManifest], now });

    const names = [
      'report.json',
      'report.html',
      'report.pdf',
      'sentrail-export-1.csv',
      'sentrail-export-1.manifest.json',
    ];
    assert.deepEqual(readdirSync(dir).sort(), [...names, 'manifest.json'].sort());
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), manifest);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')), report);
    assert.equal(readFileSync(join(dir, 'report.html'), 'utf8'), renderReportHtml(report));
    assert.equal(readFileSync(join(dir, 'report.pdf')).subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(readFileSync(join(dir, 'sentrail-export-1.csv'), 'utf8'), 'a,b\n1,2\n');

    const { files, signature, public_key_sha256, id, ...rest } = manifest;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(rest, {
      kind: 'bundle',
      report: 'pci-dss-10',
      range: report.range,
      requester: report.generated_by,
      created_at: now.toISOString(),
    } satisfies Omit<BundleManifest, 'files' | 'signature' | 'public_key_sha256' | 'id'>);
    assert.deepEqual(
      files,
      names.map((name) => {
        const bytes = readFileSync(join(dir, name));
        return { name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }),
    );
    assert.equal(public_key_sha256, key.publicKeySha256);
    assert.ok(signature.length > 0 && signatureMatches({ ...manifest }, key.publicKey));

    const { status, output } = await verify(dir, join(dir, 'manifest.json'));
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`^ok: .*bundle is bundle ${id}: 5 files`));
  });

  it('names each fault of a file list that is not one, reading nothing outside the folder', async () => {
    const dir = join(folder, 'bundle');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    const [json, html, pdf] = manifest.files;
    const broken = join(folder, 'broken-manifest.json');
    writeFileSync(
      broken,
      JSON.stringify({
        ...manifest,
        files: [{ ...json, name: '../key.pem' }, html, html, { ...pdf, bytes: -1 }, { name: 'x', bytes: 1 }],
      }),
    );
    const { status, output } = await verify(dir, broken);
    assert.equal(status, 1, output);
    assert.deepEqual(output.split('\n').slice(1, -1), [
      '  - manifest: files[0].name is missing or not a plain file name',
      '  - manifest: report.html is listed twice',
      '  - manifest: files[3].bytes (report.pdf) is missing or not a whole number',
      '  - manifest: files[4].sha256 (x) is missing or not a hex SHA-256',
      '  - report.json: added (the folder has it, the manifest does not list it)',
      '  - report.pdf: added (the folder has it, the manifest does not list it)',
      '  - sentrail-export-1.csv: added (the folder has it, the manifest does not list it)',
      '  - sentrail-export-1.manifest.json: added (the folder has it, the manifest does not list it)',
      '  - signature invalid: the manifest was changed after it was signed',
    ]);
  });

  it('refuses a folder that holds anything, and attachments whose names collide', async () => {
    const used = join(folder, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'old.txt'), 'x');
    await assert.rejects(writeReportBundle({ dir: used, report, key }), /used is not empty/);
    await assert.rejects(
      writeReportBundle({ dir: join(folder, 'b1'), report, key, attachments: [join(folder, 'report.pdf')] }),
      /report\.pdf: the bundle's own report\.pdf has that name/,
    );
    await assert.rejects(
      writeReportBundle({
        dir: join(folder, 'b2'),
        report,
        key,
        attachments: [exportFile, join(used, '..', 'sentrail-export-1.csv')],
      }),
      /another attachment is named sentrail-export-1\.csv too/,
    );
  });
});
