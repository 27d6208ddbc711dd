// Panther's labelled CloudTrail cases (../shared/panther-cloudtrail, see its README), for the tests
// that hold the rule pack and the detector to an outside corpus; undefined when it is not on disk.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export const PANTHER_CASES = process.env.PANTHER_CASES ?? '/work/shared/panther-cloudtrail/cases.ndjson';

export interface PantherCase {
  rule: string;
  name: string;
  expected: boolean;
  log: Record<string, unknown>;
}

export async function readPantherCases(path = PANTHER_CASES): Promise<PantherCase[] | undefined> {
  if (!existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PantherCase);
}
