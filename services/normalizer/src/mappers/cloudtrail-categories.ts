// ECS event.category and event.type of CloudTrail events, as data (after Elastic's AWS CloudTrail
// integration, which keys its categorization on the event name). Types are the ones ECS allows for
// the categories: `host` has no creation/deletion, so instances start and end; network and database
// changes are also `configuration`, whose types include creation and deletion. A name not in the
// table gets a type from its verb prefix and a category from its service, when those say one.

export interface Categorization {
  category: readonly string[];
  type: readonly string[];
}

interface Group extends Categorization {
  names: readonly string[];
}

const GROUPS: readonly Group[] = [
  // Sign-in and credentials issued. A console login starts a session; the rest hand out credentials.
  { category: ['authentication'], type: ['start'], names: ['ConsoleLogin'] },
  {
    category: ['authentication'],
    type: ['info'],
    names: [
      'AssumeRole',
      'AssumeRoleWithSAML',
      'AssumeRoleWithWebIdentity',
      'AssumeRoot',
      'GetSessionToken',
      'GetFederationToken',
      'GetCallerIdentity',
      'CheckMfa',
      'SwitchRole',
      'ExternalIdPDirectoryLogin',
      'UserAuthentication',
      'CredentialVerification',
      'GetRoleCredentials',
    ],
  },
  // IAM users and their credentials.
  { category: ['iam'], type: ['user', 'creation'], names: ['CreateUser'] },
  { category: ['iam'], type: ['user', 'deletion'], names: ['DeleteUser'] },
  {
    category: ['iam'],
    type: ['user', 'change'],
    names: [
      'UpdateUser',
      'TagUser',
      'UntagUser',
      'CreateAccessKey',
      'UpdateAccessKey',
      'DeleteAccessKey',
      'CreateLoginProfile',
      'UpdateLoginProfile',
      'DeleteLoginProfile',
      'ChangePassword',
      'CreateVirtualMFADevice',
      'EnableMFADevice',
      'DeactivateMFADevice',
      'DeleteVirtualMFADevice',
      'ResyncMFADevice',
      'UploadSSHPublicKey',
      'UpdateSSHPublicKey',
      'DeleteSSHPublicKey',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'PutUserPolicy',
      'DeleteUserPolicy',
      'PutUserPermissionsBoundary',
      'DeleteUserPermissionsBoundary',
    ],
  },
  { category: ['iam'], type: ['user', 'info'], names: ['GetUser', 'ListUsers', 'GetUserPolicy', 'ListAccessKeys'] },
  // IAM groups.
  { category: ['iam'], type: ['group', 'creation'], names: ['CreateGroup'] },
  { category: ['iam'], type: ['group', 'deletion'], names: ['DeleteGroup'] },
  {
    category: ['iam'],
    type: ['group', 'change'],
    names: [
      'UpdateGroup',
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
      'PutGroupPolicy',
      'DeleteGroupPolicy',
    ],
  },
  // IAM roles, policies and identity providers.
  {
    category: ['iam'],
    type: ['creation'],
    names: [
      'CreateRole',
      'CreateServiceLinkedRole',
      'CreatePolicy',
      'CreatePolicyVersion',
      'CreateInstanceProfile',
      'CreateSAMLProvider',
      'CreateOpenIDConnectProvider',
    ],
  },
  {
    category: ['iam'],
    type: ['deletion'],
    names: [
      'DeleteRole',
      'DeleteServiceLinkedRole',
      'DeletePolicy',
      'DeletePolicyVersion',
      'DeleteInstanceProfile',
      'DeleteSAMLProvider',
      'DeleteOpenIDConnectProvider',
    ],
  },
  {
    category: ['iam'],
    type: ['change'],
    names: [
      'UpdateRole',
      'UpdateAssumeRolePolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'PutRolePolicy',
      'DeleteRolePolicy',
      'PutRolePermissionsBoundary',
      'AddRoleToInstanceProfile',
      'RemoveRoleFromInstanceProfile',
    ],
  },
  {
    category: ['iam'],
    type: ['admin', 'change'],
    names: [
      'UpdateAccountPasswordPolicy',
      'DeleteAccountPasswordPolicy',
      'SetDefaultPolicyVersion',
      'SetSecurityTokenServicePreferences',
    ],
  },
  // Networks: security groups, network ACLs, VPCs, subnets, routes and gateways.
  {
    category: ['network', 'configuration'],
    type: ['creation'],
    names: [
      'CreateSecurityGroup',
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'CreateVpc',
      'CreateSubnet',
      'CreateRouteTable',
      'CreateRoute',
      'CreateInternetGateway',
      'CreateNatGateway',
      'CreateVpcPeeringConnection',
    ],
  },
  {
    category: ['network', 'configuration'],
    type: ['deletion'],
    names: [
      'DeleteSecurityGroup',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'DeleteVpc',
      'DeleteSubnet',
      'DeleteRouteTable',
      'DeleteRoute',
      'DeleteInternetGateway',
      'DeleteNatGateway',
      'DeleteVpcPeeringConnection',
    ],
  },
  {
    category: ['network', 'configuration'],
    type: ['change'],
    names: [
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'ModifySecurityGroupRules',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
      'ReplaceRoute',
      'AssociateRouteTable',
      'DisassociateRouteTable',
      'AttachInternetGateway',
      'DetachInternetGateway',
      'AcceptVpcPeeringConnection',
      'ModifyVpcAttribute',
    ],
  },
  {
    category: ['network'],
    type: ['info'],
    names: ['DescribeSecurityGroups', 'DescribeNetworkAcls', 'DescribeVpcs', 'DescribeSubnets', 'DescribeRouteTables'],
  },
  // S3 objects: a read of an object is an access to the data it holds (PCI DSS 10.2.1.1).
  { category: ['file'], type: ['access'], names: ['GetObject', 'SelectObjectContent'] },
  {
    category: ['file'],
    type: ['info'],
    names: ['HeadObject', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'GetObjectAcl', 'GetObjectAttributes'],
  },
  {
    category: ['file'],
    type: ['change'],
    names: [
      'PutObject',
      'CopyObject',
      'CompleteMultipartUpload',
      'PutObjectAcl',
      'PutObjectRetention',
      'RestoreObject',
    ],
  },
  { category: ['file'], type: ['deletion'], names: ['DeleteObject', 'DeleteObjects'] },
  // S3 buckets and their protection settings.
  { category: ['file'], type: ['creation'], names: ['CreateBucket'] },
  { category: ['file'], type: ['deletion'], names: ['DeleteBucket'] },
  { category: ['file'], type: ['info'], names: ['ListBuckets'] },
  {
    category: ['configuration'],
    type: ['change'],
    names: [
      'PutBucketPolicy',
      'PutBucketAcl',
      'PutBucketPublicAccessBlock',
      'PutBucketVersioning',
      'PutBucketLogging',
      'PutBucketEncryption',
      'PutBucketLifecycle',
      'PutBucketLifecycleConfiguration',
      'PutBucketReplication',
      'PutBucketObjectLockConfiguration',
    ],
  },
  {
    category: ['configuration'],
    type: ['deletion'],
    names: [
      'DeleteBucketPolicy',
      'DeleteBucketPublicAccessBlock',
      'DeleteBucketEncryption',
      'DeleteBucketLifecycle',
      'DeleteBucketReplication',
    ],
  },
  // Audit logging and its recorders (PCI DSS 10.2.1.6).
  { category: ['configuration'], type: ['creation'], names: ['CreateTrail', 'PutConfigurationRecorder'] },
  {
    category: ['configuration'],
    type: ['deletion'],
    names: ['DeleteTrail', 'DeleteEventDataStore', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'],
  },
  {
    category: ['configuration'],
    type: ['change'],
    names: [
      'StartLogging',
      'StopLogging',
      'UpdateTrail',
      'PutEventSelectors',
      'PutInsightSelectors',
      'StartConfigurationRecorder',
      'StopConfigurationRecorder',
      'PutDeliveryChannel',
    ],
  },
  { category: ['configuration'], type: ['info'], names: ['DescribeTrails', 'GetTrailStatus', 'LookupEvents'] },
  // Instances, commands and sessions on them.
  { category: ['host'], type: ['start'], names: ['RunInstances', 'StartInstances'] },
  { category: ['host'], type: ['end'], names: ['StopInstances', 'TerminateInstances'] },
  { category: ['host'], type: ['change'], names: ['ModifyInstanceAttribute', 'RebootInstances'] },
  { category: ['host'], type: ['info'], names: ['DescribeInstances', 'DescribeInstanceAttribute'] },
  { category: ['host'], type: ['access'], names: ['GetPasswordData'] },
  { category: ['process'], type: ['start'], names: ['SendCommand'] },
  { category: ['session'], type: ['start'], names: ['StartSession', 'ResumeSession'] },
  { category: ['session'], type: ['end'], names: ['TerminateSession'] },
  // Databases.
  {
    category: ['database', 'configuration'],
    type: ['creation'],
    names: ['CreateDBInstance', 'CreateDBCluster', 'CreateDBSnapshot', 'CreateTable'],
  },
  {
    category: ['database', 'configuration'],
    type: ['deletion'],
    names: ['DeleteDBInstance', 'DeleteDBCluster', 'DeleteDBSnapshot', 'DeleteTable'],
  },
  {
    category: ['database', 'configuration'],
    type: ['change'],
    names: ['ModifyDBInstance', 'ModifyDBCluster', 'ModifyDBSnapshotAttribute', 'UpdateTable'],
  },
  // Encryption keys and secrets.
  { category: ['configuration'], type: ['creation'], names: ['CreateKey'] },
  { category: ['configuration'], type: ['deletion'], names: ['ScheduleKeyDeletion'] },
  { category: ['configuration'], type: ['change'], names: ['DisableKey', 'EnableKey', 'PutKeyPolicy'] },
];

/** event.category and event.type by CloudTrail event name. */
export const EVENT_CATEGORIES: ReadonlyMap<string, Categorization> = new Map(
  GROUPS.flatMap(({ names, category, type }) => names.map((name) => [name, { category, type }] as const)),
);

/** event.type by the verb an event name starts with, for names not in the table; reads and the rest are `info`. */
export const PREFIX_TYPES: readonly (readonly [prefix: string, type: string])[] = [
  ['Create', 'creation'],
  ['Delete', 'deletion'],
  ['Put', 'change'],
  ['Update', 'change'],
  ['Modify', 'change'],
  ['Attach', 'change'],
  ['Detach', 'change'],
  ['Add', 'change'],
  ['Remove', 'change'],
  ['Set', 'change'],
  ['Enable', 'change'],
  ['Disable', 'change'],
];

/**
 * event.category by the service an event comes from, for names not in the table. Databases are also
 * `configuration`, as ECS's `database` allows no creation or deletion.
 */
export const SERVICE_CATEGORIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['iam.amazonaws.com', ['iam']],
  ['identitystore.amazonaws.com', ['iam']],
  ['sso.amazonaws.com', ['iam']],
  ['sts.amazonaws.com', ['authentication']],
  ['signin.amazonaws.com', ['authentication']],
  ['rds.amazonaws.com', ['database', 'configuration']],
  ['dynamodb.amazonaws.com', ['database', 'configuration']],
  ['cloudtrail.amazonaws.com', ['configuration']],
  ['config.amazonaws.com', ['configuration']],
]);

/** A verb prefix counts only as a whole word: `Put` in `PutObject`, not in `Putative`. */
const startsWithVerb = (name: string, prefix: string) =>
  name.startsWith(prefix) && /^[A-Z]/.test(name.slice(prefix.length));

/** The categorization of an event: the table's, else by prefix and service; `info` when nothing says more. */
export function categorize(eventName: string, eventSource: string | undefined): Categorization {
  const known = EVENT_CATEGORIES.get(eventName);
  if (known) return known;
  const type = PREFIX_TYPES.find(([prefix]) => startsWithVerb(eventName, prefix))?.[1] ?? 'info';
  const category = (eventSource && SERVICE_CATEGORIES.get(eventSource)) || [];
  return { category, type: [type] };
}
