import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { PANTHER_CASES, readPantherCases } from '../panther-cases.js';
import { compileRule, parseRule } from './rule.js';
import { CLOUDTRAIL_COUNTERPARTS, matchDocument, targetOf } from './target.js';

const pantherCases = await readPantherCases();
const context = createContext(testConfig().normalizer.context);

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

/** A CloudTrail rule with this detection section. */
function cloudtrailRule(detection: Record<string, unknown>) {
  return compileRule({
    title: 'Guarded',
    id: 'guarded',
    level: 'low',
    logsource: { product: 'aws', service: 'cloudtrail' },
    detection,
  });
}

/** A normalized-looking CloudTrail document: the counterparts the guards read, and its original. */
function withCounterparts(
  ecs: { provider?: string; userAgent?: string },
  original: Record<string, unknown>,
): EcsDocument {
  return {
    '@timestamp': '2024-05-01T00:00:00Z',
    event: {
      id: 'e1',
      kind: 'event',
      action: 'GetObject',
      outcome: 'success',
      provider: ecs.provider,
      dataset: 'aws.cloudtrail',
      module: 'aws',
      original: JSON.stringify(original),
    },
    user_agent: { original: ecs.userAgent },
  };
}

describe('guards of rules on CloudTrail originals', () => {
  const s3 = { eventSource: 's3.amazonaws.com', requestParameters: { bucketName: 'cardholder-statements' } };

  it('checks the items on verbatim counterparts against the ECS document before the original', () => {
    const rule = cloudtrailRule({
      selection: { eventSource: 's3.amazonaws.com', 'requestParameters.bucketName': 'cardholder-statements' },
      condition: 'selection',
    });
    assert.ok(rule.guard);
    assert.equal(rule.guard(withCounterparts({ provider: 's3.amazonaws.com' }, {})), true);
    assert.equal(rule.guard(withCounterparts({ provider: 'ec2.amazonaws.com' }, {})), false);
    assert.equal(matchDocument(rule, withCounterparts({ provider: 's3.amazonaws.com' }, s3)), true);
    // The guard decides first: an original the document contradicts is not even parsed.
    assert.equal(matchDocument(rule, withCounterparts({ provider: 'ec2.amazonaws.com' }, s3)), false);
  });

  it('keeps modifiers: a suffix, a regular expression or a CIDR on a counterpart is checked there too', () => {
    const rule = cloudtrailRule({
      agent: { 'userAgent|endswith': 'terraform' },
      source: { 'eventSource|re': '^s3\\.' },
      condition: 'agent and source',
    });
    assert.equal(rule.guard?.(withCounterparts({ provider: 's3.amazonaws.com', userAgent: 'x terraform' }, {})), true);
    assert.equal(rule.guard?.(withCounterparts({ provider: 's3.amazonaws.com', userAgent: 'aws-cli' }, {})), false);
  });

  it('has no guard when a match needs nothing of the counterparts', () => {
    const unguarded = {
      'a field without a counterpart': { selection: { 'requestParameters.bucketName': 'x' }, condition: 'selection' },
      'a negation': { selection: { eventSource: 's3.amazonaws.com' }, condition: 'not selection' },
      neq: { selection: { 'eventSource|neq': 's3.amazonaws.com' }, condition: 'selection' },
      'null among the values': { selection: { errorCode: ['AccessDenied', null] }, condition: 'selection' },
      exists: { selection: { 'errorCode|exists': true }, condition: 'selection' },
      'a value the empty string meets': { selection: { 'userAgent|re': '.*' }, condition: 'selection' },
      'an alternative without one': {
        a: { eventSource: 's3.amazonaws.com' },
        b: { 'requestParameters.bucketName': 'x' },
        condition: 'a or b',
      },
    };
    for (const [why, detection] of Object.entries(unguarded))
      assert.equal(cloudtrailRule(detection).guard, undefined, why);
  });

  it('ANDs the guards of a conjunction and ORs those of alternatives that all have one', () => {
    const rule = cloudtrailRule({
      s3: { eventSource: 's3.amazonaws.com' },
      kms: { eventSource: 'kms.amazonaws.com' },
      cli: { 'userAgent|startswith': 'aws-cli' },
      condition: '(s3 or kms) and cli',
    });
    const guard = rule.guard!;
    assert.equal(guard(withCounterparts({ provider: 'kms.amazonaws.com', userAgent: 'aws-cli/2' }, {})), true);
    assert.equal(guard(withCounterparts({ provider: 'ec2.amazonaws.com', userAgent: 'aws-cli/2' }, {})), false);
    assert.equal(guard(withCounterparts({ provider: 's3.amazonaws.com', userAgent: 'boto3' }, {})), false);
  });

  it('is only for rules on originals', () => {
    assert.equal(ECS_RULE.guard, undefined);
  });
});

describe('CLOUDTRAIL_COUNTERPARTS', { skip: pantherCases ? false : `${PANTHER_CASES} is absent` }, () => {
  it("holds the normalizer to copying each field verbatim over Panther's cases (empty and null values dropped)", () => {
    let compared = 0;
    for (const { name, log } of pantherCases ?? []) {
      const meta = { ...MAPPER_INPUTS.cloudtrail, origin: 'target-test', receivedAt: '2024-05-01T00:00:00Z' };
      const result = normalize(JSON.stringify(log), meta, { context });
      if (!result.ok) continue;
      for (const [field, counterpart] of CLOUDTRAIL_COUNTERPARTS) {
        const value = valueAt(log, field);
        const expected = value === '' || value === null ? undefined : value;
        assert.deepEqual(valueAt(result.document, counterpart), expected, `${name}: ${field} → ${counterpart}`);
        if (expected !== undefined) compared++;
      }
    }
    assert.ok(compared > 1000, `only ${compared} values compared`);
  });
});

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}
