import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCondition } from './condition.js';
import { SigmaError } from './errors.js';

const id = (name: string) => ({ type: 'identifier', name });

function refused(condition: string, reason: RegExp): void {
  assert.throws(
    () => parseCondition(condition),
    (error) => error instanceof SigmaError && reason.test(error.message),
  );
}

describe('parseCondition', () => {
  it('reads a single identifier', () => {
    assert.deepEqual(parseCondition('selection'), id('selection'));
  });

  it('binds and tighter than or', () => {
    assert.deepEqual(parseCondition('a or b and c'), {
      type: 'or',
      operands: [id('a'), { type: 'and', operands: [id('b'), id('c')] }],
    });
  });

  it('binds not tighter than and', () => {
    assert.deepEqual(parseCondition('not a and b'), {
      type: 'and',
      operands: [{ type: 'not', operand: id('a') }, id('b')],
    });
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(parseCondition('(a or b) and not (c)'), {
      type: 'and',
      operands: [
        { type: 'or', operands: [id('a'), id('b')] },
        { type: 'not', operand: id('c') },
      ],
    });
  });

  it('flattens a chain of the same operator', () => {
    assert.deepEqual(parseCondition('a and b and c'), { type: 'and', operands: [id('a'), id('b'), id('c')] });
  });

  it('reads not not', () => {
    assert.deepEqual(parseCondition('not not a'), { type: 'not', operand: { type: 'not', operand: id('a') } });
  });

  it('reads 1 of and all of with a pattern or them', () => {
    assert.deepEqual(parseCondition('1 of selection*'), { type: 'of', quantifier: 'one', pattern: 'selection*' });
    assert.deepEqual(parseCondition('all of them'), { type: 'of', quantifier: 'all' });
  });

  it('binds x of tighter than not', () => {
    assert.deepEqual(parseCondition('sel and not 1 of filter_*'), {
      type: 'and',
      operands: [id('sel'), { type: 'not', operand: { type: 'of', quantifier: 'one', pattern: 'filter_*' } }],
    });
  });

  it('reads operators in any case', () => {
    assert.deepEqual(parseCondition('a AND NOT b Or ALL OF Them'), parseCondition('a and not b or all of them'));
  });

  it('accepts identifiers with digits, underscores and dashes', () => {
    assert.deepEqual(parseCondition('sel_1 or sel-2'), { type: 'or', operands: [id('sel_1'), id('sel-2')] });
  });

  it('names the column of a syntax error', () => {
    refused('a and', /expected a search identifier.* but the condition ended/);
    refused('a b', /unexpected 'b' at column 3/);
    refused('(a or b', /expected "\)" but the condition ended/);
    refused('a and or b', /expected a search identifier.* at column 7/);
    refused('a ) b', /unexpected '\)' at column 3/);
    refused('a & b', /unexpected character '&' at column 3/);
    refused('()', /expected a search identifier.* at column 2/);
  });

  it('refuses a wildcard pattern outside x of', () => {
    refused('sel*', /the pattern 'sel\*' at column 1 needs "1 of" or "all of"/);
  });

  it('refuses quantities other than 1 and all', () => {
    refused('2 of sel*', /'2 of' at column 1: only "1 of" and "all of"/);
    refused('any of sel*', /'any of' at column 1/);
  });

  it('refuses a missing or keyword target of x of', () => {
    refused('1 of', /expected a search identifier pattern or "them" but the condition ended/);
    refused('1 of and', /expected a search identifier pattern or "them" at column 6/);
  });

  it('refuses Sigma v1 aggregations and near', () => {
    refused('selection | count() by user > 5', /'\|' at column 11: aggregations and near \(Sigma v1\)/);
    refused('a | near b', /aggregations and near/);
  });
});
