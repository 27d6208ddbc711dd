import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawMeta } from '../mapper.js';
import { MAPPER_INPUTS } from './index.js';
import { integrity } from './integrity.js';

const meta: RawMeta = { ...MAPPER_INPUTS.integrity, origin: 'test', receivedAt: '2026-11-28T12:00:00.000Z' };

describe('integrity mapper', () => {
  it('refuses kinds that are names of object properties', () => {
    for (const kind of ['constructor', 'toString', '__proto__'])
      assert.throws(() => integrity({ kind, id: 'x', checkedAt: '2026-11-28T10:00:00Z' }, meta), /unknown integrity/);
  });

  it('fails a trail check that reported an error without flagging it', () => {
    const record = {
      kind: 'trail_status',
      id: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main#2026-11-28T10:00:00.000Z',
      region: 'eu-west-1',
      trail: { arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main', name: 'main' },
      status: null,
      flags: [],
      narrowed: [],
      error: 'ThrottlingException: Rate exceeded',
      checkedAt: '2026-11-28T10:00:00.000Z',
    };
    const { document } = integrity(record, meta);
    assert.equal(document.event.outcome, 'failure');
    assert.equal(document.error?.message, 'ThrottlingException: Rate exceeded');
  });
});
