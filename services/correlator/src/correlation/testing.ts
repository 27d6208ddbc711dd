// Helpers for the correlation tests: a set of loaded detection rules to refer to, a correlation
// compiled from its `correlation:` section, and ECS-shaped events.

import assert from 'node:assert/strict';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { compileCorrelations, type CompiledCorrelation, type DetectionRuleRef } from './rule.js';

export const RULES: readonly DetectionRuleRef[] = [
  { id: 'login-failed', name: 'failed_login' },
  { id: 'login-succeeded', name: 'successful_login' },
  { id: 'ssh-failed', name: 'ssh_failed' },
];

export const MINUTE = 60_000;
export const T0 = Date.parse('2026-03-01T10:00:00Z');

/** The whole correlation document around `correlation`; `fields` override or add top-level keys. */
export function correlationDocument(
  correlation: Record<string, unknown>,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return { title: 'Test correlation', id: 'test-correlation', level: 'high', correlation, ...fields };
}

export function compileOne(
  correlation: Record<string, unknown>,
  fields?: Record<string, unknown>,
): CompiledCorrelation {
  const { correlations, refused } = compileCorrelations(
    [{ file: 'test.yml', document: correlationDocument(correlation, fields) }],
    RULES,
  );
  assert.deepEqual(refused, []);
  return correlations[0]!;
}

/** Why the correlation is refused; fails the test when it compiles. */
export function refusalOf(correlation: Record<string, unknown>, fields?: Record<string, unknown>): string {
  const { refused } = compileCorrelations(
    [{ file: 'test.yml', document: correlationDocument(correlation, fields) }],
    RULES,
  );
  assert.equal(refused.length, 1, 'the correlation was accepted');
  return refused[0]!.reason;
}

/** A login event of `user` from `ip`. */
export function loginEvent(user: string, ip: string, outcome: 'success' | 'failure'): EcsDocument {
  return {
    '@timestamp': '',
    event: { id: '', kind: 'event', action: 'ConsoleLogin', outcome, dataset: 'aws.cloudtrail', module: 'aws' },
    user: { name: user },
    source: { ip },
  };
}
