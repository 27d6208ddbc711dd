import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadRules, type LoadedRules } from './load.js';

// A small rules folder of real-shaped rules, one of each case the loader tells apart.
const FILES: Record<string, string> = {
  'aws/cloudtrail_logging_stopped.yml': `
title: CloudTrail logging stopped or trail deleted
id: 6f1b3c7e-5d2a-4a8e-9c41-0b7e2d9f3a10
status: stable
level: high
tags: [attack.defense-evasion, attack.t1562.008, pci_dss.10.2.1.6]
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName: [StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors]
    filter_failed:
        errorCode|exists: true
    condition: selection and not filter_failed
`,
  'aws/iam/root_activity.yaml': `
title: Root account used
id: root-account-used
level: critical
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        userIdentity.type: Root
    filter_service:
        eventType: AwsServiceEvent
    condition: selection and not 1 of filter_*
`,
  'kubernetes/rbac_change.yml': `
title: Kubernetes RBAC object changed
id: k8s-rbac-change
level: medium
logsource: { product: kubernetes, service: audit }
detection:
    selection:
        orchestrator.resource.type: [roles, rolebindings, clusterroles, clusterrolebindings]
        event.type|contains: change
    condition: selection
`,
  'correlations/brute_force.yml': `
title: Console brute force
id: console-brute-force
correlation:
    type: event_count
    rules: [console-login-failed]
    group-by: [source.ip]
    timespan: 5m
    condition: { gte: 10 }
level: high
`,
  'aws/two_rules.yml': `
title: S3 bucket policy changed
id: s3-policy-changed
level: medium
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        eventName: [PutBucketPolicy, DeleteBucketPolicy]
    condition: selection
---
title: Console login failed
id: console-login-failed
level: low
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Failure
    condition: selection
`,
  'refused/unknown_modifier.yml': `
title: Uses a modifier that does not exist
id: bad-modifier
level: low
logsource: { product: aws, service: cloudtrail }
detection:
    selection:
        eventName|sounds_like: ConsoleLogin
    condition: selection
`,
  'refused/duplicate.yml': `
title: Same id as the root rule
id: root-account-used
level: low
logsource: { product: aws, service: cloudtrail }
detection:
    selection: { eventName: x }
    condition: selection
`,
  'refused/broken.yaml': 'title: [unclosed\n',
  'refused/collection.yml': 'action: global\ntitle: t\n---\nid: x\n',
  'README.md': '# not a rule',
};

describe('loadRules', () => {
  let folder: string;
  let loaded: LoadedRules;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sentrail-sigma-'));
    for (const [file, text] of Object.entries(FILES)) {
      await mkdir(join(folder, dirname(file)), { recursive: true });
      await writeFile(join(folder, file), text);
    }
    loaded = await loadRules(folder);
  });

  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('compiles every detection rule under the folder, in path order', () => {
    assert.deepEqual(
      loaded.rules.map((rule) => rule.id),
      [
        '6f1b3c7e-5d2a-4a8e-9c41-0b7e2d9f3a10',
        'root-account-used',
        's3-policy-changed',
        'console-login-failed',
        'k8s-rbac-change',
      ],
    );
  });

  it('hands correlation rules back as parsed documents', () => {
    assert.equal(loaded.correlations.length, 1);
    const [correlation] = loaded.correlations;
    assert.equal(correlation?.file, join('correlations', 'brute_force.yml'));
    assert.deepEqual(correlation?.document.correlation, {
      type: 'event_count',
      rules: ['console-login-failed'],
      'group-by': ['source.ip'],
      timespan: '5m',
      condition: { gte: 10 },
    });
  });

  it('lists what it refused with file, id and reason', () => {
    const refused = new Map(loaded.refused.map((entry) => [entry.file, entry]));
    assert.equal(refused.size, 4);
    assert.deepEqual(refused.get(join('refused', 'unknown_modifier.yml')), {
      file: join('refused', 'unknown_modifier.yml'),
      id: 'bad-modifier',
      reason: "'selection': 'eventName|sounds_like': unknown modifier 'sounds_like'",
    });
    assert.match(
      refused.get(join('refused', 'duplicate.yml'))?.reason ?? '',
      /already the id of a rule in aws.iam.root_activity\.yaml/,
    );
    assert.match(refused.get(join('refused', 'broken.yaml'))?.reason ?? '', /invalid YAML/);
    assert.match(refused.get(join('refused', 'collection.yml'))?.reason ?? '', /rule collections/);
  });

  it('gives rules that match real-shaped events', () => {
    const byId = new Map(loaded.rules.map((rule) => [rule.id, rule]));
    const stopLogging = byId.get('6f1b3c7e-5d2a-4a8e-9c41-0b7e2d9f3a10');
    assert.equal(stopLogging?.target, 'original');
    assert.equal(stopLogging.match({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }), true);
    assert.equal(
      stopLogging.match({
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        errorCode: 'AccessDenied',
      }),
      false,
    );
    const root = byId.get('root-account-used');
    assert.equal(root?.match({ userIdentity: { type: 'Root' }, eventType: 'AwsApiCall' }), true);
    assert.equal(root.match({ userIdentity: { type: 'Root' }, eventType: 'AwsServiceEvent' }), false);
    const rbac = byId.get('k8s-rbac-change');
    assert.equal(rbac?.target, 'ecs');
    assert.equal(
      rbac.match({ orchestrator: { resource: { type: 'clusterrolebindings' } }, event: { type: ['change'] } }),
      true,
    );
    assert.equal(rbac.match({ orchestrator: { resource: { type: 'pods' } }, event: { type: ['change'] } }), false);
  });

  it('fails when the folder does not exist', async () => {
    await assert.rejects(loadRules(join(folder, 'missing')), { code: 'ENOENT' });
  });
});
