import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { missingElements } from './completeness.js';

const complete: EcsDocument = {
  '@timestamp': '2026-11-28T10:00:00.000Z',
  event: {
    id: '1',
    kind: 'event',
    action: 'StopLogging',
    outcome: 'success',
    dataset: 'aws.cloudtrail',
    module: 'aws',
  },
  user: { name: 'alice' },
  source: { ip: '198.51.100.7' },
  resource: { type: 'AWS::CloudTrail::Trail', id: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' },
};

describe('PCI DSS 10.2.2 completeness', () => {
  it('finds nothing missing in a complete record', () => {
    assert.deepEqual(missingElements(complete), []);
  });

  it('names each element a record lacks', () => {
    const document: EcsDocument = {
      '@timestamp': complete['@timestamp'],
      event: { ...complete.event, action: undefined, outcome: 'unknown' },
    };
    assert.deepEqual(missingElements(document), ['who', 'what', 'outcome', 'origin', 'resource']);
  });

  it('accepts the id for who, the address or host for origin, the name for resource', () => {
    const document: EcsDocument = {
      ...complete,
      user: { id: 'AIDAEXAMPLE' },
      source: { address: 'cloudtrail.amazonaws.com' },
      resource: { name: 'checkout' },
    };
    assert.deepEqual(missingElements(document), []);
    assert.deepEqual(missingElements({ ...complete, source: undefined, host: { name: 'bastion-1' } }), []);
  });
});
