import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateSpan } from './date-span.js';

function span(text: string): [string, string] | undefined {
  const found = parseDateSpan(text);
  return found && [found.start.toISOString(), found.end.toISOString()];
}

describe('parseDateSpan', () => {
  it('reads a date as the whole span its precision names, in UTC', () => {
    assert.deepEqual(span('2026'), ['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    assert.deepEqual(span('2026-12'), ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    assert.deepEqual(span('2026-02-28'), ['2026-02-28T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    assert.deepEqual(span('2026-11-28T10:05'), ['2026-11-28T10:05:00.000Z', '2026-11-28T10:06:00.000Z']);
    assert.deepEqual(span('2026-11-28T10:05:07Z'), ['2026-11-28T10:05:07.000Z', '2026-11-28T10:05:08.000Z']);
    assert.deepEqual(span('2026-11-28t10:05:07.25z'), ['2026-11-28T10:05:07.250Z', '2026-11-28T10:05:07.251Z']);
    assert.deepEqual(span('2026-11-28T10:05:07.123456789Z'), ['2026-11-28T10:05:07.123Z', '2026-11-28T10:05:07.124Z']);
  });

  it('applies a zone offset', () => {
    assert.deepEqual(span('2026-11-28T00:30+02:00'), ['2026-11-27T22:30:00.000Z', '2026-11-27T22:31:00.000Z']);
    assert.deepEqual(span('2026-11-28T23:00:00-05:30'), ['2026-11-29T04:30:00.000Z', '2026-11-29T04:30:01.000Z']);
  });

  it('reads years before 100 as themselves', () => {
    assert.deepEqual(span('0042'), ['0042-01-01T00:00:00.000Z', '0043-01-01T00:00:00.000Z']);
  });

  it('refuses what is not a date', () => {
    for (const text of [
      '',
      'yesterday',
      '2026-13',
      '2026-02-29',
      '2026-11-31',
      '2026-11-28T24:00',
      '2026-11-28T10:60',
      '2026-11-28T10:00:60',
      '2026-11-28T10',
      '2026-11-28 10:00',
      '26-11-28',
      '1700000000000',
      '2026-11-28T10:00+25:00',
      '2026-11-28Z',
    ])
      assert.equal(parseDateSpan(text), undefined, text);
  });
});
