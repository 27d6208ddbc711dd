import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@sentrail/lib/testing';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['services/correlator/dist/rules-command.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });

describe('sentrail rules check', () => {
  it("passes the repository's pack, one line per rule", () => {
    const result = run('check', 'rules');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.filter((line) => line.startsWith('ok ')).length >= 30);
    assert.match(lines.at(-1)!, /^\d+ rules compile \(\d+ detection, \d+ correlation\), 0 refused$/);
  });

  it('names a refused rule, its file and the reason, and exits 1; the others still compile', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sentrail-rules-'));
    const rule = (id: string, field: string) =>
      `title: t\nid: ${id}\nlevel: high\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  selection:\n    ${field}: StopLogging\n  condition: selection\n`;
    writeFileSync(join(folder, 'good.yml'), rule('11111111-1111-4111-8111-111111111111', 'eventName'));
    writeFileSync(join(folder, 'bad.yml'), rule('22222222-2222-4222-8222-222222222222', 'eventName|sounds_like'));
    const result = run('check', folder);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^ok +11111111-1111-4111-8111-111111111111/m);
    assert.match(result.stdout, /^refused +22222222-2222-4222-8222-222222222222 +bad\.yml: .*sounds_like/m);
  });

  it('answers a usage error with exit 2', () => {
    const result = run('verify');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: sentrail rules check DIR/);
  });
});
