import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { REPO_ROOT, testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { PANTHER_CASES, readPantherCases } from './panther-cases.js';
import { RuleIndex } from './rule-index.js';
import { loadRules } from './sigma/load.js';
import { compileRule, type CompiledRule } from './sigma/rule.js';
import { matchDocument } from './sigma/target.js';

const CLOUDTRAIL = { product: 'aws', service: 'cloudtrail' };

function rule(id: string, detection: Record<string, unknown>, logsource: object = CLOUDTRAIL): CompiledRule {
  return compileRule({ title: id, id, level: 'low', logsource, detection });
}

const byId = (rules: readonly CompiledRule[]) => rules.map(({ id }) => id);
const withAction = (action: unknown) => ({ event: { action } }) as unknown as EcsDocument;

describe('RuleIndex', () => {
  const rules = [
    rule('trail', { selection: { eventName: ['StopLogging', 'DeleteTrail'] }, condition: 'selection' }),
    rule('ecs-login', { selection: { 'event.action': 'ConsoleLogin' }, condition: 'selection' }, { product: 'x' }),
    rule('root', { selection: { 'userIdentity.type': 'Root' }, condition: 'selection' }),
    rule('prefix', { selection: { 'eventName|startswith': 'Delete' }, condition: 'selection' }),
    rule('not', { selection: { eventName: 'GetObject' }, condition: 'not selection' }),
    rule('either', {
      a: { eventName: 'PutBucketPolicy' },
      b: { 'eventName|contains': 'Acl' },
      condition: 'a or b',
    }),
    rule('both', {
      a: { eventName: ['CreateUser', 'DeleteUser'] },
      b: { eventName: ['DeleteUser', 'CreateAccessKey'] },
      condition: 'a and b',
    }),
  ];
  const index = new RuleIndex(rules);
  const unkeyed = ['root', 'prefix', 'not', 'either'];

  it('runs a keyed rule only for its actions, whatever their case, with every unkeyed rule, in the pack order', () => {
    assert.deepEqual(byId(index.candidates(withAction('StopLogging'))), ['trail', ...unkeyed]);
    assert.deepEqual(byId(index.candidates(withAction('deletetrail'))), ['trail', ...unkeyed]);
    assert.deepEqual(byId(index.candidates(withAction('ConsoleLogin'))), ['ecs-login', ...unkeyed]);
  });

  it('keys a conjunction by the actions both sides allow', () => {
    assert.deepEqual(byId(index.candidates(withAction('DeleteUser'))), [...unkeyed, 'both']);
    assert.deepEqual(byId(index.candidates(withAction('CreateUser'))), unkeyed);
  });

  it('gives an unknown or missing action only the unkeyed rules, and anything else every rule', () => {
    assert.deepEqual(byId(index.candidates(withAction('DescribeInstances'))), unkeyed);
    assert.deepEqual(byId(index.candidates(withAction(undefined))), unkeyed);
    assert.deepEqual(byId(index.candidates(withAction(['StopLogging']))), byId(rules));
  });
});

const pantherCases = await readPantherCases();

describe('RuleIndex and guards over the pack', { skip: pantherCases ? false : `${PANTHER_CASES} is absent` }, () => {
  it("skip no rule that matches any of Panther's cases, and skip over half the rules for most cases", async () => {
    const { rules } = await loadRules(join(REPO_ROOT, 'rules'));
    const index = new RuleIndex(rules);
    const context = createContext(testConfig().normalizer.context);
    const meta = { ...MAPPER_INPUTS.cloudtrail, origin: 'rule-index-test', receivedAt: '2024-05-01T00:00:00Z' };
    let narrowed = 0;
    let matches = 0;
    for (const { name, log } of pantherCases ?? []) {
      const result = normalize(JSON.stringify(log), meta, { context });
      if (!result.ok) continue;
      const { document } = result;
      // Every rule, run whole without the index or a guard.
      const original: unknown = JSON.parse(document.event.original!);
      const expected = rules.filter((rule) => rule.match(rule.target === 'original' ? original : document));
      const candidates = index.candidates(document);
      assert.deepEqual(byId(candidates.filter((rule) => matchDocument(rule, document))), byId(expected), name);
      const guarded = candidates.filter((rule) => !rule.guard || rule.guard(document));
      if (guarded.length * 2 < rules.length) narrowed++;
      matches += expected.length;
    }
    assert.ok(matches > 100, `only ${matches} matches to compare`);
    assert.ok(narrowed * 2 > pantherCases!.length, `only ${narrowed} of ${pantherCases!.length} cases narrowed`);
  });
});
