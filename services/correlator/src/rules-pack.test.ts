// The rule pack (rules/ at the repository root) as the correlator loads it: every file compiles,
// every rule names the PCI DSS sub-requirement it serves, and every rule meets the events beside it
// in `<rule>.test.json`: those it must match and near misses it must not. A correlation's test file
// holds sequences of raw records instead, run as the pipeline runs them (the normalizer's own code,
// then the detection rules, then a correlation engine): those that must raise an alert and near
// misses that must not. When Panther's labelled CloudTrail cases are at hand, rules that cover the
// behaviour of a Panther rule are held to its verdicts too, except the cases where the rule's
// description says why it differs.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { REPO_ROOT, testConfig } from '@sentrail/lib/testing';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS, type MapperName } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { CorrelationEngine, type CorrelationAlert } from './correlation/engine.js';
import { compileCorrelations, type CompiledCorrelation } from './correlation/rule.js';
import { loadRules } from './sigma/load.js';
import type { CompiledRule } from './sigma/rule.js';
import { matchDocument } from './sigma/target.js';
import { PANTHER_CASES, readPantherCases } from './panther-cases.js';

const RULES_DIR = join(REPO_ROOT, 'rules');

/** The sub-requirements DESIGN.md §4 says Sentrail serves, 10.3.2–10.3.4 and 10.6.x spelled out. */
const DESIGN_REQUIREMENTS = new Set([
  ...['10.2.1.1', '10.2.1.2', '10.2.1.3', '10.2.1.4', '10.2.1.5', '10.2.1.6', '10.2.1.7', '10.2.2'],
  ...['10.3.2', '10.3.3', '10.3.4', '10.4.1', '10.4.1.1', '10.5.1', '10.6.1', '10.6.2', '10.6.3', '10.7.1', '10.7.2'],
]);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const TEST_SUFFIX = '.test.json';

/**
 * Panther rules whose behaviour a Sentrail rule covers, and the cases (by name) where the Sentrail
 * rule deliberately gives the opposite verdict; its description must say why.
 */
const PANTHER_EQUIVALENTS: { panther: string; rule: string; differs?: string[] }[] = [
  { panther: 'AWS.CloudTrail.Stopped', rule: 'aws_cloudtrail_logging_stopped' },
  {
    panther: 'AWS.CloudTrail.EventSelectorsDisabled',
    rule: 'aws_cloudtrail_event_selectors_changed',
    differs: ['Event Selector Enabled'],
  },
  { panther: 'AWS.ConfigService.DisabledDeleted', rule: 'aws_config_recording_stopped' },
  { panther: 'AWS.Console.RootLogin', rule: 'aws_root_account_usage' },
  { panther: 'AWS.CloudTrail.RootPasswordChanged', rule: 'aws_root_account_usage' },
  {
    panther: 'AWS.Root.Activity',
    rule: 'aws_root_account_usage',
    differs: ['Root Activity - CreateServiceLinkedRole', 'Root Read-Only Enumeration'],
  },
  { panther: 'AWS.Console.RootLoginFailed', rule: 'aws_root_console_login_failure' },
  { panther: 'AWS.Unsuccessful.MFA.attempt', rule: 'aws_console_login_failure' },
  { panther: 'AWS.CloudTrail.UnauthorizedAPICall', rule: 'aws_api_access_denied' },
  { panther: 'AWS.IAM.CreateUser', rule: 'aws_iam_identity_changed' },
  { panther: 'AWS.IAM.PolicyModified', rule: 'aws_iam_policy_changed' },
  {
    panther: 'AWS.IAM.Backdoor.User.Keys',
    rule: 'aws_iam_access_key_changed',
    differs: ['user1 create keys for user1'],
  },
  { panther: 'AWS.IAM.CredentialsUpdated', rule: 'aws_iam_login_profile_changed' },
  {
    panther: 'AWS.User.Login.Profile.Modified',
    rule: 'aws_iam_login_profile_changed',
    differs: ['ChangeOwnPassword', 'User changed password for other reset required'],
  },
  {
    panther: 'AWS.CloudTrail.LoginProfileCreatedOrModified',
    rule: 'aws_iam_login_profile_changed',
    differs: ['ChangeOwnPassword'],
  },
  { panther: 'AWS.CloudTrail.NetworkACLPermissiveEntry', rule: 'aws_network_acl_open_to_world' },
  { panther: 'AWS.S3.BucketPolicyModified', rule: 'aws_s3_bucket_policy_changed' },
  { panther: 'AWS.S3.DeletePublicAccessBlock', rule: 'aws_s3_public_access_block_weakened' },
];

interface TestEvents {
  match: unknown[];
  no_match: unknown[];
}

/** A correlation's test file: sequences of raw records of one source, each fed in order to a fresh engine. */
interface TestSequences {
  source: MapperName;
  match: unknown[][];
  no_match: unknown[][];
}

const loaded = await loadRules(RULES_DIR);
const compiled = compileCorrelations(loaded.correlations, loaded.rules);
const files = (await readdir(RULES_DIR, { recursive: true, withFileTypes: true }))
  .filter((entry) => entry.isFile())
  .map((entry) => relative(RULES_DIR, join(entry.parentPath, entry.name)));
const ruleFiles = files.filter((file) => /\.ya?ml$/.test(file));
const testFiles = files.filter((file) => file.endsWith(TEST_SUFFIX));
/** A rule's file, detection or correlation, by the rule's name, which names the file too. */
const ruleFileByName = new Map(ruleFiles.map((file) => [basename(stem(file)), file]));
/** Detection rules and correlations: what every rule of the pack must have. */
const packRules: readonly { id: string; name?: string; title: string; tags: readonly string[] }[] = [
  ...loaded.rules,
  ...compiled.correlations,
];
const pantherCases = await readPantherCases();
const normalizerContext = createContext(testConfig().normalizer.context);

/** A file's path without its extension (`.yml`, `.yaml` or `.test.json`). */
function stem(file: string): string {
  return file.replace(/(\.test\.json|\.ya?ml)$/, '');
}

/** What the correlator gets for a test event: the normalizer's document of a CloudTrail record, else the ECS document as written. */
function documentFor(rule: CompiledRule, event: unknown, label: string): EcsDocument {
  return rule.target === 'original' ? normalized('cloudtrail', event, label).document : (event as EcsDocument);
}

/** What an event is, for a failure message: its name or action and its id. */
function describeEvent(event: unknown): string {
  const record = event as { eventName?: string; eventID?: string; event?: { action?: string; id?: string } };
  return `${record.eventName ?? record.event?.action} ${record.eventID ?? record.event?.id}`;
}

async function readTestFile<T>(name: string | undefined): Promise<T> {
  const file = ruleFileByName.get(name ?? '');
  assert.ok(file, `no rule file is named after ${name}`);
  return JSON.parse(await readFile(join(RULES_DIR, `${stem(file)}${TEST_SUFFIX}`), 'utf8')) as T;
}

/** The document the normalizer makes of a raw record, and its id, as the correlator receives them. */
function normalized(source: MapperName, record: unknown, label: string): { id: string; document: EcsDocument } {
  const result = normalizeRecord(source, record, label);
  if (!result.ok) assert.fail(`${label}: the normalizer refuses it: ${result.error}`);
  return result;
}

function normalizeRecord(source: MapperName, record: unknown, label: string) {
  const meta = { ...MAPPER_INPUTS[source], origin: `rules-pack:${label}`, receivedAt: new Date().toISOString() };
  return normalize(JSON.stringify(record), meta, { context: normalizerContext, mapper: source });
}

/** The alerts a correlation raises or updates over a sequence of raw records, run through the detection rules. */
function correlate(correlation: CompiledCorrelation, source: MapperName, records: unknown[], label: string) {
  // Every correlation of the pack, for those this one is chained to; only its own alerts count.
  const engine = new CorrelationEngine(compiled.correlations);
  return records.flatMap((record, i): CorrelationAlert[] => {
    const { id, document } = normalized(source, record, `${label} record ${i}`);
    const matched = loaded.rules.filter((rule) => matchDocument(rule, document)).map((rule) => rule.id);
    const alerts = engine.process(id, document, matched, Date.parse(document['@timestamp']));
    return alerts.filter((alert) => alert.correlationId === correlation.id);
  });
}

function ruleNamed(name: string): CompiledRule {
  const rule = loaded.rules.find((candidate) => candidate.name === name);
  assert.ok(rule, `no rule is named ${name}`);
  return rule;
}

describe('rule pack', () => {
  it('loads every rule file without a refusal', () => {
    assert.ok(loaded.rules.length > 0, `no rules in ${RULES_DIR}`);
    assert.deepEqual(loaded.refused, []);
  });

  it('compiles every correlation rule without a refusal', () => {
    assert.ok(compiled.correlations.length > 0, `no correlation rules in ${RULES_DIR}`);
    assert.deepEqual(compiled.refused, []);
  });

  it('gives each rule a UUID v4 id and a snake_case name, which its file is named after', () => {
    for (const rule of packRules) {
      assert.match(rule.id, UUID_V4, `${rule.title}: id`);
      assert.ok(rule.name !== undefined && SNAKE_CASE.test(rule.name), `${rule.id}: name '${rule.name}'`);
    }
    const names = packRules.map((rule) => rule.name);
    assert.equal(new Set(names).size, names.length, 'rule names are unique');
    assert.deepEqual(new Set(names), new Set(ruleFiles.map((file) => basename(stem(file)))));
  });

  it('has a test file beside every rule file, and a rule file beside every test file', () => {
    const ruleStems = new Set(ruleFiles.map(stem));
    assert.deepEqual(
      testFiles.filter((file) => !ruleStems.has(stem(file))),
      [],
      'test files without a rule file',
    );
    const testStems = new Set(testFiles.map(stem));
    assert.deepEqual(
      ruleFiles.filter((file) => !testStems.has(stem(file))),
      [],
      'rule files without a test file',
    );
  });

  it('tags every rule with a PCI DSS sub-requirement of DESIGN.md §4', () => {
    for (const rule of packRules) {
      const requirements = rule.tags.filter((tag) => tag.startsWith('pci_dss.')).map((tag) => tag.slice(8));
      assert.ok(
        requirements.some((requirement) => DESIGN_REQUIREMENTS.has(requirement)),
        `${rule.name}: tags ${rule.tags.join(', ')}`,
      );
    }
  });
});

describe('rule test events', () => {
  for (const rule of loaded.rules) {
    it(`${rule.name}: matches its events and none of its near misses`, async () => {
      const events = await readTestFile<TestEvents>(rule.name);
      assert.ok(events.match.length > 0 && events.no_match.length > 0, 'needs events of both kinds');
      for (const [expected, list] of [
        [true, events.match],
        [false, events.no_match],
      ] as const) {
        list.forEach((event, i) => {
          const label = `${expected ? 'match' : 'no_match'}[${i}] (${describeEvent(event)})`;
          assert.equal(matchDocument(rule, documentFor(rule, event, label)), expected, label);
        });
      }
    });
  }
});

describe('correlation test sequences', () => {
  for (const correlation of compiled.correlations) {
    it(`${correlation.name}: alerts on its sequences and on none of its near misses`, async () => {
      const sequences = await readTestFile<TestSequences>(correlation.name);
      assert.ok(Object.hasOwn(MAPPER_INPUTS, sequences.source), `source '${sequences.source}' is not a mapper`);
      assert.ok(sequences.match.length > 0 && sequences.no_match.length > 0, 'needs sequences of both kinds');
      for (const [expected, list] of [
        [true, sequences.match],
        [false, sequences.no_match],
      ] as const) {
        list.forEach((records, i) => {
          const label = `${expected ? 'match' : 'no_match'}[${i}]`;
          assert.ok(records.length > 0, `${label} is empty`);
          const alerts = correlate(correlation, sequences.source, records, label);
          if (expected) assert.ok(alerts.length > 0, `${label} raised no alert`);
          else assert.deepEqual(alerts, [], `${label} raised an alert`);
        });
      }
    });
  }
});

describe('Panther CloudTrail cases', { skip: pantherCases ? false : `${PANTHER_CASES} is absent` }, () => {
  for (const { panther, rule: name, differs = [] } of PANTHER_EQUIVALENTS) {
    it(`${name} agrees with ${panther}${differs.length > 0 ? ' except where it says why' : ''}`, () => {
      const rule = ruleNamed(name);
      const cases = (pantherCases ?? []).filter((entry) => entry.rule === panther);
      assert.ok(cases.length > 0, `no cases of ${panther}`);
      for (const differing of differs) {
        assert.ok(
          cases.some((entry) => entry.name === differing),
          `${panther} has no case '${differing}'`,
        );
      }
      if (differs.length > 0) assert.ok(rule.description?.includes(panther), `${name} must say why it differs`);
      for (const { name: caseName, expected, log } of cases) {
        const verdict = differs.includes(caseName) ? !expected : expected;
        // A record the normalizer refuses goes to the DLQ (Panther redacts some times): it raises nothing.
        const result = normalizeRecord('cloudtrail', log, caseName);
        assert.equal(result.ok && matchDocument(rule, result.document), verdict, caseName);
      }
    });
  }
});
