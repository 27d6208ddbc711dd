import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyScalar, anyValue, fieldPath } from './fields.js';

function valuesAt(root: unknown, name: string): unknown[] {
  const seen: unknown[] = [];
  anyValue(
    root,
    fieldPath(name),
    (value) => {
      seen.push(value);
      return false;
    },
    undefined,
  );
  return seen;
}

describe('anyValue', () => {
  it('walks a dotted path through nested objects', () => {
    assert.deepEqual(valuesAt({ a: { b: { c: 'x' } } }, 'a.b.c'), ['x']);
  });

  it('looks through arrays at every level, nested ones included', () => {
    const root = { a: [{ b: ['x', ['y']] }, { b: 'z' }, { c: 'w' }, 'scalar'] };
    assert.deepEqual(valuesAt(root, 'a.b'), ['x', 'y', 'z']);
  });

  it('ends on objects and nulls too, and on nothing where the path is missing', () => {
    assert.deepEqual(valuesAt({ a: { b: { c: 1 } } }, 'a.b'), [{ c: 1 }]);
    assert.deepEqual(valuesAt({ a: null }, 'a'), [null]);
    assert.deepEqual(valuesAt({ a: null }, 'a.b'), []);
    assert.deepEqual(valuesAt({ a: 'text' }, 'a.length'), []);
    assert.deepEqual(valuesAt({}, 'a'), []);
  });

  it('does not read inherited properties', () => {
    assert.deepEqual(valuesAt({}, 'constructor'), []);
    assert.deepEqual(valuesAt({ a: {} }, 'a.__proto__'), []);
  });

  it('stops at the first value the test accepts and hands it the context', () => {
    const seen: unknown[] = [];
    const found = anyValue(
      { a: [1, 2, 3] },
      ['a'],
      (value, limit: number) => {
        seen.push(value);
        return (value as number) >= limit;
      },
      2,
    );
    assert.equal(found, true);
    assert.deepEqual(seen, [1, 2]);
  });
});

describe('anyScalar', () => {
  it('visits every string, number and boolean, and no key', () => {
    const seen: unknown[] = [];
    anyScalar({ k: 'a', n: [1, { t: true, z: null }] }, (value) => {
      seen.push(value);
      return false;
    });
    assert.deepEqual(seen, ['a', 1, true]);
  });
});

describe('fieldPath', () => {
  it('splits on dots and refuses empty segments', () => {
    assert.deepEqual(fieldPath('a.b'), ['a', 'b']);
    assert.throws(() => fieldPath('a.'), /empty segment/);
  });
});
