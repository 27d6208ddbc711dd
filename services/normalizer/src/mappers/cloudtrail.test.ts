// What the golden files do not show one by one: every userIdentity type, the categorization table,
// outcomes, wrong types, and a run over Panther's labelled CloudTrail records when they are at hand.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { MappingError, type Json } from '../fields.js';
import type { RawMeta } from '../mapper.js';
import { categorize, EVENT_CATEGORIES } from './cloudtrail-categories.js';
import { cloudtrail } from './cloudtrail.js';

const META: RawMeta = { topic: 'siem.raw.cloudtrail', source: 'cloudtrailSqs', origin: 'test', receivedAt: '' };
const ACCOUNT = '111122223333';

function map(fields: Json): EcsDocument {
  const record = { eventID: 'e-1', eventName: 'DescribeRegions', eventTime: '2026-11-27T10:00:00Z', ...fields };
  return cloudtrail(record, META).document;
}

const cloudtrailOf = (document: EcsDocument) => document.aws?.cloudtrail ?? {};

function mappingError(fields: Json): string {
  try {
    map(fields);
  } catch (error) {
    assert.ok(error instanceof MappingError, `expected a MappingError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the record was mapped');
}

describe('cloudtrail mapper: userIdentity', () => {
  const assumedRole = {
    principalId: 'AROAEXAMPLE:alice@example.com',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice@example.com`,
    accountId: ACCOUNT,
    sessionContext: { sessionIssuer: { type: 'Role', userName: 'Admin' } },
  };
  const cases: { type: string; identity: Json; event?: Json; user: Json }[] = [
    {
      type: 'Root',
      identity: { principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, userName: 'my-alias' },
      user: { name: 'root', id: ACCOUNT, domain: ACCOUNT },
    },
    {
      type: 'IAMUser',
      identity: { principalId: 'AIDAEXAMPLE', accountId: ACCOUNT, userName: 'alice' },
      user: { name: 'alice', id: 'AIDAEXAMPLE', domain: ACCOUNT },
    },
    {
      type: 'AssumedRole',
      identity: assumedRole,
      user: { name: 'Admin', id: 'AROAEXAMPLE:alice@example.com', domain: ACCOUNT, email: 'alice@example.com' },
    },
    {
      type: 'FederatedUser',
      identity: {
        principalId: `${ACCOUNT}:carol`,
        arn: `arn:aws:sts::${ACCOUNT}:federated-user/carol`,
        accountId: ACCOUNT,
        sessionContext: { sessionIssuer: { type: 'IAMUser', userName: 'broker' } },
      },
      user: { name: 'broker', id: `${ACCOUNT}:carol`, domain: ACCOUNT },
    },
    {
      type: 'AWSService',
      identity: { invokedBy: 'config.amazonaws.com' },
      user: { name: 'config.amazonaws.com' },
    },
    {
      type: 'AWSAccount',
      identity: { principalId: 'AIDAOTHER', accountId: '444455556666' },
      user: { id: 'AIDAOTHER', domain: '444455556666' },
    },
    {
      type: 'IdentityCenterUser',
      // An Identity Center sign-in names its user in additionalEventData only.
      event: {
        eventName: 'UserAuthentication',
        additionalEventData: { UserName: 'alice', CredentialType: 'PASSWORD' },
      },
      identity: {
        accountId: ACCOUNT,
        onBehalfOf: { userId: '5448-alice', identityStoreArn: `arn:aws:identitystore::${ACCOUNT}:identitystore/d-1` },
        credentialId: 'cred-1',
      },
      user: { name: 'alice', id: '5448-alice', domain: `arn:aws:identitystore::${ACCOUNT}:identitystore/d-1` },
    },
    {
      type: 'SAMLUser',
      identity: {
        principalId: 'qualifier:bob@example.com',
        userName: 'bob@example.com',
        identityProvider: 'qualifier',
      },
      user: { name: 'bob@example.com', id: 'qualifier:bob@example.com', domain: 'qualifier', email: 'bob@example.com' },
    },
    {
      type: 'WebIdentityUser',
      identity: {
        principalId: 'accounts.google.com:app:1234',
        userName: '1234',
        identityProvider: 'accounts.google.com',
      },
      user: { name: '1234', id: 'accounts.google.com:app:1234', domain: 'accounts.google.com' },
    },
    {
      type: 'Directory',
      identity: { principalId: 'S-1-5-21-1', accountId: ACCOUNT, userName: 'dana' },
      user: { name: 'dana', id: 'S-1-5-21-1', domain: ACCOUNT },
    },
    {
      type: 'Unknown',
      identity: { principalId: 'internal-id', accountId: ACCOUNT, userName: 'Erin Example' },
      user: { name: 'Erin Example', id: 'internal-id', domain: ACCOUNT },
    },
  ];
  for (const { type, identity, event, user } of cases) {
    it(`maps a ${type} to user.name, user.id and user.domain`, () => {
      const document = map({ ...event, userIdentity: { type, ...identity } });
      assert.deepEqual(document.user, user);
      assert.equal((cloudtrailOf(document)['user_identity'] as Json)['type'], type);
    });
  }

  it('relates the session name of an assumed role, and the local part of an e-mail session name', () => {
    const document = map({ userIdentity: { type: 'AssumedRole', ...assumedRole } });
    assert.deepEqual(document.related?.user, ['Admin', 'AROAEXAMPLE:alice@example.com', 'alice@example.com', 'alice']);
  });

  it('names an assumed role by its session when the session issuer is missing', () => {
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/build-42`;
    assert.equal(map({ userIdentity: { type: 'AssumedRole', arn } }).user?.name, 'build-42');
  });

  it('reads mfaAuthenticated as a boolean from "true"/"false" and rejects other values', () => {
    const withMfa = (mfaAuthenticated: unknown) => ({
      userIdentity: { type: 'IAMUser', userName: 'a', sessionContext: { attributes: { mfaAuthenticated } } },
    });
    const mfaOf = (document: EcsDocument) =>
      (cloudtrailOf(document)['user_identity'] as { session_context: { mfa_authenticated: boolean } }).session_context
        .mfa_authenticated;
    assert.equal(mfaOf(map(withMfa('true'))), true);
    assert.equal(mfaOf(map(withMfa('false'))), false);
    assert.equal(mfaOf(map(withMfa(true))), true);
    assert.match(mappingError(withMfa('yes')), /mfaAuthenticated must be "true" or "false"/);
  });

  it('targets the user an IAM action names, with the id IAM returns', () => {
    const document = map({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      userIdentity: { type: 'IAMUser', userName: 'alice' },
      requestParameters: { userName: 'bob' },
      responseElements: { user: { userName: 'bob', userId: 'AIDABOB', arn: `arn:aws:iam::${ACCOUNT}:user/bob` } },
    });
    assert.deepEqual(document.user?.target, { name: 'bob', id: 'AIDABOB' });
    assert.deepEqual(document.resource, {
      type: 'AWS::IAM::User',
      id: `arn:aws:iam::${ACCOUNT}:user/bob`,
      name: 'bob',
    });
    assert.deepEqual(document.related?.user, ['alice', 'bob']);
  });
});

describe('cloudtrail mapper: categorization', () => {
  it('takes a known event name from the table', () => {
    assert.deepEqual(categorize('ConsoleLogin', 'signin.amazonaws.com'), {
      category: ['authentication'],
      type: ['start'],
    });
    assert.deepEqual(categorize('AttachUserPolicy', 'iam.amazonaws.com'), {
      category: ['iam'],
      type: ['user', 'change'],
    });
  });

  it('falls back to the verb prefix for the type and the service for the category', () => {
    assert.deepEqual(categorize('CreateFunction20150331', 'lambda.amazonaws.com'), {
      category: [],
      type: ['creation'],
    });
    assert.deepEqual(categorize('DeleteLogGroup', 'logs.amazonaws.com'), { category: [], type: ['deletion'] });
    assert.deepEqual(categorize('ModifyDBParameterGroup', 'rds.amazonaws.com'), {
      category: ['database', 'configuration'],
      type: ['change'],
    });
    assert.deepEqual(categorize('GetRole', 'iam.amazonaws.com'), { category: ['iam'], type: ['info'] });
  });

  it('reads a prefix only as a whole word, and calls the rest info', () => {
    assert.deepEqual(categorize('Settlement', undefined), { category: [], type: ['info'] });
    assert.deepEqual(categorize('Decrypt', 'kms.amazonaws.com'), { category: [], type: ['info'] });
  });

  // ECS 8 categorization: the event.type values each event.category allows.
  const ECS_TYPES: Record<string, string[]> = {
    authentication: ['start', 'end', 'info'],
    configuration: ['access', 'change', 'creation', 'deletion', 'info'],
    database: ['access', 'change', 'info', 'error'],
    file: ['access', 'change', 'creation', 'deletion', 'info'],
    host: ['access', 'change', 'end', 'info', 'start'],
    iam: ['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user'],
    network: ['access', 'allowed', 'connection', 'denied', 'end', 'info', 'protocol', 'start'],
    process: ['access', 'change', 'end', 'info', 'start'],
    session: ['start', 'end', 'info'],
  };

  it('uses ECS categories, each type allowed by one of its event categories', () => {
    for (const [name, { category, type }] of EVENT_CATEGORIES) {
      for (const value of category) assert.ok(ECS_TYPES[value], `${name}: ${value} is not an ECS category`);
      for (const value of type)
        assert.ok(
          category.some((inner) => ECS_TYPES[inner]?.includes(value)),
          `${name}: ${value} is not a type of ${category.join(', ')}`,
        );
    }
  });
});

describe('cloudtrail mapper: outcome, origin and account', () => {
  it('takes a sign-in result from responseElements, else failure on an error code or message', () => {
    const outcome = (fields: Json) => map(fields).event.outcome;
    assert.equal(outcome({ eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Success' } }), 'success');
    assert.equal(outcome({ eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Failure' } }), 'failure');
    assert.equal(outcome({ eventName: 'CheckMfa', responseElements: { CheckMfa: 'Failure' } }), 'failure');
    assert.equal(outcome({ errorCode: 'AccessDenied' }), 'failure');
    assert.equal(outcome({ errorMessage: 'Failed authentication' }), 'failure');
    assert.equal(outcome({}), 'success');
  });

  it('keeps sourceIPAddress as source.address and as source.ip only when it is an IP', () => {
    assert.deepEqual(map({ sourceIPAddress: '2001:db8::1' }).source, { address: '2001:db8::1', ip: '2001:db8::1' });
    const service = map({ sourceIPAddress: 'cloudtrail.amazonaws.com' });
    assert.deepEqual(service.source, { address: 'cloudtrail.amazonaws.com' });
    assert.deepEqual(service.related, { hosts: ['cloudtrail.amazonaws.com'] });
    assert.equal(map({ sourceIPAddress: 'AWS Internal' }).related, undefined);
  });

  it('puts the event in the recipient account, else in the account of the identity', () => {
    const identity = { type: 'IAMUser', userName: 'a', accountId: '444455556666' };
    assert.equal(map({ userIdentity: identity, recipientAccountId: ACCOUNT }).cloud?.account?.id, ACCOUNT);
    assert.equal(map({ userIdentity: identity }).cloud?.account?.id, '444455556666');
  });
});

describe('cloudtrail mapper: request and resource', () => {
  it('names an S3 object from the request when the record lists no resources', () => {
    const document = map({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      requestParameters: { bucketName: 'b', key: 'dir/file.txt' },
    });
    assert.deepEqual(document.resource, {
      type: 'AWS::S3::Object',
      id: 'arn:aws:s3:::b/dir/file.txt',
      name: 'file.txt',
    });
    assert.deepEqual(cloudtrailOf(document)['request'], { bucket_name: 'b', key: 'dir/file.txt' });
  });

  it('names a trail given by name, a role, a policy and the account signed in to', () => {
    const resource = (fields: Json) => map(fields).resource;
    assert.deepEqual(
      resource({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail', requestParameters: { name: 't' } }),
      { type: 'AWS::CloudTrail::Trail', name: 't' },
    );
    assert.deepEqual(
      resource({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateRole',
        requestParameters: { roleName: 'r' },
        responseElements: { role: { arn: `arn:aws:iam::${ACCOUNT}:role/r` } },
      }),
      { type: 'AWS::IAM::Role', id: `arn:aws:iam::${ACCOUNT}:role/r`, name: 'r' },
    );
    const policyArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
    assert.deepEqual(
      resource({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreatePolicyVersion',
        requestParameters: { policyArn },
      }),
      { type: 'AWS::IAM::Policy', id: policyArn, name: 'AdministratorAccess' },
    );
    assert.deepEqual(resource({ eventSource: 'signin.amazonaws.com', recipientAccountId: ACCOUNT }), {
      type: 'AWS::::Account',
      id: ACCOUNT,
    });
  });

  it('names the role assumed, the KMS key, the instance, else the service (which PCI DSS 10.2.2 accepts)', () => {
    const resource = (fields: Json) => map(fields).resource;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    assert.deepEqual(
      resource({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: { roleArn } }),
      {
        type: 'AWS::IAM::Role',
        id: roleArn,
        name: 'deployer',
      },
    );
    const keyId = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    assert.deepEqual(
      resource({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', requestParameters: { keyId } }),
      {
        type: 'AWS::KMS::Key',
        id: keyId,
        name: '1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    );
    assert.deepEqual(
      resource({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        responseElements: { instancesSet: { items: [{ instanceId: 'i-0abc' }] } },
      }),
      { type: 'AWS::EC2::Instance', id: 'i-0abc', name: 'i-0abc' },
    );
    assert.deepEqual(resource({ eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' }), {
      type: 'AWS::Service',
      id: 'iam.amazonaws.com',
      name: 'iam',
    });
    // A hint of the wrong type only names no resource: it is no reason to reject the record.
    assert.deepEqual(
      resource({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', requestParameters: { keyId: 42 } })?.type,
      'AWS::Service',
    );
  });

  it('reads request fields only for the services that define them', () => {
    // DynamoDB's requestParameters.key is an object: not the S3 key.
    const document = map({
      eventSource: 'dynamodb.amazonaws.com',
      eventName: 'GetItem',
      requestParameters: { tableName: 'cards', key: { pk: 'card#1' } },
    });
    assert.equal(cloudtrailOf(document)['request'], undefined);
    assert.equal(cloudtrailOf(document)['request_parameters'], '{"tableName":"cards","key":{"pk":"card#1"}}');
  });

  it('keeps the payloads as JSON strings, and a null one as nothing', () => {
    const document = map({
      requestParameters: null,
      responseElements: { ok: [1, 2] },
      serviceEventDetails: { a: 'b' },
    });
    const stored = cloudtrailOf(document);
    assert.equal(stored['request_parameters'], undefined);
    assert.equal(stored['response_elements'], '{"ok":[1,2]}');
    assert.equal(stored['service_event_details'], '{"a":"b"}');
  });
});

describe('cloudtrail mapper: wrong types', () => {
  const cases: [string, Json, RegExp][] = [
    ['eventID missing', { eventID: undefined }, /^eventID is missing$/],
    ['eventName a number', { eventName: 7 }, /^eventName must be a string, not number$/],
    ['eventTime not a time', { eventTime: 'soon' }, /^eventTime is not a valid time/],
    ['userIdentity a string', { userIdentity: 'root' }, /^userIdentity must be an object, not string$/],
    ['sessionContext a list', { userIdentity: { sessionContext: [] } }, /sessionContext must be an object, not array/],
    ['requestParameters a string', { requestParameters: '{}' }, /^requestParameters must be an object, not string$/],
    ['responseElements a boolean', { responseElements: true }, /^responseElements must be an object, not boolean$/],
    ['readOnly a string', { readOnly: 'true' }, /^readOnly must be a boolean, not string$/],
    ['resources an object', { resources: { ARN: 'x' } }, /^resources must be an array, not object$/],
    ['a resource a string', { resources: ['arn:aws:s3:::b'] }, /^resources\[0\] must be an object$/],
    ['an IAM userName a number', { eventSource: 'iam.amazonaws.com', requestParameters: { userName: 1 } }, /userName/],
  ];
  for (const [name, fields, message] of cases) {
    it(`refuses ${name}`, () => assert.match(mappingError(fields), message));
  }
});

// Panther's labelled CloudTrail test records (see /work/shared/panther-cloudtrail/README.md): not in CI.
const PANTHER = '/work/shared/panther-cloudtrail';

describe('cloudtrail mapper: Panther test records', () => {
  it('maps every record with a usable eventID, eventName and eventTime', { skip: !existsSync(PANTHER) }, (t) => {
    const lines = (file: string) => readFileSync(`${PANTHER}/${file}`, 'utf8').trim().split('\n');
    const mocked = new Set(
      lines('cases.mocks.ndjson').map((line) => {
        const { rule, name } = JSON.parse(line) as { rule: string; name: string };
        return `${rule}/${name}`;
      }),
    );
    const cases = lines('cases.ndjson')
      .map((line) => JSON.parse(line) as { rule: string; name: string; log: Json })
      .filter(({ rule, name }) => !mocked.has(`${rule}/${name}`));
    const usable = (log: Json) =>
      [log['eventID'], log['eventName'], log['eventTime']].every((value) => typeof value === 'string' && value) &&
      !Number.isNaN(Date.parse(log['eventTime'] as string));
    const reasons = new Map<string, number>();
    let mapped = 0;
    for (const { rule, name, log } of cases) {
      try {
        cloudtrail(log, META);
        mapped++;
      } catch (error) {
        assert.ok(error instanceof MappingError, `${rule} / ${name}: ${String(error)}`);
        // A usable record fails only for a field of the wrong type, which the reason names.
        if (usable(log)) assert.match(error.message, / must be /, `${rule} / ${name}: ${error.message}`);
        const reason = error.message.replace(/: ".*"$/, '');
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    t.diagnostic(`${cases.length} records: ${mapped} mapped, ${cases.length - mapped} refused`);
    for (const [reason, count] of reasons) t.diagnostic(`  ${count} × ${reason}`);
    assert.ok(mapped > 0);
  });
});
