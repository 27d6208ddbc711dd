// Helpers for the Sigma engine's tests: a valid rule around the part under test, and the refusal
// a rule draws.

import assert from 'node:assert/strict';
import { SigmaRuleError } from './errors.js';
import { compileRule, type CompiledRule } from './rule.js';

export const TEST_RULE_ID = 'test-rule';

/** A valid ECS rule with this detection section; `fields` override or add top-level keys. */
export function detectionRule(detection: Record<string, unknown>, fields: Record<string, unknown> = {}): CompiledRule {
  return compileRule({
    title: 'Test rule',
    id: TEST_RULE_ID,
    level: 'medium',
    logsource: { product: 'test' },
    detection,
    ...fields,
  });
}

/** A rule whose only selection is `selection`, the usual shape of a test of one field item. */
export function selectionRule(selection: unknown): CompiledRule {
  return detectionRule({ selection, condition: 'selection' });
}

/** The SigmaRuleError that compiling throws; fails the test when it compiles. */
export function refusal(compile: () => unknown): SigmaRuleError {
  try {
    compile();
  } catch (error) {
    if (error instanceof SigmaRuleError) return error;
    throw error;
  }
  assert.fail('the rule was accepted');
}
