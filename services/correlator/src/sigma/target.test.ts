import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { parseRule } from './rule.js';
import { matchDocument, targetOf } from './target.js';

const CLOUDTRAIL_RULE = parseRule(`
title: Console login without MFA
id: ct-console-no-mfa
level: medium
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        eventName: ConsoleLogin
        additionalEventData.MFAUsed: 'No'
    condition: selection
`);

const ECS_RULE = parseRule(`
title: Failed login
id: ecs-failed-login
level: low
logsource: { category: authentication }
detection:
    selection:
        event.action: ConsoleLogin
        event.outcome: failure
    condition: selection
`);

function document(dataset: string, original: string | undefined, outcome: 'success' | 'failure'): EcsDocument {
  return {
    '@timestamp': '2024-05-01T00:00:00Z',
    event: { id: 'e1', kind: 'event', action: 'ConsoleLogin', outcome, dataset, module: 'aws', original },
  };
}

const LOGIN = JSON.stringify({ eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'No' } });

describe('targetOf', () => {
  it('is original only for product aws with service cloudtrail', () => {
    assert.equal(targetOf({ product: 'aws', service: 'cloudtrail' }), 'original');
    assert.equal(targetOf({ product: 'aws' }), 'ecs');
    assert.equal(targetOf({ product: 'aws', service: 'guardduty' }), 'ecs');
    assert.equal(targetOf({ category: 'authentication' }), 'ecs');
  });
});

describe('matchDocument', () => {
  it('tests a CloudTrail rule against the parsed original', () => {
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('aws.cloudtrail', LOGIN, 'success')), true);
    const withMfa = JSON.stringify({ eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'Yes' } });
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('aws.cloudtrail', withMfa, 'success')), false);
  });

  it('tests an ECS rule against the document itself', () => {
    assert.equal(matchDocument(ECS_RULE, document('aws.cloudtrail', LOGIN, 'failure')), true);
    assert.equal(matchDocument(ECS_RULE, document('aws.cloudtrail', LOGIN, 'success')), false);
  });

  it('does not test a CloudTrail rule against another source, nor a missing or broken original', () => {
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('kubernetes.audit_logs', LOGIN, 'success')), false);
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('aws.cloudtrail', undefined, 'success')), false);
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('aws.cloudtrail', '{not json', 'success')), false);
  });

  it('parses a document’s original once, whatever the number of rules', () => {
    const shared = document('aws.cloudtrail', LOGIN, 'success');
    assert.equal(matchDocument(CLOUDTRAIL_RULE, shared), true);
    // Were the original parsed again, this change would be seen.
    shared.event.original = JSON.stringify({ eventName: 'GetObject' });
    assert.equal(matchDocument(CLOUDTRAIL_RULE, shared), true);
    assert.equal(matchDocument(CLOUDTRAIL_RULE, document('aws.cloudtrail', shared.event.original, 'success')), false);
  });
});
