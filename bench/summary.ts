// The table `npm run bench` ends with: one line per bench/results/*.json, from its summary block.
// Not a benchmark: `./sentrail bench` runs it after them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@sentrail/lib/testing';
import type { Result } from './lib/report.js';

type Stored = Result & { benchmark: string; date: string; peak_rss_mib: number };

const folder = join(REPO_ROOT, 'bench/results');

/** 12345 → 12.3k, 1000000 → 1M, 0.456 → 0.46: three significant digits are all a benchmark tells. */
function short(value: number | undefined): string {
  if (value === undefined) return '—';
  for (const [unit, size] of [
    ['M', 1e6],
    ['k', 1e3],
  ] as const)
    if (Math.abs(value) >= size) return `${Number((value / size).toPrecision(3))}${unit}`;
  return String(Number(value.toPrecision(3)));
}

const rows = readdirSync(folder)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const { benchmark, corpus, summary, peak_rss_mib } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Stored;
    const memory = { ...summary.memory, bench: peak_rss_mib };
    return [
      benchmark,
      short(summary.figure),
      summary.unit,
      short(summary.limit),
      summary.ratio === undefined ? '—' : summary.ratio.toFixed(2),
      summary.aim === undefined ? '—' : `${summary.aim} ${summary.met ? 'met' : 'MISSED'}`,
      short(corpus.records),
      Object.entries(memory)
        .map(([name, mib]) => `${name} ${mib}`)
        .join(', '),
    ];
  });

const header = ['benchmark', 'figure', 'unit', 'limit', 'ratio', 'aim', 'corpus', 'peak RSS MiB'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
console.log(['', line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n'));
console.log(
  `\nratio: the figure against the limit measured in the same run (1 = as good as the limit); from ${folder}`,
);
