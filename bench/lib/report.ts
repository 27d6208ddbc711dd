import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** The machine a figure was measured on: figures from different machines do not compare. */
export const machine = () => ({
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  memory_gib: Math.round(totalmem() / 2 ** 30),
  node: process.version,
});

/** Writes bench/results/<name>.json with the date and machine, and returns the path. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const folder = new URL('../../results/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  const file = new URL(`${name}.json`, folder);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine: machine(), ...result }, null, 2)}\n`,
  );
  return file.pathname;
}
