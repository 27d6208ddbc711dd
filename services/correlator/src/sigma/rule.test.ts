import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SigmaRuleError } from './errors.js';
import { compileRule, parseRule } from './rule.js';
import { detectionRule, refusal, TEST_RULE_ID } from './testing.js';

const STOP_LOGGING = `
title: CloudTrail logging stopped
id: 4d5f6a1e-0c8b-4c39-9a8e-2f0e7c1d9b21
name: cloudtrail_logging_stopped
status: stable
description: Someone stopped or deleted a trail.
references:
    - https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html
author: Sentrail
date: 2024-05-01
modified: 2024-06-01
tags:
    - attack.defense-evasion
    - attack.t1562.008
    - pci_dss.10.2.1.6
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
    condition: selection
fields:
    - userIdentity.arn
falsepositives:
    - Planned trail migrations
level: high
`;

describe('parseRule', () => {
  it('compiles a rule with its metadata', () => {
    const rule = parseRule(STOP_LOGGING);
    assert.equal(rule.id, '4d5f6a1e-0c8b-4c39-9a8e-2f0e7c1d9b21');
    assert.equal(rule.name, 'cloudtrail_logging_stopped');
    assert.equal(rule.title, 'CloudTrail logging stopped');
    assert.equal(rule.description, 'Someone stopped or deleted a trail.');
    assert.equal(rule.status, 'stable');
    assert.equal(rule.level, 'high');
    assert.deepEqual(rule.tags, ['attack.defense-evasion', 'attack.t1562.008', 'pci_dss.10.2.1.6']);
    assert.deepEqual(rule.logsource, {
      product: 'aws',
      service: 'cloudtrail',
      category: undefined,
      definition: undefined,
    });
  });

  it('targets the CloudTrail original for aws/cloudtrail and matches its own field names', () => {
    const rule = parseRule(STOP_LOGGING);
    assert.equal(rule.target, 'original');
    assert.equal(rule.match({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }), true);
    assert.equal(rule.match({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLogging' }), false);
  });

  it('targets the ECS document for every other log source', () => {
    const rule = parseRule(
      STOP_LOGGING.replace('service: cloudtrail', 'service: guardduty').replace(
        /selection:[\s\S]*condition/,
        'selection:\n        event.action: StopLogging\n    condition',
      ),
    );
    assert.equal(rule.target, 'ecs');
    assert.equal(rule.match({ event: { action: 'StopLogging' } }), true);
    assert.equal(rule.match({ eventName: 'StopLogging' }), false);
  });

  it('reads YAML numbers, quoted numbers and escapes as Sigma means them', () => {
    const rule = parseRule(`
title: t
id: yaml-values
level: low
logsource: { product: linux }
detection:
    numbers:
        code: 4625
        quoted: '0x17'
    path:
        image: 'C:\\Windows\\\\*\\cmd.exe'
    literal:
        name: 'what\\*'
    condition: numbers or path or literal
`);
    assert.equal(rule.match({ code: '4625', quoted: '0x17' }), true);
    assert.equal(rule.match({ code: 4625, quoted: 23 }), false);
    assert.equal(rule.match({ image: 'c:\\windows\\system32\\CMD.EXE' }), true);
    assert.equal(rule.match({ name: 'what*' }), true);
    assert.equal(rule.match({ name: 'whatever' }), false);
  });

  it('names the file when a document is not one rule', () => {
    const error = refusal(() => parseRule(`${STOP_LOGGING}\n---\n${STOP_LOGGING}`, 'two.yml'));
    assert.equal(error.rule, 'two.yml');
    assert.match(error.reason, /expected one YAML document, found 2/);
    assert.match(refusal(() => parseRule('', 'empty.yml')).reason, /found 0/);
  });

  it('refuses invalid YAML and duplicate keys, naming the file', () => {
    const invalid = refusal(() => parseRule('title: [unclosed', 'bad.yml'));
    assert.equal(invalid.rule, 'bad.yml');
    assert.match(invalid.reason, /invalid YAML/);
    assert.match(refusal(() => parseRule('title: a\ntitle: b\n', 'dup.yml')).reason, /Map keys must be unique/);
  });

  it('refuses a YAML alias bomb', () => {
    const level = (name: string, below: string) => `${name}: &${name} [${Array(10).fill(below).join(', ')}]`;
    const bomb = [level('a', 'x'), level('b', '*a'), level('c', '*b'), level('d', '*c')].join('\n');
    assert.match(refusal(() => parseRule(bomb, 'bomb.yml')).reason, /invalid YAML: Excessive alias count/);
  });

  it('refuses rule collections', () => {
    const collection = `action: global\ntitle: t\nlogsource: {product: aws}\n---\ndetection: {s: {a: b}, condition: s}\n`;
    assert.match(refusal(() => parseRule(collection, 'c.yml')).reason, /rule collections/);
  });

  it('throws SigmaRuleError with the id and the reason in its message', () => {
    const error = refusal(() => parseRule(STOP_LOGGING.replace('level: high', 'level: severe')));
    assert.ok(error instanceof SigmaRuleError);
    assert.equal(error.message, `4d5f6a1e-0c8b-4c39-9a8e-2f0e7c1d9b21: ${error.reason}`);
  });
});

describe('compileRule validation', () => {
  const valid = { selection: { a: 'b' }, condition: 'selection' };

  function refusedWith(fields: Record<string, unknown>, reason: RegExp): void {
    const error = refusal(() => detectionRule(valid, fields));
    assert.equal(error.rule, typeof fields.id === 'string' && fields.id !== '' ? fields.id : TEST_RULE_ID);
    assert.match(error.reason, reason);
  }

  it('accepts a minimal rule and custom fields', () => {
    const rule = detectionRule(valid, { status: undefined, custom_field: { anything: 1 } });
    assert.equal(rule.status, undefined);
    assert.deepEqual(rule.tags, []);
  });

  it('accepts an id of any form', () => {
    assert.equal(detectionRule(valid, { id: 'sentrail-root-login' }).id, 'sentrail-root-login');
  });

  it('refuses a rule that is not a map, naming the file', () => {
    const error = refusal(() => compileRule(['a'], 'list.yml'));
    assert.equal(error.rule, 'list.yml');
    assert.match(error.reason, /a rule must be a YAML map/);
  });

  it('refuses a missing id, naming the file', () => {
    const error = refusal(() =>
      compileRule({ title: 't', level: 'low', logsource: { product: 'x' }, detection: valid }, 'f.yml'),
    );
    assert.equal(error.rule, 'f.yml');
    assert.match(error.reason, /'id' is missing/);
  });

  it('refuses a missing or overlong title', () => {
    refusedWith({ title: undefined }, /'title' is missing/);
    refusedWith({ title: 'x'.repeat(257) }, /longer than 256/);
    refusedWith({ title: 5 }, /'title' must be a non-empty string/);
  });

  it('refuses a missing or unknown level', () => {
    refusedWith({ level: undefined }, /'level' is missing/);
    refusedWith({ level: 'severe' }, /'level' must be one of informational, low, medium, high, critical/);
  });

  it('refuses an unknown status, and the unsupported status', () => {
    refusedWith({ status: 'beta' }, /'status' must be one of/);
    refusedWith({ status: 'unsupported' }, /status is 'unsupported'/);
  });

  it('refuses malformed tags', () => {
    refusedWith({ tags: 'attack.t1078' }, /'tags' must be a list of strings/);
    refusedWith({ tags: ['Attack.T1078'] }, /tag 'Attack.T1078' is not a lower-case 'namespace.name'/);
    refusedWith({ tags: ['nonamespace'] }, /tag 'nonamespace'/);
  });

  it('refuses optional fields of the wrong type', () => {
    refusedWith({ description: ['a'] }, /'description' must be a non-empty string/);
    refusedWith({ references: 'https://x' }, /'references' must be a list of strings/);
    refusedWith({ falsepositives: [1] }, /'falsepositives' must be a list of strings/);
    refusedWith({ related: [{ id: 'x', type: 'cousin' }] }, /'related' must be a list of \{id, type\}/);
  });

  it('accepts falsepositives as one string', () => {
    assert.equal(detectionRule(valid, { falsepositives: 'Admins' }).id, TEST_RULE_ID);
  });

  it('refuses a missing or empty log source', () => {
    refusedWith({ logsource: undefined }, /'logsource' must be a map/);
    refusedWith({ logsource: { definition: 'x' } }, /needs a category, a product or a service/);
    refusedWith({ logsource: { product: 5 } }, /'product' must be a non-empty string/);
  });

  it('refuses timeframe, at the top or in the detection', () => {
    refusedWith({ timeframe: '5m' }, /'timeframe' belongs in a correlation rule/);
    const error = refusal(() => detectionRule({ ...valid, timeframe: '5m' }));
    assert.match(error.reason, /'timeframe' belongs in a correlation rule/);
  });

  it('refuses correlation rules and filters', () => {
    refusedWith({ correlation: { type: 'event_count' } }, /correlation rule, not a detection rule/);
    refusedWith({ filter: { rules: ['x'] } }, /Sigma filters are not supported/);
  });
});
