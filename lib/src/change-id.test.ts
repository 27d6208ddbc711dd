import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, changeId } from './change-id.js';

describe('change event identity', () => {
  const event = {
    actor: { name: 'terraform-ci' },
    action: 'apply',
    resource: { type: 'aws_security_group', id: 'sg-1' },
    time: '2026-11-28T10:00:00Z',
    system: 'terraform',
  };

  it('writes one canonical text whatever the order of the keys', () => {
    assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: null }), '{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('identifies an event by its content when it has no id, by its id when it has one', () => {
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    assert.equal(changeId(reordered), changeId(event));
    assert.match(changeId(event), /^[0-9a-f]{64}$/);
    assert.notEqual(changeId({ ...event, resource: { type: 'aws_security_group', id: 'sg-2' } }), changeId(event));
    assert.equal(changeId({ ...event, id: 'run-42' }), 'run-42');
  });
});
