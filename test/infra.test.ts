// The local servers' scripts, run the way `npm test` and `npm start` run them while the servers are up.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const SERVERS = ['kafka', 'elasticsearch', 'elasticmq', 's3proxy'];

function pids(): Record<string, string> {
  return Object.fromEntries(
    SERVERS.map((server) => [server, readFileSync(join(root, '.local/run', `${server}.pid`), 'utf8').trim()]),
  );
}

describe('infra scripts', () => {
  it('start.sh is a no-op for servers already running: same processes, nothing reported as started', async () => {
    const before = pids();
    const startedFile = join(mkdtempSync(join(tmpdir(), 'sentrail-infra-')), 'started');
    const { stdout, stderr } = await run('infra/start.sh', ['--started-file', startedFile], { cwd: root });
    const output = stdout + stderr;
    for (const server of SERVERS) assert.match(output, new RegExp(`${server}.*already running`));
    assert.deepEqual(pids(), before);
    assert.equal(readFileSync(startedFile, 'utf8'), '');
  });

  it('status.sh reports every server running and healthy', async () => {
    const { stdout } = await run('infra/status.sh', [], { cwd: root });
    for (const server of SERVERS) assert.match(stdout, new RegExp(`${server}.*running`));
  });

  it('start.sh refuses an unknown server by name', async () => {
    await assert.rejects(
      run('infra/start.sh', ['zookeeper'], { cwd: root }),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /unknown server: zookeeper/);
        return true;
      },
    );
  });
});
