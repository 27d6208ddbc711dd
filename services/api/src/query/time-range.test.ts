import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from './bad-request.js';
import { checkTimeRange, MAX_RANGE_DAYS } from './time-range.js';

const refused = (from: unknown, to: unknown, message: string) =>
  assert.throws(
    () => checkTimeRange(from, to, 'body'),
    (error) => error instanceof BadRequestError && error.message === message,
  );

describe('checkTimeRange', () => {
  it('gives the range in UTC ISO 8601', () => {
    assert.deepEqual(checkTimeRange('2026-11-28T10:00:00+01:00', '2026-11-29T00:00:00Z', 'body'), {
      from: '2026-11-28T09:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
    });
  });

  it('refuses a missing, unreadable, empty, reversed or too long range, naming the field', () => {
    refused(undefined, '2026-11-29T00:00:00Z', 'body/from is required');
    refused('2026-11-28T00:00:00Z', 'soon', 'body/to must be an ISO 8601 date-time');
    refused(5, '2026-11-29T00:00:00Z', 'body/from must be an ISO 8601 date-time');
    refused('2026-11-28T00:00:00Z', '2026-11-28T00:00:00Z', 'body/to must be later than body/from');
    refused('2026-11-29T00:00:00Z', '2026-11-28T00:00:00Z', 'body/to must be later than body/from');
    refused(
      '2025-01-01T00:00:00Z',
      '2026-11-28T00:00:00Z',
      `body/from to body/to spans more than ${MAX_RANGE_DAYS} days`,
    );
    assert.ok(checkTimeRange('2025-01-01T00:00:00Z', '2026-02-05T00:00:00Z', 'body'));
  });
});
