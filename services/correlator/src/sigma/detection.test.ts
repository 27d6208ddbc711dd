import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionRule, refusal, TEST_RULE_ID } from './testing.js';

// Three selections, each true when the event's field of the same name is 'y'.
const selections = {
  sel_a: { a: 'y' },
  sel_b: { b: 'y' },
  filter_c: { c: 'y' },
  _private: { d: 'y' },
};

function events(...trueFields: string[][]): Record<string, string>[] {
  return trueFields.map((fields) => Object.fromEntries(fields.map((field) => [field, 'y'])));
}

function check(condition: string | string[], matching: string[][], other: string[][]): void {
  const rule = detectionRule({ ...selections, condition });
  for (const event of events(...matching))
    assert.equal(rule.match(event), true, `${JSON.stringify(condition)}: ${JSON.stringify(event)}`);
  for (const event of events(...other))
    assert.equal(rule.match(event), false, `${JSON.stringify(condition)}: ${JSON.stringify(event)}`);
}

function refusedFor(condition: string, reason: RegExp): void {
  const error = refusal(() => detectionRule({ ...selections, condition }));
  assert.equal(error.rule, TEST_RULE_ID);
  assert.match(error.reason, reason);
}

describe('conditions', () => {
  it('an identifier', () => check('sel_a', [['a']], [['b'], []]));

  it('and', () => check('sel_a and sel_b', [['a', 'b']], [['a'], ['b']]));

  it('or', () => check('sel_a or sel_b', [['a'], ['b']], [['c'], []]));

  it('not', () => check('not sel_a', [['b'], []], [['a']]));

  it('and binds tighter than or', () => check('sel_a or sel_b and filter_c', [['a'], ['b', 'c']], [['b'], ['c']]));

  it('not binds tighter than and', () => check('not sel_a and sel_b', [['b']], [['a', 'b'], []]));

  it('parentheses', () =>
    check(
      '(sel_a or sel_b) and filter_c',
      [
        ['a', 'c'],
        ['b', 'c'],
      ],
      [['a'], ['c']],
    ));

  it('not of a parenthesis', () => check('not (sel_a or sel_b)', [['c'], []], [['a'], ['b']]));

  it('1 of a pattern', () => check('1 of sel_*', [['a'], ['b']], [['c'], ['d']]));

  it('all of a pattern', () => check('all of sel_*', [['a', 'b']], [['a'], ['b', 'c']]));

  it('1 of them leaves out identifiers starting with _', () => check('1 of them', [['a'], ['c']], [['d'], []]));

  it('all of them leaves out identifiers starting with _', () => check('all of them', [['a', 'b', 'c']], [['a', 'b']]));

  it('a pattern may name _ identifiers', () => check('1 of _*', [['d']], [['a']]));

  it('selection and not 1 of filters', () => check('sel_a and not 1 of filter_*', [['a']], [['a', 'c']]));

  it('a list of conditions is their OR', () => check(['sel_a and sel_b', 'filter_c'], [['a', 'b'], ['c']], [['a']]));

  it('refuses an identifier the detection does not define', () => {
    refusedFor('sel_a or sel_x', /condition 'sel_a or sel_x': 'sel_x' is not a search identifier/);
  });

  it('refuses a pattern that matches no identifier', () => {
    refusedFor('1 of keyword*', /'keyword\*' matches no search identifier/);
  });

  it('refuses a syntax error with its column', () => {
    refusedFor('sel_a and and', /at column 11/);
  });

  it('refuses an aggregation', () => {
    refusedFor('sel_a | count() > 5', /aggregations/);
  });

  it('refuses a missing or malformed condition', () => {
    assert.match(
      refusal(() => detectionRule({ sel_a: { a: 'y' } })).reason,
      /'detection' must be a map with a condition/,
    );
    assert.match(
      refusal(() => detectionRule({ ...selections, condition: [] })).reason,
      /condition must be a string or a list/,
    );
    assert.match(
      refusal(() => detectionRule({ ...selections, condition: 5 })).reason,
      /condition must be a string or a list/,
    );
  });

  it('ORs maps and keywords in a list', () => {
    const rule = detectionRule({ selection: [{ a: 'x', b: 'y' }, { c: 'z' }, 'needle'], condition: 'selection' });
    assert.equal(rule.match({ a: 'x', b: 'y' }), true);
    assert.equal(rule.match({ c: 'z' }), true);
    assert.equal(rule.match({ q: 'a needle here' }), true);
    assert.equal(rule.match({ a: 'x' }), false);
  });
});
