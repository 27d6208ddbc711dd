import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDocuments } from '../sigma/documents.js';
import { compileRule } from '../sigma/rule.js';
import { compileCorrelations, parseTimespan } from './rule.js';
import { compileOne, correlationDocument, RULES, refusalOf } from './testing.js';

const EVENT_COUNT = {
  type: 'event_count',
  rules: ['login-failed'],
  'group-by': ['source.ip'],
  timespan: '5m',
  condition: { gte: 10 },
};

describe('correlation rules', () => {
  it('compiles the specification example, multi-document, with rules referred to by name', () => {
    const yaml = `
title: Failed logins followed by a successful login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - failed_login
        - successful_login
    group-by:
        - user.name
    timespan: 10m
falsepositives:
    - Unlikely
level: high
tags: [attack.credential-access, pci_dss.10.2.1.4]
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
level: low
logsource: { product: test }
detection:
    selection:
        event.outcome: failure
    condition: selection
`;
    const [correlation, rule] = readDocuments(yaml) as Record<string, unknown>[];
    const compiled = compileCorrelations(
      [{ file: 'mr_brute_force.yml', document: correlation! }],
      [compileRule(rule), { id: 'login-succeeded', name: 'successful_login' }],
    );
    assert.deepEqual(compiled.refused, []);
    const [only] = compiled.correlations;
    assert.deepEqual(
      { ...only },
      {
        id: 'b180ead8-d58f-40b2-ae54-c8940995b9b6',
        name: undefined,
        title: 'Failed logins followed by a successful login',
        level: 'high',
        tags: ['attack.credential-access', 'pci_dss.10.2.1.4'],
        type: 'temporal_ordered',
        rules: ['53ba33fd-3a50-4468-a5ef-c583635cfa92', 'login-succeeded'],
        groupBy: ['user.name'],
        groupFields: [['user.name'], ['user.name']],
        timespan: 600_000,
        condition: { min: 2, max: Infinity },
        field: undefined,
        generate: false,
      },
    );
  });

  it('reads every timespan unit and refuses other forms', () => {
    assert.equal(parseTimespan('30s'), 30_000);
    assert.equal(parseTimespan('5m'), 300_000);
    assert.equal(parseTimespan('1h'), 3_600_000);
    assert.equal(parseTimespan('1d'), 86_400_000);
    for (const bad of ['', '5', 'm', '0m', '1H', '1.5h', '1h30m', '-5m', 5, undefined]) {
      assert.match(refusalOf({ ...EVENT_COUNT, timespan: bad }), /'timespan' must be/, String(bad));
    }
  });

  it('turns a condition into the range of counts it accepts', () => {
    const range = (condition: Record<string, unknown>) => compileOne({ ...EVENT_COUNT, condition }).condition;
    assert.deepEqual(range({ gt: 100, lte: 200 }), { min: 101, max: 200 });
    assert.deepEqual(range({ gte: 10 }), { min: 10, max: Infinity });
    assert.deepEqual(range({ lt: 3 }), { min: 0, max: 2 });
    assert.deepEqual(range({ eq: 5 }), { min: 5, max: 5 });
  });

  it('keeps a value_count field and defaults the temporal condition to every rule', () => {
    const spraying = compileOne({ ...EVENT_COUNT, type: 'value_count', condition: { field: 'user.name', gte: 5 } });
    assert.equal(spraying.field, 'user.name');
    const temporal = { ...EVENT_COUNT, type: 'temporal', rules: ['failed_login', 'ssh_failed'] };
    assert.deepEqual(compileOne({ ...temporal, condition: undefined }).condition, { min: 2, max: Infinity });
    assert.deepEqual(compileOne({ ...temporal, condition: { gte: 1 } }).condition, { min: 1, max: Infinity });
  });

  it('reads an aliased group-by field per rule', () => {
    const correlation = compileOne({
      type: 'temporal',
      rules: ['failed_login', 'ssh-failed'],
      'group-by': ['attacker', 'host.name'],
      timespan: '1h',
      aliases: { attacker: { failed_login: 'source.ip', 'ssh-failed': 'related.ip' } },
    });
    assert.deepEqual(correlation.groupFields, [
      ['source.ip', 'host.name'],
      ['related.ip', 'host.name'],
    ]);
  });

  it('refuses what it cannot honour, with the reason', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...EVENT_COUNT, type: 'value_sum' }, /'correlation.type' must be one of event_count, value_count/],
      [{ ...EVENT_COUNT, type: undefined }, /'correlation.type' must be one of/],
      [{ ...EVENT_COUNT, timespan: undefined }, /'timespan' must be/],
      [{ ...EVENT_COUNT, condition: undefined }, /'correlation.condition' must be a map/],
      [{ ...EVENT_COUNT, condition: {} }, /'condition' needs one of gt, gte, lt, lte, eq/],
      [{ ...EVENT_COUNT, condition: { gte: 'ten' } }, /'condition.gte' must be a whole number/],
      [{ ...EVENT_COUNT, condition: { gte: 2.5 } }, /'condition.gte' must be a whole number/],
      [{ ...EVENT_COUNT, condition: { gt: 5, lt: 3 } }, /can never be met/],
      [{ ...EVENT_COUNT, condition: { gte: 5000 } }, /must stay below 1000/],
      [{ ...EVENT_COUNT, condition: { lte: 1000 } }, /must stay below 1000/],
      [{ ...EVENT_COUNT, condition: { gte: 10, field: 'user.name' } }, /'condition.field' only applies to value_count/],
      [{ ...EVENT_COUNT, type: 'value_count' }, /value_count correlation needs 'condition.field'/],
      [{ ...EVENT_COUNT, type: 'value_count', condition: { gte: 3, field: ['a', 'b'] } }, /needs 'condition.field'/],
      [{ ...EVENT_COUNT, type: 'temporal' }, /a temporal correlation needs at least 2 rules/],
      [{ ...EVENT_COUNT, type: 'temporal_ordered' }, /a temporal_ordered correlation needs at least 2 rules/],
      [
        { ...EVENT_COUNT, type: 'temporal', rules: ['login-failed', 'ssh-failed'], condition: { gte: 3 } },
        /asks for more than the 2 listed rules/,
      ],
      [{ ...EVENT_COUNT, rules: ['no-such-rule'] }, /'no-such-rule' is not the id or name of a loaded detection rule/],
      [{ ...EVENT_COUNT, rules: [] }, /'correlation.rules' must list rules/],
      [{ ...EVENT_COUNT, rules: ['login-failed', 'failed_login'] }, /lists rule 'login-failed' twice/],
      [{ ...EVENT_COUNT, 'group-by': undefined }, /'correlation.group-by' is missing/],
      [{ ...EVENT_COUNT, 'group-by': ['user..name'] }, /empty segment/],
      [{ ...EVENT_COUNT, ordered: true }, /'correlation.ordered' is not a correlation key/],
      [
        { ...EVENT_COUNT, 'group-by': ['actor'], aliases: { actor: { 'ssh-failed': 'source.ip' } } },
        /alias 'actor' names rule 'ssh-failed', which is not listed/,
      ],
      [
        {
          ...EVENT_COUNT,
          rules: ['login-failed', 'ssh-failed'],
          'group-by': ['actor'],
          aliases: { actor: { 'login-failed': 'source.ip' } },
        },
        /alias 'actor' gives no field for rule 'ssh-failed'/,
      ],
    ];
    for (const [correlation, reason] of cases)
      assert.match(refusalOf(correlation), reason, JSON.stringify(correlation));
  });

  it('refuses bad metadata', () => {
    assert.match(refusalOf(EVENT_COUNT, { id: undefined }), /'id' must be a non-empty string/);
    assert.match(refusalOf(EVENT_COUNT, { level: 'urgent' }), /'level' must be one of/);
    assert.match(refusalOf(EVENT_COUNT, { tags: ['PCI'] }), /tag 'PCI' is not/);
    assert.match(refusalOf(EVENT_COUNT, { generate: 'yes' }), /'generate' must be true or false/);
    assert.match(refusalOf(EVENT_COUNT, { id: 'login-failed' }), /already the id of a detection rule/);
    assert.match(refusalOf(EVENT_COUNT, { status: 'unsupported' }), /status is 'unsupported'/);
  });

  it('chains correlations by id or name, each after those it refers to; refuses ambiguous names, chains through a refused correlation, and loops', () => {
    const temporal = (rules: string[]) => ({ ...EVENT_COUNT, type: 'temporal', rules, condition: undefined });
    const { correlations, refused } = compileCorrelations(
      [
        {
          file: 'b.yml',
          document: correlationDocument(temporal(['brute_force', 'successful_login']), { id: 'chained' }),
        },
        { file: 'a.yml', document: correlationDocument(EVENT_COUNT, { id: 'brute-force', name: 'brute_force' }) },
        { file: 'c.yml', document: correlationDocument({ ...EVENT_COUNT, rules: ['shared'] }, { id: 'ambiguous' }) },
        { file: 'd.yml', document: correlationDocument(EVENT_COUNT, { id: 'brute-force' }) },
        {
          file: 'e.yml',
          document: correlationDocument(temporal(['ambiguous', 'failed_login']), { id: 'via-refused' }),
        },
        { file: 'f.yml', document: correlationDocument(temporal(['loop-b', 'failed_login']), { id: 'loop-a' }) },
        { file: 'g.yml', document: correlationDocument(temporal(['loop-a', 'failed_login']), { id: 'loop-b' }) },
      ],
      [...RULES, { id: 'one', name: 'shared' }, { id: 'two', name: 'shared' }],
    );
    assert.deepEqual(
      correlations.map(({ id, rules }) => ({ id, rules })),
      [
        { id: 'brute-force', rules: ['login-failed'] },
        { id: 'chained', rules: ['brute-force', 'login-succeeded'] },
      ],
    );
    assert.deepEqual(refused, [
      { file: 'c.yml', id: 'ambiguous', reason: "rule name 'shared' is the name of several detection rules" },
      { file: 'd.yml', id: 'brute-force', reason: 'the id is already the id of a correlation in a.yml' },
      { file: 'e.yml', id: 'via-refused', reason: "it refers to correlation 'ambiguous', which was refused" },
      { file: 'f.yml', id: 'loop-a', reason: 'the chain of correlations loops: loop-a → loop-b → loop-a' },
      { file: 'g.yml', id: 'loop-b', reason: 'the chain of correlations loops: loop-a → loop-b → loop-a' },
    ]);
  });
});
