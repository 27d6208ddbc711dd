import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { dropIndexPrefix, REPO_CONFIG, REPO_ROOT, testConfig, uniqueName } from '@sentrail/lib/testing';
import type { BundleManifest } from './exports/manifest.js';
import { runVerifyExport } from './exports/verify-command.js';
import { runReport } from './report-command.js';
import type { PciReport } from './reports/pci-dss-10/report.js';

/** Collects what is written to it. */
class Output extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const FROM = '2026-11-01T00:00:00.000Z';
const TO = '2026-11-29T00:00:00.000Z';

describe('sentrail report pci-dss-10 (real Elasticsearch), and its bundle checked by sentrail verify-export', () => {
  // An empty prefix: the report is still whole, every section there and its verdict said.
  const prefix = uniqueName('test-report-command');
  const elastic = createElastic(testConfig().elasticsearch);
  let folder: string;
  let keyFile: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-report-command-'));
    keyFile = join(folder, 'signing-key.pem');
    env = {
      ...process.env,
      SENTRAIL_CONFIG: REPO_CONFIG,
      SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix,
      SENTRAIL_API__SIGNING_KEY_FILE: keyFile,
    };
    await installTemplates(elastic, testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix }).elasticsearch);
  });
  after(async () => {
    await dropIndexPrefix(elastic, prefix);
    await elastic.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const report = async (...args: string[]) => {
    const stdout = new Output();
    const stderr = new Output();
    const status = await runReport(args, { stdout, stderr }, env);
    return { status, stdout: stdout.text, stderr: stderr.text };
  };
  const verify = async (dir: string) => {
    const output = new Output();
    const status = await runVerifyExport([dir, join(dir, 'manifest.json'), '--public-key', keyFile], {
      stdout: output,
      stderr: output,
      env: {},
    });
    return { status, output: output.text };
  };

  it('refuses bad arguments with exit 2, naming the flag, before asking Elasticsearch anything', async () => {
    const used = join(folder, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'old.txt'), 'x');
    const out = join(folder, 'never');
    const cases: [string[], RegExp][] = [
      [[], /a report is required: pci-dss-10/],
      [['pci-dss-11', '--from', FROM, '--to', TO, '--out', out], /unknown report "pci-dss-11"/],
      [['pci-dss-10', '--to', TO, '--out', out], /--from is required/],
      [['pci-dss-10', '--from', FROM, '--to', 'yesterday', '--out', out], /--to must be an ISO 8601 date-time/],
      [['pci-dss-10', '--from', TO, '--to', FROM, '--out', out], /--to must be later than --from/],
      [['pci-dss-10', '--from', '2025-01-01T00:00:00Z', '--to', TO, '--out', out], /--from to --to spans more than/],
      [['pci-dss-10', '--from', FROM, '--to', TO], /--out is required/],
      [['pci-dss-10', '--from', FROM, '--to', TO, '--out', used], /--out .*used is not empty/],
      [
        ['pci-dss-10', '--from', FROM, '--to', TO, '--out', out, '--attach', join(folder, 'no.csv')],
        /--attach .*no\.csv: cannot be read/,
      ],
      [
        ['pci-dss-10', '--from', FROM, '--to', TO, '--out', out, '--attach', join(used, 'report.json')],
        /--attach .*the bundle's own report\.json/,
      ],
      [['pci-dss-10', '--from', FROM, '--to', TO, '--out', out, '--nope'], /Unknown option '--nope'/],
    ];
    for (const [args, message] of cases) {
      const result = await report(...args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /usage: sentrail report pci-dss-10 --from ISO --to ISO --out DIR/);
    }
  });

  describe('a bundle it made', () => {
    let bundle: string;
    let manifest: BundleManifest;

    before(() => {
      bundle = join(folder, 'bundle');
      const attachment = join(folder, 'sentrail-export-1.ndjson');
      writeFileSync(attachment, '{"event":{"id":"a"}}\n');
      // As its own program, the way ./sentrail runs it.
      const made = spawnSync(
        process.execPath,
        [
          'services/api/dist/report-command.js',
          'pci-dss-10',
          '--from',
          FROM,
          '--to',
          TO,
          '--out',
          bundle,
          '--attach',
          attachment,
        ],
        { cwd: REPO_ROOT, env, encoding: 'utf8' },
      );
      assert.equal(made.status, 0, made.stderr);
      manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as BundleManifest;
      assert.match(
        made.stdout,
        new RegExp(`^wrote the PCI DSS 10 report of ${FROM} to ${TO} \\(.*\\) to ${bundle}:\n`),
      );
      assert.ok(made.stdout.includes(`bundle ${manifest.id}, signed by key ${manifest.public_key_sha256}`));
      assert.ok(
        made.stdout.includes(`check it with: sentrail verify-export ${bundle} ${join(bundle, 'manifest.json')}`),
      );
    });

    /** A copy of the bundle to spoil. */
    const copy = (name: string) => {
      const target = join(folder, name);
      cpSync(bundle, target, { recursive: true });
      return target;
    };

    it('holds the report of the period, every section in it, and verifies', async () => {
      const json = JSON.parse(readFileSync(join(bundle, 'report.json'), 'utf8')) as PciReport;
      assert.deepEqual(json.range, { from: FROM, to: TO });
      assert.equal(json.index_prefix, prefix);
      assert.equal(json.sections.length, 14);
      assert.match(json.generated_by.name, /\(sentrail report\)$/);
      assert.deepEqual(
        manifest.files.map(({ name }) => name),
        ['report.json', 'report.html', 'report.pdf', 'sentrail-export-1.ndjson'],
      );
      assert.deepEqual({ range: manifest.range, report: manifest.report }, { range: json.range, report: 'pci-dss-10' });
      const html = readFileSync(join(bundle, 'report.html'), 'utf8');
      for (const { id, title } of json.sections) assert.ok(html.includes(`${id} ${title}`), id);

      const result = await verify(bundle);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, new RegExp(`^ok: ${bundle} is bundle ${manifest.id}: 4 files`));
    });

    it('refuses a bundle whose PDF has a byte changed', async () => {
      const dir = copy('changed-byte');
      const pdf = readFileSync(join(dir, 'report.pdf'));
      pdf[Math.floor(pdf.length / 2)]! ^= 0x01;
      writeFileSync(join(dir, 'report.pdf'), pdf);
      const result = await verify(dir);
      assert.equal(result.status, 1);
      assert.match(result.output, new RegExp(`does not match the manifest of bundle ${manifest.id}:\n`));
      assert.match(result.output, /report\.pdf: SHA-256 differs: .* \(the file was changed\)/);
      assert.equal(result.output.trim().split('\n').length, 2, 'that problem alone');
    });

    it('refuses a bundle whose file is cut short', async () => {
      const dir = copy('cut-short');
      const json = readFileSync(join(dir, 'report.json'));
      writeFileSync(join(dir, 'report.json'), json.subarray(0, json.length - 10));
      const result = await verify(dir);
      assert.equal(result.status, 1);
      assert.match(result.output, /report\.json: size differs: the file has \d+ bytes, the manifest says \d+/);
    });

    it('refuses an edited manifest', async () => {
      const dir = copy('edited-manifest');
      const edited = { ...manifest, range: { ...manifest.range, from: '2026-11-15T00:00:00.000Z' } };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(edited, null, 2));
      const result = await verify(dir);
      assert.equal(result.status, 1);
      assert.match(result.output, /signature invalid: the manifest was changed after it was signed/);
    });

    it('refuses a bundle with a file removed', async () => {
      const dir = copy('removed-file');
      rmSync(join(dir, 'report.html'));
      const result = await verify(dir);
      assert.equal(result.status, 1);
      assert.match(result.output, /report\.html: missing \(the manifest lists it, the folder does not have it\)/);
    });

    it('refuses a bundle with a file added', async () => {
      const dir = copy('added-file');
      writeFileSync(join(dir, 'notes.txt'), 'all fine\n');
      const result = await verify(dir);
      assert.equal(result.status, 1);
      assert.match(result.output, /notes\.txt: added \(the folder has it, the manifest does not list it\)/);
    });

    it('refuses a file named as the bundle, and the bundle under an export manifest', async () => {
      const output = new Output();
      const io = { stdout: output, stderr: output, env: {} };
      const key = ['--public-key', keyFile];
      assert.equal(await runVerifyExport([join(bundle, 'report.pdf'), join(bundle, 'manifest.json'), ...key], io), 2);
      assert.match(output.text, /is the manifest of a bundle: give its folder/);
      const exportManifest = join(folder, 'export-manifest.json');
      writeFileSync(exportManifest, JSON.stringify({ ...manifest, kind: undefined }));
      assert.equal(await runVerifyExport([bundle, exportManifest, ...key], io), 2);
      assert.match(output.text, /is a folder, and .* is not a bundle's manifest/);
    });
  });
});
