// One CloudTrail record (a Records[] element) to ECS, after Elastic's AWS CloudTrail integration:
// user.name is the acting principal (the IAM user, or the role of an assumed-role session, whose
// session name goes to related.user), payloads are kept as JSON strings, and a bounded set of request
// fields is extracted per service. Categorization is data: cloudtrail-categories.ts.
import type { EcsDocument, EcsUser, EventOutcome } from '@sentrail/lib/ecs';
import {
  compact,
  distinct,
  eventTime,
  field,
  isIpAddress,
  isObject,
  jsonString,
  MappingError,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalTime,
  requiredString,
  type Json,
} from '../fields.js';
import type { Mapper } from '../mapper.js';
import { categorize } from './cloudtrail-categories.js';

/** Request fields worth searching, per service: aws.cloudtrail.request.<field> ← requestParameters.<key>. */
const REQUEST_FIELDS: Readonly<Record<string, readonly (readonly [field: string, key: string])[]>> = {
  's3.amazonaws.com': [
    ['bucket_name', 'bucketName'],
    ['key', 'key'],
  ],
  'iam.amazonaws.com': [
    ['user_name', 'userName'],
    ['role_name', 'roleName'],
    ['group_name', 'groupName'],
    ['policy_arn', 'policyArn'],
  ],
  'cloudtrail.amazonaws.com': [
    ['trail_name', 'name'],
    ['trail_name', 'trailName'],
  ],
};

type RequestFields = Partial<Record<string, string>>;

/**
 * The objects read field by field. One of another type is refused: read through, it would look absent
 * (a userIdentity given as a string would make an event without an actor).
 */
const NESTED_OBJECTS = [
  'userIdentity',
  'userIdentity.sessionContext',
  'userIdentity.sessionContext.attributes',
  'userIdentity.sessionContext.sessionIssuer',
  'userIdentity.onBehalfOf',
  'tlsDetails',
];

/** Identity types whose ARN ends in a session name: assumed-role/<role>/<session>, federated-user/<name>. */
const SESSION_TYPES = new Set(['AssumedRole', 'FederatedUser']);

/** The last segment of an ARN: the role, user, trail or object name. */
const arnName = (arn: string) => arn.slice(Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':')) + 1);

/** A flag CloudTrail writes as "true"/"false" (sessionContext.attributes.mfaAuthenticated). */
function stringFlag(record: Json, path: string): boolean | undefined {
  const value = field(record, path);
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new MappingError(`${path} must be "true" or "false", not ${JSON.stringify(value).slice(0, 64)}`);
}

/** A ConsoleLogin detail written as "Yes"/"No" (Elastic: anything but "No" is yes). */
function yesNo(record: Json, path: string): boolean | undefined {
  const value = optionalString(record, path);
  return value === undefined ? undefined : value !== 'No';
}

function requestFields(record: Json, provider: string | undefined): RequestFields {
  const fields: RequestFields = {};
  for (const [name, key] of (provider && REQUEST_FIELDS[provider]) || [])
    fields[name] ??= optionalString(record, `requestParameters.${key}`);
  return fields;
}

/** Who acted, by userIdentity.type (see the unit tests for one record of every type). */
function identityOf(record: Json, action: string) {
  const read = (path: string) => optionalString(record, `userIdentity.${path}`);
  const type = read('type');
  const arn = read('arn');
  const issuer = read('sessionContext.sessionIssuer.userName');
  const sessionType = type !== undefined && SESSION_TYPES.has(type);
  const session = sessionType && arn?.includes('/') ? arnName(arn) : undefined;
  let name: string | undefined;
  if (type === 'Root') name = 'root';
  else if (sessionType) name = issuer ?? session;
  else if (type === 'AWSService') name = read('invokedBy');
  else name = read('userName');
  // An Identity Center sign-in names its user only in additionalEventData.
  if (!name && action === 'UserAuthentication') name = optionalString(record, 'additionalEventData.UserName');
  const user: EcsUser = {
    name,
    id: read('principalId') ?? read('onBehalfOf.userId'),
    // The directory the principal belongs to: its identity provider, identity store or account.
    domain: read('identityProvider') ?? read('onBehalfOf.identityStoreArn') ?? read('accountId'),
    email: [session, name].find((value) => value && /^[^@]+@/.test(value)),
  };
  const userIdentity = {
    type,
    arn,
    principal_id: read('principalId'),
    access_key_id: read('accessKeyId'),
    invoked_by: read('invokedBy'),
    credential_id: read('credentialId'),
    session_context: {
      mfa_authenticated: stringFlag(record, 'userIdentity.sessionContext.attributes.mfaAuthenticated'),
      creation_date: optionalTime(record, 'userIdentity.sessionContext.attributes.creationDate'),
      source_identity: read('sessionContext.sourceIdentity'),
      session_issuer: {
        type: read('sessionContext.sessionIssuer.type'),
        principal_id: read('sessionContext.sessionIssuer.principalId'),
        arn: read('sessionContext.sessionIssuer.arn'),
        account_id: read('sessionContext.sessionIssuer.accountId'),
        user_name: issuer,
      },
    },
  };
  // The session name often names the person (an SSO e-mail address): kept, and its local part, for correlation.
  const related = [user.name, user.id, session, session?.includes('@') ? session.split('@')[0] : undefined];
  return { user, userIdentity, related, accountId: read('accountId') };
}

function resourcesOf(record: Json) {
  return optionalArray(record, 'resources')?.map((item, index) => {
    if (!isObject(item)) throw new MappingError(`resources[${index}] must be an object`);
    return {
      arn: optionalString(item, 'ARN'),
      type: optionalString(item, 'type'),
      account_id: optionalString(item, 'accountId'),
    };
  });
}

/** The affected resource (PCI DSS 10.2.2): the record's first resource, else what the request names. */
function resourceOf(
  record: Json,
  provider: string | undefined,
  request: RequestFields,
  listed: ReturnType<typeof resourcesOf>,
  account: string | undefined,
): EcsDocument['resource'] {
  const first = listed?.find((resource) => resource.arn);
  if (first?.arn) return { type: first.type, id: first.arn, name: arnName(first.arn) };
  const { bucket_name: bucket, key, user_name: user, role_name: role, group_name: group } = request;
  if (bucket) {
    const arn = key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
    return { type: key ? 'AWS::S3::Object' : 'AWS::S3::Bucket', id: arn, name: arnName(arn) };
  }
  if (user) return { type: 'AWS::IAM::User', id: optionalString(record, 'responseElements.user.arn'), name: user };
  if (role) return { type: 'AWS::IAM::Role', id: optionalString(record, 'responseElements.role.arn'), name: role };
  if (group) return { type: 'AWS::IAM::Group', id: optionalString(record, 'responseElements.group.arn'), name: group };
  if (request.policy_arn)
    return { type: 'AWS::IAM::Policy', id: request.policy_arn, name: arnName(request.policy_arn) };
  if (request.trail_name) {
    const arn = request.trail_name.startsWith('arn:') ? request.trail_name : undefined;
    return { type: 'AWS::CloudTrail::Trail', id: arn, name: arnName(request.trail_name) };
  }
  if (provider === 'ec2.amazonaws.com') {
    const id =
      optionalString(record, 'requestParameters.groupId') ?? optionalString(record, 'responseElements.groupId');
    if (id) return { type: 'AWS::EC2::SecurityGroup', id, name: optionalString(record, 'requestParameters.groupName') };
  }
  const roleArn = hint(record, 'requestParameters.roleArn');
  if (provider === 'sts.amazonaws.com' && roleArn)
    return { type: 'AWS::IAM::Role', id: roleArn, name: arnName(roleArn) };
  const keyId = hint(record, 'requestParameters.keyId');
  if (provider === 'kms.amazonaws.com' && keyId) return { type: 'AWS::KMS::Key', id: keyId, name: arnName(keyId) };
  const instance = firstInstance(record, 'requestParameters') ?? firstInstance(record, 'responseElements');
  if (provider === 'ec2.amazonaws.com' && instance) return { type: 'AWS::EC2::Instance', id: instance, name: instance };
  // A sign-in acts on the account whose console it opens.
  if (provider === 'signin.amazonaws.com' && account) return { type: 'AWS::::Account', id: account };
  // PCI DSS 10.2.2 accepts the service as the affected resource: what a List or Describe call reads.
  if (provider) return { type: 'AWS::Service', id: provider, name: provider.replace(/\.amazonaws\.com$/, '') };
  return undefined;
}

/** The first EC2 instance id of a request's or response's instancesSet. */
function firstInstance(record: Json, payload: string): string | undefined {
  const items = field(record, `${payload}.instancesSet.items`);
  const first: unknown = Array.isArray(items) ? items[0] : undefined;
  return isObject(first) ? hint(first, 'instanceId') : undefined;
}

/** A string the record may hold, for naming the resource only: any other type is not worth a reject. */
function hint(record: Json, path: string): string | undefined {
  const value = field(record, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sign-in events state their result under their own name, e.g. responseElements.ConsoleLogin: "Failure". */
function outcomeOf(responseElements: Json | undefined, action: string, failed: boolean): EventOutcome {
  const stated = responseElements?.[action];
  if (stated === 'Success') return 'success';
  if (stated === 'Failure') return 'failure';
  return failed ? 'failure' : 'success';
}

export const cloudtrail: Mapper = (record) => {
  const id = requiredString(record, 'eventID');
  const action = requiredString(record, 'eventName');
  const timestamp = eventTime(record, 'eventTime');
  const provider = optionalString(record, 'eventSource');
  const [requestParameters, responseElements, additionalEventData, serviceEventDetails] = [
    'requestParameters',
    'responseElements',
    'additionalEventData',
    'serviceEventDetails',
  ].map((path) => optionalObject(record, path));
  for (const path of NESTED_OBJECTS) optionalObject(record, path);
  const errorCode = optionalString(record, 'errorCode');
  const errorMessage = optionalString(record, 'errorMessage');
  const identity = identityOf(record, action);
  const recipientAccountId = optionalString(record, 'recipientAccountId');
  const account = recipientAccountId ?? identity.accountId;
  const request = requestFields(record, provider);
  const resources = resourcesOf(record);
  const address = optionalString(record, 'sourceIPAddress');
  const ip = isIpAddress(address) ? address : undefined;
  // A service calling on someone's behalf gives its host name as the source ("AWS Internal" is none).
  const sourceHost = address && !ip && !address.includes(' ') ? address : undefined;
  const target: EcsUser = {
    name: request.user_name,
    id: request.user_name && optionalString(record, 'responseElements.user.userId'),
  };
  const renamedTo =
    provider === 'iam.amazonaws.com' ? optionalString(record, 'requestParameters.newUserName') : undefined;
  const { category, type } = categorize(action, provider);

  const document: EcsDocument = {
    '@timestamp': timestamp,
    event: {
      id,
      kind: 'event',
      category: [...category],
      type: [...type],
      action,
      outcome: outcomeOf(responseElements, action, errorCode !== undefined || errorMessage !== undefined),
      provider,
      dataset: 'aws.cloudtrail',
      module: 'aws',
    },
    user: { ...identity.user, target },
    // The raw sourceIPAddress is the address; it is an IP, or a service name such as lambda.amazonaws.com.
    source: { address, ip },
    user_agent: { original: optionalString(record, 'userAgent') },
    cloud: {
      provider: 'aws',
      region: optionalString(record, 'awsRegion'),
      account: { id: account },
      service: { name: provider?.replace(/\.amazonaws\.com$/, '') },
    },
    error: { code: errorCode, message: errorMessage },
    related: {
      user: distinct(...identity.related, target.name, renamedTo),
      ip: distinct(ip),
      hosts: distinct(sourceHost),
    },
    resource: resourceOf(record, provider, request, resources, account),
    aws: {
      cloudtrail: {
        event_version: optionalString(record, 'eventVersion'),
        event_type: optionalString(record, 'eventType'),
        event_category: optionalString(record, 'eventCategory'),
        recipient_account_id: recipientAccountId,
        request_id: optionalString(record, 'requestID'),
        shared_event_id: optionalString(record, 'sharedEventID'),
        vpc_endpoint_id: optionalString(record, 'vpcEndpointId'),
        api_version: optionalString(record, 'apiVersion'),
        management_event: optionalBoolean(record, 'managementEvent'),
        read_only: optionalBoolean(record, 'readOnly'),
        user_identity: identity.userIdentity,
        resources,
        tls_details: {
          tls_version: optionalString(record, 'tlsDetails.tlsVersion'),
          cipher_suite: optionalString(record, 'tlsDetails.cipherSuite'),
          client_provided_host_header: optionalString(record, 'tlsDetails.clientProvidedHostHeader'),
        },
        console_login:
          action === 'ConsoleLogin'
            ? {
                mfa_used: yesNo(record, 'additionalEventData.MFAUsed'),
                login_to: optionalString(record, 'additionalEventData.LoginTo'),
                mobile_version: yesNo(record, 'additionalEventData.MobileVersion'),
              }
            : undefined,
        request,
        request_parameters: jsonString(requestParameters),
        response_elements: jsonString(responseElements),
        additional_eventdata: jsonString(additionalEventData),
        service_event_details: jsonString(serviceEventDetails),
      },
    },
  };
  return { id, document: compact(document) };
};
