import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeyState } from './key-state.js';

describe('KeyState', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'key-state-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('starts empty without a file and survives a reload', async () => {
    const file = join(dir, 'nested', 'a.json');
    const state = await KeyState.load(file);
    assert.equal(state.has('2026-11-28', 'k1'), false);
    state.add('2026-11-28', 'k1');
    state.add('2026-11-27', 'k0');
    await state.save();

    const reloaded = await KeyState.load(file);
    assert.equal(reloaded.has('2026-11-28', 'k1'), true);
    assert.equal(reloaded.has('2026-11-27', 'k0'), true);
    assert.equal(reloaded.has('2026-11-27', 'k1'), false, 'a name belongs to its day');
    assert.deepEqual(await readdir(join(dir, 'nested')), ['a.json'], 'no temp file left behind');
  });

  it('prunes days before the first day kept', async () => {
    const state = await KeyState.load(join(dir, 'prune.json'));
    for (const day of ['2026-11-20', '2026-11-21', '2026-11-22']) state.add(day, `k-${day}`);
    assert.deepEqual(state.prune('2026-11-21'), ['2026-11-20']);
    assert.deepEqual(state.dayList(), ['2026-11-21', '2026-11-22']);
  });

  it('saves called in a burst all resolve, and the file holds every name', async () => {
    const file = join(dir, 'many.json');
    const state = await KeyState.load(file);
    const saves: Promise<void>[] = [];
    for (let n = 0; n < 50; n++) {
      state.add('2026-11-28', `k${n}`);
      saves.push(state.save());
    }
    await Promise.all(saves);
    const document = JSON.parse(await readFile(file, 'utf8')) as { days: Record<string, string[]> };
    assert.equal(document.days['2026-11-28']!.length, 50);
  });

  it('refuses a corrupt state file instead of starting over', async () => {
    const file = join(dir, 'corrupt.json');
    await writeFile(file, '{"version":1,"days":');
    await assert.rejects(KeyState.load(file), /corrupt\.json is not valid JSON/);
    await writeFile(file, '{"days":{}}');
    await assert.rejects(KeyState.load(file), /not a version 1 key state/);
  });
});
