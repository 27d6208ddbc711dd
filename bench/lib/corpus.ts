import { CloudTrailGenerator, DEMO_ACCOUNT } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';

/**
 * `count` CloudTrail records as JSON lines, seeded (the same seed gives the same corpus): routine
 * activity with the suspicious sequences mixed in, `spacingMs` apart from 2026-11-28T00:00Z.
 */
export function cloudtrailLines(count: number, seed: number, spacingMs: number, account = DEMO_ACCOUNT): string[] {
  const generator = new CloudTrailGenerator(seed, account);
  const start = Date.parse('2026-11-28T00:00:00Z');
  const lines: string[] = [];
  while (lines.length < count) {
    const time = new Date(start + lines.length * spacingMs);
    for (const record of [...generator.routine(time, 200), ...generator.suspicious(time)])
      lines.push(JSON.stringify(record));
  }
  lines.length = count;
  return lines;
}
