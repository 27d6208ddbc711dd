import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createElastic } from '@sentrail/lib/elastic';
import { dropIndexPrefix, REPO_CONFIG, REPO_ROOT, testConfig, uniqueName } from '@sentrail/lib/testing';
import { ApiKeys, parseKey } from './auth/api-keys.js';
import { runKeys } from './keys-command.js';

/** Collects what is written to it. */
class Output extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe('sentrail keys (real Elasticsearch)', () => {
  // A prefix nothing has set up: create must bootstrap it, as on a fresh cluster.
  const prefix = uniqueName('test-keys-command');
  const env = { ...process.env, SENTRAIL_CONFIG: REPO_CONFIG, SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix };
  const elastic = createElastic(testConfig().elasticsearch);
  const keys = new ApiKeys(elastic, prefix);
  after(async () => {
    await dropIndexPrefix(elastic, prefix);
    await elastic.close();
  });

  const keysCommand = async (...args: string[]) => {
    const stdout = new Output();
    const stderr = new Output();
    const status = await runKeys(args, { stdout, stderr }, env);
    return { status, stdout: stdout.text, stderr: stderr.text };
  };

  it('creates the first admin key with no API running: the key on stdout, its id on stderr', async () => {
    const created = spawnSync(
      process.execPath,
      ['services/api/dist/keys-command.js', 'create', '--role', 'admin', '--name', 'first admin'],
      { cwd: REPO_ROOT, env, encoding: 'utf8' },
    );
    assert.equal(created.status, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^stk_[0-9a-f]{16}_\S+$/);
    const principal = await keys.verify(key);
    assert.deepEqual({ ...principal, keyId: undefined }, { keyId: undefined, name: 'first admin', role: 'admin' });
    assert.match(created.stderr, new RegExp(`created API key ${principal!.keyId} "first admin" \\(admin\\)`));
  });

  it('lists keys without secrets, and revokes one: it no longer authenticates', async () => {
    const created = await keysCommand('create', '--role', 'auditor', '--name', 'qsa 2026');
    assert.equal(created.status, 0, created.stderr);
    const key = created.stdout.trim();
    const id = (await keys.verify(key))!.keyId;

    const listed = await keysCommand('list');
    assert.equal(listed.status, 0, listed.stderr);
    const [header, ...rows] = listed.stdout.trim().split('\n');
    assert.match(header!, /^ID\s+ROLE\s+NAME\s+CREATED\s+REVOKED$/);
    const row = rows.find((line) => line.startsWith(id));
    assert.match(row!, /^[0-9a-f]{16}\s+auditor\s+qsa 2026\s+\S+ by \S+@\S+ \(sentrail keys\)\s+-$/);
    assert.ok(!listed.stdout.includes(parseKey(key)!.secret), 'a secret is listed');

    const revoked = await keysCommand('revoke', id);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked API key ${id} "qsa 2026" \\(auditor\\) \\S+ by `));
    assert.equal(await keys.verify(key), undefined);
    const after = await keysCommand('list');
    assert.doesNotMatch(
      after.stdout.split('\n').find((line) => line.startsWith(id))!,
      /-$/,
    );
  });

  it('fails with 1 for a key that does not exist', async () => {
    const missing = await keysCommand('revoke', '0123456789abcdef');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no API key with id "0123456789abcdef"/);
  });

  it('exits 2 naming the problem for bad usage or configuration', async () => {
    const cases: [string[], RegExp][] = [
      [[], /a command is required/],
      [['rotate'], /unknown command "rotate"/],
      [['create', '--name', 'x'], /--role is required/],
      [['create', '--role', 'root', '--name', 'x'], /unknown --role "root"/],
      [['create', '--role', 'analyst'], /--name is required/],
      [['create', '--role', 'analyst', '--name', ' '], /--name is required/],
      [['create', '--role', 'analyst', '--name', 'x', 'extra'], /no arguments besides its options/],
      [['list', 'everything'], /list takes no arguments/],
      [['list', '--role', 'admin'], /list takes no --role/],
      [['revoke'], /revoke takes one key id, not 0/],
      [['revoke', '--force', 'x'], /--force/],
    ];
    for (const [args, problem] of cases) {
      const result = await keysCommand(...args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, problem, args.join(' '));
      assert.match(result.stderr, /usage: sentrail keys create/);
    }
    const stdout = new Output();
    const stderr = new Output();
    const badConfig = { ...env, SENTRAIL_ELASTICSEARCH__NODE: 'not a url' };
    assert.equal(await runKeys(['list'], { stdout, stderr }, badConfig), 2);
    assert.match(stderr.text, /elasticsearch\.node/);
  });
});
