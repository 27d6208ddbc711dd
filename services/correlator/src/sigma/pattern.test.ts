import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern, DASH, MANY, ONE, parseSigmaString } from './pattern.js';

function matcher(value: string, cased = false): (text: string) => boolean {
  return compilePattern(parseSigmaString(value), cased);
}

describe('parseSigmaString', () => {
  it('reads * and ? as wildcards and other characters as themselves', () => {
    assert.deepEqual(parseSigmaString('a*b?'), ['a', MANY, 'b', ONE]);
  });

  it('reads \\*, \\? and \\\\ as the plain characters', () => {
    assert.deepEqual(parseSigmaString('\\*\\?\\\\'), ['*', '?', '\\']);
  });

  it('keeps a backslash before any other character, or at the end, as a plain backslash', () => {
    assert.deepEqual(parseSigmaString('C:\\Windows\\'), [...'C:\\Windows\\']);
  });

  it('reads \\\\* as a backslash followed by a wildcard, and \\\\\\* as both plain', () => {
    assert.deepEqual(parseSigmaString('\\\\*'), ['\\', MANY]);
    assert.deepEqual(parseSigmaString('\\\\\\*'), ['\\', '*']);
  });

  it('keeps a character outside the BMP as one token', () => {
    assert.deepEqual(parseSigmaString('a😀'), ['a', '😀']);
  });
});

describe('compilePattern', () => {
  it('matches a plain value as the whole string, ignoring case', () => {
    const test = matcher('ConsoleLogin');
    assert.equal(test('consolelogin'), true);
    assert.equal(test('CONSOLELOGIN'), true);
    assert.equal(test('ConsoleLogins'), false);
    assert.equal(test('Console'), false);
  });

  it('matches case-sensitively when cased', () => {
    const test = matcher('ConsoleLogin', true);
    assert.equal(test('ConsoleLogin'), true);
    assert.equal(test('consolelogin'), false);
  });

  it('matches a prefix, a suffix and a substring', () => {
    assert.equal(matcher('Delete*')('deleteTrail'), true);
    assert.equal(matcher('Delete*')('TrailDelete'), false);
    assert.equal(matcher('*Trail')('deleteTRAIL'), true);
    assert.equal(matcher('*Trail')('TrailDelete'), false);
    assert.equal(matcher('*Log*')('StopLOGGING'), true);
    assert.equal(matcher('*Log*')('StopTrail'), false);
  });

  it('matches prefixes, suffixes and substrings case-sensitively when cased', () => {
    assert.equal(matcher('Delete*', true)('deleteTrail'), false);
    assert.equal(matcher('*Trail', true)('DeleteTrail'), true);
    assert.equal(matcher('*Log*', true)('StopLogging'), true);
    assert.equal(matcher('*Log*', true)('StopLOGGING'), false);
  });

  it('matches * alone against any string, the empty one included', () => {
    assert.equal(matcher('*')(''), true);
    assert.equal(matcher('**')('anything'), true);
  });

  it('matches the empty value only against the empty string', () => {
    assert.equal(matcher('')(''), true);
    assert.equal(matcher('')('x'), false);
  });

  it('matches ? as exactly one character, a non-BMP one included', () => {
    const test = matcher('prog?.exe');
    assert.equal(test('progA.exe'), true);
    assert.equal(test('prog😀.exe'), true);
    assert.equal(test('prog.exe'), false);
    assert.equal(test('progAB.exe'), false);
  });

  it('matches * in the middle across any characters, newlines included', () => {
    const test = matcher('a*b');
    assert.equal(test('a\nxx\nB'), true);
    assert.equal(test('ab'), true);
    assert.equal(test('a-b-c'), false);
  });

  it('treats regular-expression characters as plain', () => {
    const test = matcher('a.b(c)?');
    assert.equal(test('a.b(c)x'), true);
    assert.equal(test('aXb(c)x'), false);
    assert.equal(matcher('*[x]+*')('a[x]+b'), true);
    assert.equal(matcher('*[x]+*')('axxb'), false);
  });

  it('treats an escaped wildcard as the plain character', () => {
    const test = matcher('what\\?');
    assert.equal(test('what?'), true);
    assert.equal(test('whats'), false);
    assert.equal(matcher('\\*star')('*star'), true);
    assert.equal(matcher('\\*star')('a star'), false);
  });

  it('folds non-ASCII letters too', () => {
    assert.equal(matcher('ÉTÉ')('été'), true);
    assert.equal(matcher('ÉT*')('étuve'), true);
    assert.equal(matcher('*É*')('beté!'), true);
    assert.equal(matcher('ÉTÉ')('ete'), false);
  });

  it('matches a windash dash as any of -, /, en dash, em dash and horizontal bar', () => {
    const test = compilePattern(['a', DASH, 'b'], false);
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(test(`a${dash}b`), true, dash);
    assert.equal(test('a_b'), false);
  });
});
