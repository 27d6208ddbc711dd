// The committed dashboards and provisioning files are what the code generates, byte for byte: a
// change to the code without `npm run dashboards` (or a hand edit of the JSON) fails here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const DASHBOARDS_DIR = fileURLToPath(new URL('..', import.meta.url));
const GENERATE = fileURLToPath(new URL('generate.js', import.meta.url));
const GENERATED_DIRS = ['generated', 'provisioning/datasources', 'provisioning/dashboards'];

function generatedFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of GENERATED_DIRS) {
    for (const name of readdirSync(join(root, dir))
      .filter((file) => /\.(json|yaml)$/.test(file))
      .sort()) {
      files.set(`${dir}/${name}`, readFileSync(join(root, dir, name), 'utf8'));
    }
  }
  return files;
}

describe('dashboards generator', () => {
  const output = mkdtempSync(join(tmpdir(), 'sentrail-dashboards-'));
  after(() => rmSync(output, { recursive: true, force: true }));

  it('regenerates the committed dashboards and provisioning files byte for byte', () => {
    execFileSync(process.execPath, [GENERATE, output], { stdio: 'pipe' });
    const regenerated = generatedFiles(output);
    const committed = generatedFiles(DASHBOARDS_DIR);
    assert.deepEqual([...committed.keys()], [...regenerated.keys()], 'run `npm run dashboards`: the files differ');
    for (const [path, text] of regenerated) {
      assert.equal(committed.get(path), text, `dashboards/${path} is stale: run \`npm run dashboards\``);
    }
  });
});
