import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FIELDS, EVENT_FIELDS } from './fields.js';

describe('EVENT_FIELDS', () => {
  it('has every leaf of the events mapping with its type, multi-fields included', () => {
    assert.deepEqual(EVENT_FIELDS.get('@timestamp'), {
      name: '@timestamp',
      type: 'date',
      searchable: true,
      aggregatable: true,
    });
    assert.equal(EVENT_FIELDS.get('user.target.name')?.type, 'keyword');
    assert.equal(EVENT_FIELDS.get('source.ip')?.type, 'ip');
    assert.equal(EVENT_FIELDS.get('event.severity')?.type, 'long');
    assert.equal(EVENT_FIELDS.get('labels.cde')?.type, 'boolean');
    assert.equal(EVENT_FIELDS.get('aws.cloudtrail.user_identity.session_context.session_issuer.arn')?.type, 'keyword');
    assert.deepEqual(EVENT_FIELDS.get('user_agent.original'), {
      name: 'user_agent.original',
      type: 'keyword',
      searchable: true,
      aggregatable: true,
    });
    assert.deepEqual(EVENT_FIELDS.get('user_agent.original.text'), {
      name: 'user_agent.original.text',
      type: 'text',
      searchable: true,
      aggregatable: false,
    });
    assert.equal(EVENT_FIELDS.has('user'), false, 'an object is not a field');
  });

  it('marks stored payloads as neither searchable nor aggregatable, and text as not aggregatable', () => {
    assert.deepEqual(EVENT_FIELDS.get('event.original'), {
      name: 'event.original',
      type: 'keyword',
      searchable: false,
      aggregatable: false,
    });
    assert.equal(EVENT_FIELDS.get('aws.cloudtrail.request_parameters')?.searchable, false);
    assert.equal(EVENT_FIELDS.get('message')?.aggregatable, false);
  });

  it('searches bare values only in searchable keyword, text and ip fields', () => {
    for (const name of DEFAULT_FIELDS) {
      const field = EVENT_FIELDS.get(name);
      assert.ok(field?.searchable, name);
      assert.ok(['keyword', 'text', 'ip'].includes(field.type), name);
    }
  });
});
