import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@sentrail/lib/logger';
import { FileTail, fileOrigin, readCheckpoint, type FileTailOptions, type TailLine } from './file-tail.js';

const logger = createLogger('file-tail-test', 'silent');

/** Waits for a condition the tail brings about; the limit is generous, it only ends a hung test. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const inodeOf = async (path: string) => (await stat(path, { bigint: true })).ino.toString();

describe('FileTail (real files)', () => {
  let directory = '';
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sentrail-tail-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  let n = 0;
  /** A tail of a fresh file, collecting what it hands over. */
  function tailOf(options: Partial<FileTailOptions> = {}) {
    n++;
    const seen: TailLine[] = [];
    const settings: FileTailOptions = {
      path: join(directory, `alerts-${n}.json`),
      checkpointFile: join(directory, `state-${n}`, 'checkpoint.json'),
      startAt: 'beginning',
      pollIntervalMs: 20,
      batchBytes: 4096,
      logger,
      handle: async (lines) => {
        seen.push(...lines);
      },
      ...options,
    };
    const texts = () => seen.map((line) => line.bytes.toString('utf8'));
    return { settings, seen, texts, tail: new FileTail(settings) };
  }

  it('hands over complete lines only, holding a partial one until its newline arrives', async () => {
    const { settings, seen, texts, tail } = tailOf();
    await writeFile(settings.path, '{"id":"1"}\n{"id":"2"}\r\n\n{"id":');
    const inode = await inodeOf(settings.path);
    await tail.start();
    try {
      await until(() => seen.length === 2, 'two lines');
      assert.deepEqual(texts(), ['{"id":"1"}', '{"id":"2"}']);
      assert.deepEqual(
        seen.map((line) => line.origin),
        [fileOrigin(inode, 0), fileOrigin(inode, 11)],
      );
      // The partial line has been read by now, at least once; it is still held.
      await until(async () => (await readCheckpoint(settings.checkpointFile))?.offset === 24, 'the checkpoint');
      assert.equal(seen.length, 2);
      await appendFile(settings.path, '"3"}\n');
      await until(() => seen.length === 3, 'the completed line');
      assert.equal(texts()[2], '{"id":"3"}');
      assert.equal(seen[2]!.origin, fileOrigin(inode, 24));
      assert.ok(seen.every((line) => line.complete));
    } finally {
      await tail.stop();
    }
    assert.deepEqual(await readCheckpoint(settings.checkpointFile), { inode, offset: 35 });
  });

  it('resumes from a checkpoint written mid-file: no duplicate, no gap', async () => {
    const first = tailOf();
    const lines = Array.from({ length: 6 }, (_, i) => `{"id":"${i}"}\n`);
    await writeFile(first.settings.path, lines.slice(0, 3).join(''));
    await first.tail.start();
    await until(() => first.seen.length === 3, 'the first three lines');
    await first.tail.stop();

    await appendFile(first.settings.path, lines.slice(3).join(''));
    const second = tailOf({ path: first.settings.path, checkpointFile: first.settings.checkpointFile });
    await second.tail.start();
    try {
      await until(() => second.seen.length >= 3, 'the next three lines');
    } finally {
      await second.tail.stop();
    }
    assert.deepEqual(
      [...first.texts(), ...second.texts()],
      lines.map((line) => line.trimEnd()),
    );
  });

  it('starts a file it has never seen at its end when told to, never mid-line', async () => {
    const { settings, texts, tail } = tailOf({ startAt: 'end' });
    await writeFile(settings.path, '{"id":"old-1"}\n{"id":"old-2"}\n{"id":"being-wri');
    await tail.start();
    try {
      await until(async () => (await readCheckpoint(settings.checkpointFile)) !== undefined, 'the first checkpoint');
      await appendFile(settings.path, 'tten"}\n{"id":"new"}\n');
      await until(() => texts().length === 2, 'the new lines');
      assert.deepEqual(texts(), ['{"id":"being-written"}', '{"id":"new"}']);
    } finally {
      await tail.stop();
    }
  });

  it('follows rotation: the old file to its end, then the new one from its start', async () => {
    const { settings, seen, texts, tail } = tailOf();
    await writeFile(settings.path, '{"id":"a"}\n');
    const oldInode = await inodeOf(settings.path);
    await tail.start();
    try {
      await until(() => seen.length === 1, 'the first line');
      // Written after the last read, renamed away, then a new file: both must come, in order.
      await appendFile(settings.path, '{"id":"b"}\n{"id":"cut-off');
      await rename(settings.path, `${settings.path}.1`);
      await writeFile(settings.path, '{"id":"c"}\n');
      const newInode = await inodeOf(settings.path);
      await until(() => seen.length === 4, 'the rest of the old file and the new one');
      assert.deepEqual(texts(), ['{"id":"a"}', '{"id":"b"}', '{"id":"cut-off', '{"id":"c"}']);
      assert.equal(seen[2]!.complete, false, 'the unterminated end of the old file is marked');
      assert.equal(seen[2]!.origin, fileOrigin(oldInode, 22));
      assert.equal(seen[3]!.origin, fileOrigin(newInode, 0));
      await until(
        async () => (await readCheckpoint(settings.checkpointFile))?.inode === newInode,
        'the checkpoint on the new file',
      );
    } finally {
      await tail.stop();
    }
    assert.deepEqual(await readCheckpoint(settings.checkpointFile), {
      inode: await inodeOf(settings.path),
      offset: 11,
    });
  });

  it('reads a file rotated in while it was stopped from its start', async () => {
    const first = tailOf();
    await writeFile(first.settings.path, '{"id":"1"}\n');
    await first.tail.start();
    await until(() => first.seen.length === 1, 'the first line');
    await first.tail.stop();

    await rename(first.settings.path, `${first.settings.path}.1`);
    await writeFile(first.settings.path, '{"id":"2"}\n');
    const second = tailOf({ path: first.settings.path, checkpointFile: first.settings.checkpointFile });
    await second.tail.start();
    try {
      await until(() => second.seen.length === 1, 'the line of the new file');
    } finally {
      await second.tail.stop();
    }
    assert.deepEqual(second.texts(), ['{"id":"2"}']);
    assert.equal(second.seen[0]!.origin, fileOrigin(await inodeOf(first.settings.path), 0));
  });

  it('starts again at 0 when the file is truncated', async () => {
    const { settings, seen, texts, tail } = tailOf();
    await writeFile(settings.path, '{"id":"before-1"}\n{"id":"before-2"}\n');
    await tail.start();
    try {
      await until(() => seen.length === 2, 'the first lines');
      await truncate(settings.path, 0);
      await until(async () => (await readCheckpoint(settings.checkpointFile))?.offset === 0, 'the reset checkpoint');
      await appendFile(settings.path, '{"id":"after"}\n');
      await until(() => seen.length === 3, 'the line after truncation');
      assert.deepEqual(texts().slice(2), ['{"id":"after"}']);
      assert.equal(seen[2]!.origin, fileOrigin(await inodeOf(settings.path), 0));
    } finally {
      await tail.stop();
    }
  });

  it('keeps the checkpoint where it was while the handler fails, and hands the same lines over again', async () => {
    let accepting = false;
    const attempts: string[][] = [];
    const { settings, tail } = tailOf({
      handle: async (lines) => {
        attempts.push(lines.map((line) => line.bytes.toString('utf8')));
        if (!accepting) throw new Error('Kafka did not acknowledge');
      },
    });
    await writeFile(settings.path, '{"id":"x"}\n{"id":"y"}\n');
    const inode = await inodeOf(settings.path);
    await tail.start();
    try {
      await until(() => attempts.length >= 2, 'two failed attempts');
      assert.deepEqual(await readCheckpoint(settings.checkpointFile), { inode, offset: 0 });
      assert.ok(tail.lastError instanceof Error);
      accepting = true;
      await until(async () => (await readCheckpoint(settings.checkpointFile))?.offset === 22, 'the checkpoint');
    } finally {
      await tail.stop();
    }
    assert.ok(attempts.every((lines) => lines.join() === '{"id":"x"},{"id":"y"}'));
    assert.equal(tail.lastError, undefined);
  });

  it('waits for a file that does not exist yet, and writes the checkpoint atomically', async () => {
    const { settings, seen, tail } = tailOf();
    await tail.start();
    try {
      await sleep(100);
      await writeFile(settings.path, '{"id":"late"}\n');
      await until(() => seen.length === 1, 'the line of the late file');
    } finally {
      await tail.stop();
    }
    const saved = JSON.parse(await readFile(settings.checkpointFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(saved, { inode: await inodeOf(settings.path), offset: 14 });
  });
});
