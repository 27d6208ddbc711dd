// Golden files (Elastic's integrations style): src/mappers/testdata/<mapper>/<case>.json is a raw
// record, <case>.expected.json the document `normalize` makes of it (without event.original, which
// is the input itself), or {"error": ...} for a record that goes to siem.dlq.
// UPDATE_GOLDEN=1 npm test rewrites the expected files; review the diff before committing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { testConfig } from '@sentrail/lib/testing';
import { createContext } from './context-labels.js';
import { MAPPER_INPUTS, type MapperName } from './mappers/index.js';
import { normalize } from './normalize.js';
import { goldenCases, TESTDATA } from './testing/golden-cases.js';

const GOLDEN_RECEIVED_AT = '2026-11-28T12:00:00.000Z';
const NOW = new Date('2026-11-28T12:00:05.000Z');
const context = createContext(testConfig().normalizer.context);

/** What a golden case's expected file holds for an input. */
function goldenOutput(mapper: MapperName, name: string, input: string): unknown {
  const meta = { ...MAPPER_INPUTS[mapper], origin: `golden:${mapper}/${name}`, receivedAt: GOLDEN_RECEIVED_AT };
  const result = normalize(input, meta, { context, now: NOW, mapper });
  if (!result.ok) return { error: result.error };
  const { original, ...event } = result.document.event;
  assert.equal(original, input, 'event.original is the record exactly as received');
  return { _id: result.id, ...result.document, event };
}

for (const mapper of Object.keys(MAPPER_INPUTS) as MapperName[]) {
  const cases = goldenCases(mapper);
  describe(`golden files: ${mapper}`, () => {
    it('has cases', () => assert.ok(cases.length > 0, `no golden cases for ${mapper} in ${TESTDATA}`));
    for (const { name, input, expectedFile } of cases) {
      it(name, () => {
        const actual = goldenOutput(mapper, name, input);
        if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
        assert.ok(existsSync(expectedFile), `${expectedFile} is missing: run with UPDATE_GOLDEN=1 and review it`);
        assert.deepEqual(actual, JSON.parse(readFileSync(expectedFile, 'utf8')));
      });
    }
  });
}
