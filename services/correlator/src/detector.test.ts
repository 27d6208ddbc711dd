import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { Detector } from './detector.js';
import { loadRulePack, type RulePack } from './rule-pack.js';

const FAILURE = 'a1a1a1a1-0000-4000-8000-000000000001';
const STOPPED = 'a1a1a1a1-0000-4000-8000-000000000002';
const BRUTE = 'a1a1a1a1-0000-4000-8000-000000000003';

const RULES = {
  'failure.yml': `title: Console login failure
id: ${FAILURE}
name: login_failure
level: low
tags: [pci_dss.10.2.1.4]
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure }
  condition: selection
`,
  'stopped.yml': `title: Logging stopped
id: ${STOPPED}
name: logging_stopped
level: critical
tags: [pci_dss.10.2.1.6]
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: StopLogging }
  condition: selection
`,
  'brute.yml': `title: Brute force
id: ${BRUTE}
name: brute_force
level: high
tags: [pci_dss.10.2.1.4]
correlation:
  type: event_count
  rules: [login_failure]
  group-by: [user.name]
  timespan: 10m
  condition: { gte: 3 }
`,
};

function cloudtrail(eventName: string, user: string, second: number, fields: object = {}): EcsDocument {
  const time = new Date(Date.UTC(2026, 10, 28, 10, 0, second)).toISOString();
  const original = { eventID: `${eventName}-${user}-${second}`, eventName, eventTime: time, ...fields };
  return {
    '@timestamp': time,
    event: {
      id: original.eventID,
      kind: 'event',
      action: eventName,
      outcome: 'unknown',
      dataset: 'aws.cloudtrail',
      module: 'aws',
      original: JSON.stringify(original),
    },
    user: { name: user },
  };
}
const failure = (user: string, second: number) =>
  cloudtrail('ConsoleLogin', user, second, { responseElements: { ConsoleLogin: 'Failure' } });

describe('Detector', () => {
  let pack: RulePack;
  before(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sentrail-detector-'));
    for (const [file, text] of Object.entries(RULES)) writeFileSync(join(folder, file), text);
    pack = await loadRulePack(folder);
    assert.deepEqual(pack.refused, []);
  });

  it('raises a single-event rule with its severity, PCI requirement and entity, and an id the event fixes', () => {
    const detector = new Detector(pack);
    const document = cloudtrail('StopLogging', 'alice', 1);
    const [detection, ...rest] = detector.detect('e-1', document);
    assert.equal(rest.length, 0);
    assert.deepEqual(detection!.rule, { id: STOPPED, name: 'logging_stopped', severity: 'critical' });
    assert.deepEqual(detection!.pci_dss.requirements, ['10.2.1.6']);
    assert.deepEqual(detection!.entity, { type: 'user', value: 'alice' });
    assert.deepEqual(detection!.evidence.event_ids, ['e-1']);
    assert.equal(new Detector(pack).detect('e-1', document)[0]!.alert.id, detection!.alert.id, 'deterministic');
  });

  it('leaves a rule that feeds a correlation to the correlation, which raises once and then updates', () => {
    const detector = new Detector(pack);
    assert.deepEqual(detector.detect('f-0', failure('bob', 0)), [], 'a failure alone raises nothing');
    assert.deepEqual(detector.detect('f-1', failure('bob', 10)), []);
    const [raised] = detector.detect('f-2', failure('bob', 20));
    assert.equal(raised!.rule.name, 'brute_force');
    assert.deepEqual(raised!.entity, { type: 'user', value: 'bob' });
    assert.equal(raised!.count, 3);
    assert.deepEqual(raised!.evidence.event_ids, ['f-0', 'f-1', 'f-2']);
    const [updated] = detector.detect('f-3', failure('bob', 30));
    assert.equal(updated!.alert.id, raised!.alert.id, 'the same burst is the same alert');
    assert.equal(updated!.count, 4);
    assert.deepEqual(detector.detect('g-0', failure('carol', 31)), [], "another user's failures are counted apart");
  });

  it('raises nothing for an event no rule matches', () => {
    assert.deepEqual(new Detector(pack).detect('x', cloudtrail('DescribeInstances', 'alice', 1)), []);
  });
});
