import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SigmaError } from './errors.js';
import { applyTransforms, parseModifiers, type Transform } from './modifiers.js';
import { DASH, MANY, parseSigmaString, type Token } from './pattern.js';

function transformed(value: string, ...transforms: Transform[]): Token[][] {
  return applyTransforms(parseSigmaString(value), transforms);
}

function texts(alternatives: Token[][]): string[] {
  return alternatives.map((tokens) => tokens.join(''));
}

describe('parseModifiers', () => {
  it('reads no modifier as a plain, case-insensitive, OR-linked value', () => {
    assert.deepEqual(parseModifiers([]), {
      kind: 'plain',
      all: false,
      negate: false,
      cased: false,
      transforms: [],
      regexFlags: '',
    });
  });

  it('keeps string transformations in the order written', () => {
    assert.deepEqual(parseModifiers(['windash', 'contains']).transforms, ['windash', 'contains']);
    assert.deepEqual(parseModifiers(['contains', 'windash']).transforms, ['contains', 'windash']);
  });

  it('reads all, neq and cased as flags', () => {
    const modifiers = parseModifiers(['contains', 'all', 'neq', 'cased']);
    assert.equal(modifiers.all, true);
    assert.equal(modifiers.negate, true);
    assert.equal(modifiers.cased, true);
  });

  it('makes base64 and base64offset values case-sensitive', () => {
    assert.equal(parseModifiers(['base64']).cased, true);
    assert.equal(parseModifiers(['base64offset', 'contains']).cased, true);
  });

  it('collects the flags of re from its sub-modifiers, long names included', () => {
    assert.equal(parseModifiers(['re', 'i', 'm', 's']).regexFlags, 'ims');
    assert.equal(parseModifiers(['re', 'ignorecase', 'multiline', 'dotall']).regexFlags, 'ims');
  });

  const refusals: [string[], RegExp][] = [
    [['bogus'], /unknown modifier 'bogus'/],
    [['contains', 'contains'], /'contains' is repeated/],
    [['i'], /'i' is a flag of 're'/],
    [['re', 'i', 'ignorecase'], /flag 'i' is repeated/],
    [['re', 'cidr'], /'re' cannot be combined with 'cidr'/],
    [['re', 'contains'], /'re' cannot be combined with 'contains'/],
    [['contains', 're'], /'re' cannot be combined with 'contains'/],
    [['re', 'cased'], /'re' cannot be combined with 'cased'/],
    [['cidr', 'startswith'], /'cidr' cannot be combined with 'startswith'/],
    [['gt', 'base64'], /'gt' cannot be combined with 'base64'/],
    [['fieldref', 'windash'], /'fieldref' cannot be combined with 'windash'/],
    [['exists', 'all'], /'exists' cannot be combined with 'all'/],
    [['exists', 'neq'], /'exists' cannot be combined with 'neq'/],
    [['expand'], /placeholders/],
    [['wide', 'base64'], /UTF-16/],
    [['utf16le'], /UTF-16/],
    [['hour'], /time-part/],
    [['constructor'], /unknown modifier 'constructor'/],
  ];
  for (const [names, reason] of refusals) {
    it(`refuses ${names.join('|')}`, () => {
      assert.throws(
        () => parseModifiers(names),
        (error) => error instanceof SigmaError && reason.test(error.message),
      );
    });
  }
});

describe('applyTransforms', () => {
  it('puts * around a value for contains, unless already there', () => {
    assert.deepEqual(transformed('foo', 'contains'), [[MANY, 'f', 'o', 'o', MANY]]);
    assert.deepEqual(transformed('*foo*', 'contains'), [[MANY, 'f', 'o', 'o', MANY]]);
  });

  it('puts * after a value for startswith and before it for endswith', () => {
    assert.deepEqual(transformed('ab', 'startswith'), [['a', 'b', MANY]]);
    assert.deepEqual(transformed('ab', 'endswith'), [[MANY, 'a', 'b']]);
  });

  it('encodes a value as base64 (the specification example foobar)', () => {
    assert.deepEqual(texts(transformed('foobar', 'base64')), ['Zm9vYmFy']);
  });

  it('encodes the three base64offset variants as pySigma does', () => {
    assert.deepEqual(texts(transformed('foobar', 'base64offset')), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
  });

  it('finds every base64offset variant inside the encoding of text around the value', () => {
    const value = '/bin/sh -i';
    const variants = texts(transformed(value, 'base64offset'));
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const encoded = Buffer.from(`${prefix}${value}tail`).toString('base64');
      assert.ok(
        variants.some((variant) => encoded.includes(variant)),
        `prefix '${prefix}': ${encoded}`,
      );
    }
  });

  it('applies contains after base64offset to every variant', () => {
    assert.ok(transformed('foobar', 'base64offset', 'contains').every((t) => t[0] === MANY && t.at(-1) === MANY));
  });

  it('refuses to base64-encode a wildcard, but encodes an escaped one', () => {
    assert.throws(() => transformed('foo*', 'base64'), /base64 cannot encode wildcards/);
    assert.throws(() => transformed('-a', 'windash', 'base64offset'), /base64 cannot encode/);
    assert.deepEqual(texts(transformed('foo\\*', 'base64')), [Buffer.from('foo*').toString('base64')]);
  });

  it('marks a dash or slash that starts a word for windash, and no other', () => {
    assert.deepEqual(transformed('-exec /c a-b --x -', 'windash'), [
      [DASH, ...'exec ', DASH, ...'c a-b -', DASH, ...'x -'],
    ]);
  });

  it('marks a dash at the start of the text after a wildcard for windash', () => {
    assert.deepEqual(transformed('*-x', 'windash'), [[MANY, DASH, 'x']]);
  });
});
