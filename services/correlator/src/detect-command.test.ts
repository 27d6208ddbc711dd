import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '@sentrail/lib/testing';

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['services/correlator/dist/detect-command.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input,
  });
const names = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { rule: { name: string } }).rule.name)
    .sort();

describe('sentrail detect', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sentrail-detect-'));
  // Records from the pack's own test events: a console brute force, then StopLogging.
  const testEvents = (rule: string) =>
    JSON.parse(readFileSync(join(REPO_ROOT, 'rules/cloudtrail', `${rule}.test.json`), 'utf8')) as {
      match: unknown[];
    };
  const records = [
    ...(testEvents('aws_console_brute_force_by_user').match[0] as unknown[]),
    ...testEvents('aws_cloudtrail_logging_stopped').match,
  ];
  const expected = ['aws_cloudtrail_logging_stopped', 'aws_console_brute_force_by_user'];

  it("raises the pack's alerts from a gzipped CloudTrail file, correlations included, with no server", () => {
    const file = join(folder, 'cloudtrail.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));
    const result = run(['--source', 'cloudtrail', file]);
    assert.equal(result.status, 0, result.stderr);
    const raised = names(result.stdout);
    for (const name of expected) assert.ok(raised.includes(name), `${name} in ${raised.join(', ')}`);
    assert.match(
      result.stderr,
      new RegExp(`^${records.length} records: 0 rejected; ${raised.length} alerts from \\d+ rules`, 'm'),
    );
  });

  it('reads normalized documents with --source ecs, and reports a bad line without stopping', () => {
    const normalized = spawnSync(
      process.execPath,
      ['services/normalizer/dist/normalize-command.js', '--source', 'cloudtrail'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        input: records.map((record) => JSON.stringify(record)).join('\n'),
      },
    ).stdout;
    const result = run(['--source', 'ecs', '-'], `${normalized}not json\n`);
    assert.equal(result.status, 1);
    const raised = names(result.stdout);
    for (const name of expected) assert.ok(raised.includes(name), `${name} in ${raised.join(', ')}`);
    assert.match(result.stderr, /stdin:\d+: .*JSON/);
  });

  it('answers an unknown source with exit 2 and the usage', () => {
    const result = run(['--source', 'syslog']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown --source "syslog"/);
  });
});
