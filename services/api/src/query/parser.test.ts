import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from './bad-request.js';
import { parseQuery, QUERY_LIMITS, type QueryNode } from './parser.js';

const bare = (text: string, position: number): QueryNode => ({ type: 'term', value: { text, position } });
const term = (name: string, text: string, at: number, valueAt = at + name.length + 1): QueryNode => ({
  type: 'term',
  field: { name, position: at },
  value: { text, position: valueAt },
});

/** The query is refused with this message, which ends with its position, and that position. */
function refused(query: string, message: string, position: number): void {
  assert.throws(
    () => parseQuery(query),
    (error: unknown) => {
      assert.ok(error instanceof QueryError, `not a QueryError: ${String(error)}`);
      assert.equal(error.message, message);
      assert.equal(error.position, position);
      return true;
    },
  );
}

describe('parseQuery', () => {
  it('reads field:value, a bare value and a quoted phrase, with their positions', () => {
    assert.deepEqual(parseQuery('user.name:alice'), term('user.name', 'alice', 0));
    assert.deepEqual(parseQuery('  alice'), bare('alice', 2));
    assert.deepEqual(parseQuery('"access denied"'), bare('access denied', 0));
    assert.deepEqual(parseQuery('message:"access denied"'), term('message', 'access denied', 0));
    assert.deepEqual(parseQuery('user.name: alice'), term('user.name', 'alice', 0, 11));
  });

  it('reads every event from an empty query and from a lone *', () => {
    assert.deepEqual(parseQuery(''), { type: 'all' });
    assert.deepEqual(parseQuery('   '), { type: 'all' });
    assert.deepEqual(parseQuery('*'), { type: 'all' });
  });

  it('splits field and value at the first colon, so values may hold colons', () => {
    assert.deepEqual(parseQuery('resource.id:arn:aws:s3:::bucket'), term('resource.id', 'arn:aws:s3:::bucket', 0));
    assert.deepEqual(parseQuery('@timestamp:2026-11-28T10:00:00Z'), term('@timestamp', '2026-11-28T10:00:00Z', 0));
    assert.deepEqual(parseQuery('arn\\:aws'), bare('arn:aws', 0));
  });

  it('keeps escaped and quoted characters as they are, and wildcards only where unescaped', () => {
    assert.deepEqual(parseQuery('user.name:adm*'), {
      type: 'term',
      field: { name: 'user.name', position: 0 },
      value: { text: 'adm*', position: 10, wildcard: 'adm*' },
    });
    assert.deepEqual(parseQuery('file.path:C\\:\\\\tmp\\*?'), {
      type: 'term',
      field: { name: 'file.path', position: 0 },
      value: { text: 'C:\\tmp*?', position: 10, wildcard: 'C:\\\\tmp\\*?' },
    });
    assert.deepEqual(parseQuery('user.name:a\\*b'), term('user.name', 'a*b', 0));
    assert.deepEqual(parseQuery('"a*b (c) \\"d\\" \\\\"'), bare('a*b (c) "d" \\', 0));
    assert.deepEqual(parseQuery('a\\ b\\(c\\)'), bare('a b(c)', 0));
  });

  it('reads field:* as exists', () => {
    assert.deepEqual(parseQuery('user.name:*'), { type: 'exists', field: { name: 'user.name', position: 0 } });
    assert.deepEqual(parseQuery('user.name:"*"'), term('user.name', '*', 0));
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    assert.deepEqual(parseQuery('a OR b AND c'), {
      type: 'or',
      operands: [bare('a', 0), { type: 'and', operands: [bare('b', 5), bare('c', 11)] }],
    });
    assert.deepEqual(parseQuery('NOT a AND b'), {
      type: 'and',
      operands: [{ type: 'not', operand: bare('a', 4) }, bare('b', 10)],
    });
    assert.deepEqual(parseQuery('not not a'), { type: 'not', operand: { type: 'not', operand: bare('a', 8) } });
  });

  it('ANDs terms side by side', () => {
    assert.deepEqual(parseQuery('a b OR c'), {
      type: 'or',
      operands: [{ type: 'and', operands: [bare('a', 0), bare('b', 2)] }, bare('c', 7)],
    });
    assert.deepEqual(parseQuery('a AND b c'), { type: 'and', operands: [bare('a', 0), bare('b', 6), bare('c', 8)] });
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(parseQuery('(a OR b) c'), {
      type: 'and',
      operands: [{ type: 'or', operands: [bare('a', 1), bare('b', 6)] }, bare('c', 9)],
    });
    assert.deepEqual(parseQuery('NOT (a)'), { type: 'not', operand: bare('a', 5) });
  });

  it('reads keywords in any case, and as values when escaped, quoted or after a colon', () => {
    assert.deepEqual(parseQuery('a and b Or c'), parseQuery('a AND b OR c'));
    assert.deepEqual(parseQuery('nOt a'), { type: 'not', operand: bare('a', 4) });
    assert.deepEqual(parseQuery('"and"'), bare('and', 0));
    assert.deepEqual(parseQuery('\\or'), bare('or', 0));
    assert.deepEqual(parseQuery('event.action:not'), term('event.action', 'not', 0));
  });

  it('reads comparisons, with or without spaces', () => {
    const lower = (value: string, position: number, inclusive: boolean) => ({
      type: 'range',
      field: { name: 'event.severity', position: 0 },
      lower: { value: { text: value, position }, inclusive },
    });
    assert.deepEqual(parseQuery('event.severity >= 10'), lower('10', 18, true));
    assert.deepEqual(parseQuery('event.severity>10'), lower('10', 15, false));
    assert.deepEqual(parseQuery('@timestamp < 2026-11-28T10:00:00Z'), {
      type: 'range',
      field: { name: '@timestamp', position: 0 },
      upper: { value: { text: '2026-11-28T10:00:00Z', position: 13 }, inclusive: false },
    });
    assert.deepEqual(parseQuery('a <= "x y"'), {
      type: 'range',
      field: { name: 'a', position: 0 },
      upper: { value: { text: 'x y', position: 5 }, inclusive: true },
    });
  });

  it('reads [a TO b] inclusive, {a TO b} exclusive, mixed, and * as an open side', () => {
    assert.deepEqual(parseQuery('n:[1 TO 5]'), {
      type: 'range',
      field: { name: 'n', position: 0 },
      lower: { value: { text: '1', position: 3 }, inclusive: true },
      upper: { value: { text: '5', position: 8 }, inclusive: true },
    });
    assert.deepEqual(parseQuery('n:{1 to 5]'), {
      type: 'range',
      field: { name: 'n', position: 0 },
      lower: { value: { text: '1', position: 3 }, inclusive: false },
      upper: { value: { text: '5', position: 8 }, inclusive: true },
    });
    assert.deepEqual(parseQuery('n:[* TO 2026-11-28T00:00:00Z}'), {
      type: 'range',
      field: { name: 'n', position: 0 },
      upper: { value: { text: '2026-11-28T00:00:00Z', position: 8 }, inclusive: false },
    });
    assert.deepEqual(parseQuery('n:[* TO *]'), { type: 'exists', field: { name: 'n', position: 0 } });
  });

  it('reads a value list: field:( … ) compares each value inside with the field, AND/OR/NOT and nesting kept', () => {
    const field = { name: 'event.action', position: 0 };
    assert.deepEqual(parseQuery('event.action:(StopLogging OR "Delete Trail")'), {
      type: 'or',
      operands: [
        { type: 'term', field, value: { text: 'StopLogging', position: 14 } },
        { type: 'term', field, value: { text: 'Delete Trail', position: 29 } },
      ],
    });
    const a = { name: 'a', position: 0 };
    assert.deepEqual(parseQuery('a:(b (NOT c:d) *)'), {
      type: 'and',
      operands: [
        { type: 'term', field: a, value: { text: 'b', position: 3 } },
        { type: 'not', operand: { type: 'term', field: a, value: { text: 'c:d', position: 10 } } },
        { type: 'exists', field: a },
      ],
    });
    // The list ends at its parenthesis: what follows is a term of its own.
    assert.deepEqual(parseQuery('a:(b) c'), {
      type: 'and',
      operands: [
        { type: 'term', field: a, value: { text: 'b', position: 3 } },
        { type: 'term', value: { text: 'c', position: 6 } },
      ],
    });
  });

  it('refuses broken syntax, saying where', () => {
    refused('user.name:alice )', "unexpected ')' at 16", 16);
    refused('a AND (b OR c))', "unexpected ')' at 14", 14);
    refused('user:"alice', 'unclosed quote starting at 5', 5);
    refused('user.name:', "expected a value after 'user.name:' at 10", 10);
    refused('user.name: AND b', "expected a value after 'user.name:' at 11", 11);
    refused('event.action:(a OR', "expected a term after 'OR' at 18", 18);
    refused('event.action:(a', "unclosed '(' at 13", 13);
    refused('a AND (b OR c', "unclosed '(' at 6", 6);
    refused('()', "unexpected ')' at 1", 1);
    refused('a AND', "expected a term after 'AND' at 5", 5);
    refused('a OR ', "expected a term after 'OR' at 5", 5);
    refused('NOT', "expected a term after 'NOT' at 3", 3);
    refused('AND a', "unexpected 'AND' at 0", 0);
    refused('a OR OR b', "unexpected 'OR' at 5", 5);
    refused('abc\\', 'a backslash at 3 escapes nothing', 3);
    refused(':x', "expected a field name before ':' at 0", 0);
    refused('>= 5', "unexpected '>=' at 0", 0);
    refused('"a" >= 5', "unexpected '>=' at 4", 4);
    refused('a:b >= 5', "unexpected '>=' at 4", 4);
    refused('a ]', "unexpected ']' at 2", 2);
  });

  it('refuses broken ranges, saying where', () => {
    refused('n >= *', "'*' at 5 is not a range bound; write field:* to test that a field exists", 5);
    refused('n >= 1*', "a range bound cannot hold a wildcard: '1*' at 5", 5);
    refused('n:[1* TO 5]', "a range bound cannot hold a wildcard: '1*' at 3", 3);
    refused('n:[1 5]', "expected 'TO' at 5", 5);
    refused('n:[1 TO 5', "unclosed '[' at 2", 2);
    refused('n:[1 TO 5 6]', "expected ']' or '}' at 10", 10);
    refused('n:[ TO 5]', "expected a value after '[' at 4", 4);
    refused('n >=', "expected a value after 'n >=' at 4", 4);
  });

  it('refuses a query over its limits, saying where', () => {
    const long = 'a'.repeat(QUERY_LIMITS.bytes - 2) + ' é';
    refused(long, `the query is longer than ${QUERY_LIMITS.bytes} bytes at ${long.length - 1}`, long.length - 1);
    assert.deepEqual(parseQuery('a'.repeat(1000) + ' ' + 'b'.repeat(1000)).type, 'and');

    const deep = '('.repeat(QUERY_LIMITS.depth) + 'a' + ')'.repeat(QUERY_LIMITS.depth);
    assert.deepEqual(parseQuery(deep), bare('a', QUERY_LIMITS.depth));
    refused(`(${deep})`, `the query nests deeper than ${QUERY_LIMITS.depth} levels at ${QUERY_LIMITS.depth}`, 10);
    refused(
      'NOT '.repeat(QUERY_LIMITS.depth + 1) + 'a',
      `the query nests deeper than ${QUERY_LIMITS.depth} levels at 40`,
      40,
    );

    const clauses = Array.from({ length: QUERY_LIMITS.clauses }, (_, i) => `v${i}`).join(' ');
    assert.equal(parseQuery(clauses).type, 'and');
    refused(
      `${clauses} x:*`,
      `the query has more than ${QUERY_LIMITS.clauses} clauses at ${clauses.length + 1}`,
      clauses.length + 1,
    );

    const value = 'x'.repeat(QUERY_LIMITS.valueLength + 1);
    refused(`a:${value}`, `the value at 2 is longer than ${QUERY_LIMITS.valueLength} characters`, 2);
    const pattern = `${'x'.repeat(QUERY_LIMITS.wildcardLength)}*`;
    refused(`a:${pattern}`, `the wildcard value at 2 is longer than ${QUERY_LIMITS.wildcardLength} characters`, 2);
  });
});
