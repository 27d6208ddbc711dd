import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@sentrail/lib/testing';
import type { MapperName } from '../mappers/index.js';

/** Golden files: src/mappers/testdata/<mapper>/<case>.json and <case>.expected.json. */
export const TESTDATA = join(REPO_ROOT, 'services/normalizer/src/mappers/testdata');

export interface GoldenCase {
  name: string;
  /** The raw record as the file holds it. */
  input: string;
  expectedFile: string;
}

export function goldenCases(mapper: MapperName): GoldenCase[] {
  const folder = join(TESTDATA, mapper);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'))
    .map((file) => {
      const name = file.slice(0, -'.json'.length);
      return {
        name,
        input: readFileSync(join(folder, file), 'utf8').trimEnd(),
        expectedFile: join(folder, `${name}.expected.json`),
      };
    });
}
