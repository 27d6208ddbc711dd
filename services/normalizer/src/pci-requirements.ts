// PCI DSS v4.0 requirement 10 tags (DESIGN.md §4) as data: each row names a sub-requirement and the
// condition on the ECS document that makes an event evidence for it. Read the table to know why an
// event carries a tag; add a row to tag more.
import type { EcsDocument } from '@sentrail/lib/ecs';
import { K8S_IAM_RESOURCES } from './mappers/k8s-audit.js';

type Scalar = string | number | boolean;

export type Condition =
  /** The field (any element, for lists) equals one of the values. */
  | { field: string; in: readonly Scalar[] }
  /** The field (any element) starts with one of the prefixes. */
  | { field: string; startsWith: readonly string[] }
  /** The field has no value. */
  | { field: string; absent: true }
  | { all: readonly Condition[] }
  | { any: readonly Condition[] };

export interface RequirementRow {
  requirement: string;
  why: string;
  when: Condition;
}

const cloudtrail = (provider: string | string[], actions: readonly string[]): Condition => ({
  all: [
    { field: 'event.dataset', in: ['aws.cloudtrail'] },
    { field: 'event.provider', in: [provider].flat() },
    { field: 'event.action', in: actions },
  ],
});
const wazuhGroups = (groups: readonly string[]): Condition => ({
  all: [
    { field: 'event.dataset', in: ['wazuh.alerts'] },
    { field: 'wazuh.rule.groups', in: groups },
  ],
});
const wazuhRules = (ids: readonly string[]): Condition => ({
  all: [
    { field: 'event.dataset', in: ['wazuh.alerts'] },
    { field: 'rule.id', in: ids },
  ],
});
const k8s = (verbs: readonly string[], resources: readonly string[], objectsOnly = false): Condition => ({
  all: [
    { field: 'event.dataset', in: ['kubernetes.audit_logs'] },
    { field: 'kubernetes.audit.verb', in: verbs },
    { field: 'orchestrator.resource.type', in: resources },
    // `create pods/exec` runs a command in a pod; it creates no object.
    ...(objectsOnly ? [{ field: 'orchestrator.resource.subresource', absent: true } as const] : []),
  ],
});
const integrity = (kind: string, outcome: string[]): Condition => ({
  all: [
    { field: 'event.dataset', in: ['sentrail.integrity'] },
    { field: 'sentrail.integrity.kind', in: [kind] },
    { field: 'event.outcome', in: outcome },
  ],
});

const K8S_WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];
/** Action name prefixes of the AWS APIs that change something. */
const AWS_WRITE_PREFIXES = [
  'Create',
  'Delete',
  'Update',
  'Put',
  'Attach',
  'Detach',
  'Add',
  'Remove',
  'Enable',
  'Deactivate',
  'Disable',
  'Change',
  'Reset',
  'Set',
  'Upload',
  'Resync',
];

export const REQUIREMENTS: readonly RequirementRow[] = [
  {
    requirement: '10.2.1.1',
    why: 'access to a resource of the cardholder-data environment (normalizer.context.cdeBuckets)',
    when: { field: 'labels.cde', in: [true] },
  },
  {
    requirement: '10.2.1.2',
    why: 'an action by root, an administrator role (normalizer.context.adminRoles), a cluster admin or via sudo',
    when: {
      any: [
        { field: 'aws.cloudtrail.user_identity.type', in: ['Root'] },
        { field: 'user.roles', in: ['admin'] },
        { field: 'user.group.name', in: ['system:masters'] },
        { field: 'user.effective.group.name', in: ['system:masters'] },
        wazuhGroups(['sudo']),
      ],
    },
  },
  {
    requirement: '10.2.1.3',
    why: "access to audit logs: Sentrail's own API, the audit-log buckets, CloudTrail and CloudWatch Logs reads",
    when: {
      any: [
        { field: 'event.dataset', in: ['sentrail.access'] },
        { field: 'labels.audit_log', in: [true] },
        cloudtrail('cloudtrail.amazonaws.com', ['LookupEvents', 'StartQuery', 'GetQueryResults']),
        cloudtrail('logs.amazonaws.com', ['GetLogEvents', 'FilterLogEvents', 'StartQuery', 'GetQueryResults']),
      ],
    },
  },
  {
    requirement: '10.2.1.4',
    why: 'an invalid access attempt: failed authentication, access denied, HTTP 401/403',
    when: {
      any: [
        {
          all: [
            { field: 'event.category', in: ['authentication'] },
            { field: 'event.outcome', in: ['failure'] },
          ],
        },
        {
          field: 'error.code',
          startsWith: ['AccessDenied', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'Unauthorized'],
        },
        { field: 'kubernetes.audit.response_status.code', in: [401, 403] },
        { field: 'http.response.status_code', in: [401, 403] },
        wazuhGroups(['authentication_failed', 'authentication_failures', 'invalid_login']),
      ],
    },
  },
  {
    requirement: '10.2.1.5',
    why: 'a change to identification or credentials: IAM and Identity Center writes, Kubernetes RBAC, accounts',
    when: {
      any: [
        {
          all: [
            { field: 'event.dataset', in: ['aws.cloudtrail'] },
            {
              field: 'event.provider',
              in: [
                'iam.amazonaws.com',
                'sso.amazonaws.com',
                'identitystore.amazonaws.com',
                'sso-directory.amazonaws.com',
              ],
            },
            { field: 'event.action', startsWith: AWS_WRITE_PREFIXES },
          ],
        },
        cloudtrail('signin.amazonaws.com', ['PasswordUpdated', 'ChangePassword']),
        k8s(K8S_WRITES, K8S_IAM_RESOURCES),
        wazuhGroups(['adduser', 'addgroup', 'account_changed', 'userdel', 'groupdel']),
        {
          all: [
            { field: 'event.dataset', in: ['sentrail.changes'] },
            {
              field: 'resource.type',
              startsWith: ['aws_iam_', 'AWS::IAM::', 'kubernetes_role', 'kubernetes_cluster_role'],
            },
          ],
        },
      ],
    },
  },
  {
    requirement: '10.2.1.6',
    why: 'audit logging initialized, stopped, paused or reconfigured',
    when: {
      any: [
        cloudtrail('cloudtrail.amazonaws.com', [
          'CreateTrail',
          'StartLogging',
          'StopLogging',
          'DeleteTrail',
          'UpdateTrail',
          'PutEventSelectors',
          'PutInsightSelectors',
          'DeleteEventDataStore',
          'UpdateEventDataStore',
          'StopEventDataStoreIngestion',
        ]),
        cloudtrail('config.amazonaws.com', [
          'StopConfigurationRecorder',
          'DeleteConfigurationRecorder',
          'DeleteDeliveryChannel',
          'PutConfigurationRecorder',
        ]),
        cloudtrail('logs.amazonaws.com', ['DeleteLogGroup', 'DeleteLogStream', 'PutRetentionPolicy']),
        wazuhGroups(['agent_stopped', 'agent_started']),
        wazuhRules(['502', '503', '506']),
      ],
    },
  },
  {
    requirement: '10.2.1.7',
    why: 'a system-level object created or deleted: instances, buckets, networks, databases, functions, workloads',
    when: {
      any: [
        {
          all: [
            { field: 'event.dataset', in: ['aws.cloudtrail'] },
            {
              field: 'event.action',
              in: [
                'RunInstances',
                'TerminateInstances',
                'CreateBucket',
                'DeleteBucket',
                'CreateSecurityGroup',
                'DeleteSecurityGroup',
                'CreateVpc',
                'DeleteVpc',
                'CreateSubnet',
                'DeleteSubnet',
                'CreateNetworkAcl',
                'DeleteNetworkAcl',
                'CreateInternetGateway',
                'DeleteInternetGateway',
                'CreateDBInstance',
                'DeleteDBInstance',
                'CreateDBCluster',
                'DeleteDBCluster',
                'CreateFunction20150331',
                'DeleteFunction20150331',
                'CreateCluster',
                'DeleteCluster',
                'CreateStack',
                'DeleteStack',
                'CreateKey',
                'ScheduleKeyDeletion',
                'CreateTable',
                'DeleteTable',
                'CreateLoadBalancer',
                'DeleteLoadBalancer',
                'CreateVolume',
                'DeleteVolume',
                'CreateImage',
                'DeregisterImage',
              ],
            },
          ],
        },
        k8s(
          ['create', 'delete', 'deletecollection'],
          [
            'namespaces',
            'nodes',
            'pods',
            'deployments',
            'statefulsets',
            'daemonsets',
            'replicasets',
            'jobs',
            'cronjobs',
            'services',
            'persistentvolumes',
            'customresourcedefinitions',
          ],
          true,
        ),
        {
          all: [
            { field: 'event.dataset', in: ['sentrail.changes'] },
            { field: 'event.type', in: ['creation', 'deletion'] },
          ],
        },
      ],
    },
  },
  {
    requirement: '10.3.4',
    why: 'integrity of audit logs: CloudTrail digest validation, file integrity monitoring of log files, writes to audit-log buckets',
    when: {
      any: [
        integrity('digest_validation', ['success', 'failure']),
        {
          all: [
            { field: 'event.dataset', in: ['wazuh.alerts'] },
            {
              field: 'file.path',
              startsWith: [
                '/var/log/',
                '/var/ossec/logs/', // Wazuh writes Windows paths in lower case.
                'c:\\windows\\system32\\winevt\\logs\\',
              ],
            },
          ],
        },
        {
          all: [
            { field: 'labels.audit_log', in: [true] },
            { field: 'event.type', in: ['change', 'deletion'] },
          ],
        },
      ],
    },
  },
  {
    requirement: '10.7.2',
    why: 'a failure of a critical security control detected: trail not logging, digest invalid, agent disconnected',
    when: {
      any: [
        integrity('trail_status', ['failure']),
        integrity('digest_validation', ['failure']),
        wazuhRules(['504']),
        wazuhGroups(['agent_disconnected']),
      ],
    },
  },
];

type Predicate = (document: EcsDocument) => boolean;

/** Whether any value at the path (stepping into lists) passes the test; allocates nothing on the way. */
function someValue(node: unknown, keys: readonly string[], at: number, test: (value: unknown) => boolean): boolean {
  if (Array.isArray(node)) return node.some((inner) => someValue(inner, keys, at, test));
  if (node === undefined || node === null) return false;
  if (at === keys.length) return test(node);
  if (typeof node !== 'object') return false;
  return someValue((node as Record<string, unknown>)[keys[at]!], keys, at + 1, test);
}

const DATASET = 'event.dataset';

/**
 * The condition with the event's dataset known: dataset tests become true or false and fall away.
 * Most rows name their datasets, so a document meets only the few tests that can apply to it.
 */
function specialize(condition: Condition, dataset: string): Condition | boolean {
  if ('all' in condition) {
    const inner = condition.all.map((part) => specialize(part, dataset));
    if (inner.includes(false)) return false;
    const left = inner.filter((part): part is Condition => part !== true);
    return left.length === 0 ? true : left.length === 1 ? left[0]! : { all: left };
  }
  if ('any' in condition) {
    const inner = condition.any.map((part) => specialize(part, dataset));
    if (inner.includes(true)) return true;
    const left = inner.filter((part): part is Condition => part !== false);
    return left.length === 0 ? false : left.length === 1 ? left[0]! : { any: left };
  }
  if (condition.field === DATASET && 'in' in condition) return condition.in.includes(dataset);
  return condition;
}

/** A condition compiled once into a predicate: field paths split, value lists as sets. */
export function compile(condition: Condition | boolean): Predicate {
  if (typeof condition === 'boolean') return () => condition;
  if ('all' in condition) {
    const inner = condition.all.map(compile);
    return (document) => inner.every((predicate) => predicate(document));
  }
  if ('any' in condition) {
    const inner = condition.any.map(compile);
    return (document) => inner.some((predicate) => predicate(document));
  }
  const keys = condition.field.split('.');
  if ('absent' in condition) return (document) => !someValue(document, keys, 0, () => true);
  let test: (value: unknown) => boolean;
  if ('in' in condition) {
    const accepted = new Set<unknown>(condition.in);
    test = (value) => accepted.has(value);
  } else {
    const prefixes = condition.startsWith;
    test = (value) => typeof value === 'string' && prefixes.some((prefix) => value.startsWith(prefix));
  }
  return (document) => someValue(document, keys, 0, test);
}

const numeric = new Intl.Collator('en', { numeric: true }).compare;
const byDataset = new Map<string, { requirement: string; test: Predicate }[]>();

/** The table compiled for one dataset, on first use. */
function rowsFor(dataset: string) {
  let rows = byDataset.get(dataset);
  if (!rows) {
    rows = REQUIREMENTS.map((row) => ({ requirement: row.requirement, when: specialize(row.when, dataset) }))
      .filter(({ when }) => when !== false)
      .map(({ requirement, when }) => ({ requirement, test: compile(when) }));
    byDataset.set(dataset, rows);
  }
  return rows;
}

/** Whether a document meets a condition (for tests and tools; tagging uses the compiled table). */
export const matches = (document: EcsDocument, condition: Condition) => compile(condition)(document);

/** The v4.0 sub-requirements a document is evidence for: the mapper's own (Wazuh's, translated) and the table's. */
export function pciRequirements(document: EcsDocument): string[] {
  const tagged = new Set(document.pci_dss?.requirements ?? []);
  for (const { requirement, test } of rowsFor(document.event.dataset)) if (test(document)) tagged.add(requirement);
  return [...tagged].sort(numeric);
}
