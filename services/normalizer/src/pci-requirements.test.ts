import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { pciRequirements, REQUIREMENTS } from './pci-requirements.js';

type Fields = Omit<EcsDocument, 'event' | '@timestamp'> & { event?: Partial<EcsDocument['event']> };

function doc(dataset: string, fields: Fields = {}): EcsDocument {
  const { event, ...rest } = fields;
  return {
    '@timestamp': '2026-11-28T10:00:00.000Z',
    ...rest,
    event: { id: 'x', kind: 'event', outcome: 'success', dataset, module: dataset.split('.')[0]!, ...event },
  };
}

const cloudtrail = (provider: string, action: string, fields: Fields = {}) =>
  doc('aws.cloudtrail', { ...fields, event: { provider, action, ...fields.event } });
const wazuh = (groups: string[], fields: Fields = {}) =>
  doc('wazuh.alerts', { ...fields, wazuh: { rule: { groups } }, rule: { ruleset: 'wazuh', ...fields.rule } });
const k8s = (verb: string, resource: string, fields: Fields = {}) =>
  doc('kubernetes.audit_logs', {
    ...fields,
    kubernetes: { audit: { verb, ...(fields.kubernetes?.['audit'] as object | undefined) } },
    orchestrator: { type: 'kubernetes', resource: { type: resource } },
  });
const integrity = (kind: string, outcome: 'success' | 'failure') =>
  doc('sentrail.integrity', { event: { kind: 'state', outcome }, sentrail: { integrity: { kind } } });

/** For each requirement: events that are evidence for it, and near misses that are not. */
const CASES: Record<string, { tagged: [string, EcsDocument][]; untagged: [string, EcsDocument][] }> = {
  '10.2.1.1': {
    tagged: [
      ['an object read in a CDE bucket', cloudtrail('s3.amazonaws.com', 'GetObject', { labels: { cde: true } })],
    ],
    untagged: [['an object read elsewhere', cloudtrail('s3.amazonaws.com', 'GetObject')]],
  },
  '10.2.1.2': {
    tagged: [
      [
        'root',
        cloudtrail('ec2.amazonaws.com', 'DescribeInstances', {
          aws: { cloudtrail: { user_identity: { type: 'Root' } } },
        }),
      ],
      ['an admin role session', cloudtrail('ec2.amazonaws.com', 'RunInstances', { user: { roles: ['admin'] } })],
      ['a cluster admin', k8s('get', 'secrets', { user: { name: 'bob', group: { name: ['system:masters'] } } })],
      ['sudo on a host', wazuh(['syslog', 'sudo'])],
    ],
    untagged: [
      [
        'an IAM user',
        cloudtrail('ec2.amazonaws.com', 'DescribeInstances', {
          aws: { cloudtrail: { user_identity: { type: 'IAMUser' } } },
        }),
      ],
      ['an authenticated K8s user', k8s('get', 'secrets', { user: { group: { name: ['system:authenticated'] } } })],
    ],
  },
  '10.2.1.3': {
    tagged: [
      ["a request to Sentrail's API", doc('sentrail.access')],
      ['a read of the audit-log bucket', cloudtrail('s3.amazonaws.com', 'GetObject', { labels: { audit_log: true } })],
      ['a CloudTrail LookupEvents', cloudtrail('cloudtrail.amazonaws.com', 'LookupEvents')],
      ['a CloudWatch Logs read', cloudtrail('logs.amazonaws.com', 'FilterLogEvents')],
    ],
    untagged: [['describing trails', cloudtrail('cloudtrail.amazonaws.com', 'DescribeTrails')]],
  },
  '10.2.1.4': {
    tagged: [
      [
        'a failed console login',
        cloudtrail('signin.amazonaws.com', 'ConsoleLogin', {
          event: { category: ['authentication'], outcome: 'failure' },
        }),
      ],
      ['AccessDenied', cloudtrail('s3.amazonaws.com', 'GetObject', { error: { code: 'AccessDenied' } })],
      [
        'an EC2 unauthorized operation',
        cloudtrail('ec2.amazonaws.com', 'RunInstances', { error: { code: 'Client.UnauthorizedOperation' } }),
      ],
      ['a K8s 403', k8s('get', 'secrets', { kubernetes: { audit: { response_status: { code: 403 } } } })],
      ['an API 401', doc('sentrail.access', { http: { response: { status_code: 401 } } })],
      ['an sshd failure', wazuh(['syslog', 'sshd', 'authentication_failed'])],
    ],
    untagged: [
      [
        'a successful login',
        cloudtrail('signin.amazonaws.com', 'ConsoleLogin', { event: { category: ['authentication'] } }),
      ],
      [
        'a throttled call',
        cloudtrail('ec2.amazonaws.com', 'DescribeInstances', { error: { code: 'ThrottlingException' } }),
      ],
      ['a K8s 404', k8s('get', 'secrets', { kubernetes: { audit: { response_status: { code: 404 } } } })],
    ],
  },
  '10.2.1.5': {
    tagged: [
      ['an access key created', cloudtrail('iam.amazonaws.com', 'CreateAccessKey')],
      ['MFA deactivated', cloudtrail('iam.amazonaws.com', 'DeactivateMFADevice')],
      [
        'an Identity Center permission set attached',
        cloudtrail('sso.amazonaws.com', 'AttachManagedPolicyToPermissionSet'),
      ],
      ['a password changed', cloudtrail('signin.amazonaws.com', 'PasswordUpdated')],
      ['a cluster role binding', k8s('create', 'clusterrolebindings')],
      ['a user added on a host', wazuh(['syslog', 'adduser'])],
      [
        'an IAM role changed by Terraform',
        doc('sentrail.changes', { resource: { type: 'aws_iam_role', id: 'deployer' } }),
      ],
    ],
    untagged: [
      ['an IAM read', cloudtrail('iam.amazonaws.com', 'GetUser')],
      ['a role binding read', k8s('get', 'rolebindings')],
      ['a bucket changed by Terraform', doc('sentrail.changes', { resource: { type: 'aws_s3_bucket', id: 'b' } })],
    ],
  },
  '10.2.1.6': {
    tagged: [
      ['StopLogging', cloudtrail('cloudtrail.amazonaws.com', 'StopLogging')],
      ['PutEventSelectors', cloudtrail('cloudtrail.amazonaws.com', 'PutEventSelectors')],
      ['AWS Config recorder stopped', cloudtrail('config.amazonaws.com', 'StopConfigurationRecorder')],
      ['a log group deleted', cloudtrail('logs.amazonaws.com', 'DeleteLogGroup')],
      ['a Wazuh agent stopped', wazuh(['ossec'], { rule: { id: '506' } })],
    ],
    untagged: [
      ['GetTrailStatus', cloudtrail('cloudtrail.amazonaws.com', 'GetTrailStatus')],
      ['another Wazuh rule', wazuh(['ossec'], { rule: { id: '5501' } })],
    ],
  },
  '10.2.1.7': {
    tagged: [
      ['an instance started', cloudtrail('ec2.amazonaws.com', 'RunInstances')],
      ['a bucket deleted', cloudtrail('s3.amazonaws.com', 'DeleteBucket')],
      ['a namespace deleted', k8s('delete', 'namespaces')],
      ['a resource created by Terraform', doc('sentrail.changes', { event: { type: ['creation'] } })],
    ],
    untagged: [
      ['an instance described', cloudtrail('ec2.amazonaws.com', 'DescribeInstances')],
      ['a deployment patched', k8s('patch', 'deployments')],
      ['a resource updated by Terraform', doc('sentrail.changes', { event: { type: ['change'] } })],
    ],
  },
  '10.3.4': {
    tagged: [
      ['a digest validated', integrity('digest_validation', 'success')],
      ['a log file changed (FIM)', wazuh(['syscheck'], { file: { path: '/var/log/audit/audit.log' } })],
      [
        'an object deleted from the audit-log bucket',
        cloudtrail('s3.amazonaws.com', 'DeleteObject', { labels: { audit_log: true }, event: { type: ['deletion'] } }),
      ],
    ],
    untagged: [
      ['an application file changed (FIM)', wazuh(['syscheck'], { file: { path: '/etc/passwd' } })],
      ['a trail status check', integrity('trail_status', 'success')],
    ],
  },
  '10.7.2': {
    tagged: [
      ['a trail not logging', integrity('trail_status', 'failure')],
      ['a digest that fails validation', integrity('digest_validation', 'failure')],
      ['a Wazuh agent disconnected', wazuh(['wazuh'], { rule: { id: '504' } })],
    ],
    untagged: [['a trail logging', integrity('trail_status', 'success')]],
  },
};

describe('PCI DSS v4.0 requirement tags', () => {
  it('has cases for every row of the table, and a row for every case', () => {
    assert.deepEqual(Object.keys(CASES).sort(), [...new Set(REQUIREMENTS.map((row) => row.requirement))].sort());
  });

  for (const [requirement, { tagged, untagged }] of Object.entries(CASES)) {
    describe(requirement, () => {
      for (const [name, document] of tagged) {
        it(`tags ${name}`, () => assert.ok(pciRequirements(document).includes(requirement), JSON.stringify(document)));
      }
      for (const [name, document] of untagged) {
        it(`does not tag ${name}`, () => assert.ok(!pciRequirements(document).includes(requirement)));
      }
    });
  }

  it("keeps the mapper's own tags (Wazuh's, translated), in numeric order without repeats", () => {
    const document = wazuh(['syslog', 'sshd', 'authentication_failed'], {
      pci_dss: { requirements: ['10.2.1.5', '10.2.1.4'] },
    });
    assert.deepEqual(pciRequirements(document), ['10.2.1.4', '10.2.1.5']);
    assert.deepEqual(pciRequirements(doc('aws.cloudtrail', { pci_dss: { requirements: ['10.10.1', '10.2.1'] } })), [
      '10.2.1',
      '10.10.1',
    ]);
  });
});
