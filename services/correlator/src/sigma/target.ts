// Which object a rule is tested against. Sigma rules for CloudTrail (logsource product aws,
// service cloudtrail) are written with CloudTrail's own field names (eventName,
// userIdentity.type, requestParameters.bucketName), so they test the original record, kept whole
// in event.original; every other rule tests the ECS document with ECS names.

import type { EcsDocument } from '@sentrail/lib/ecs';

export type Target = 'original' | 'ecs';

export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** The dataset the normalizer gives CloudTrail records: only its originals have CloudTrail's names. */
const CLOUDTRAIL_DATASET = 'aws.cloudtrail';

/**
 * CloudTrail fields the normalizer copies verbatim into the ECS document (empty and null values
 * aside), by their names in each: a rule's items on them are checked on the document first, and the
 * original is parsed only when they pass. target.test.ts holds the normalizer to it.
 */
export const CLOUDTRAIL_COUNTERPARTS: ReadonlyMap<string, string> = new Map([
  ['eventName', 'event.action'],
  ['eventSource', 'event.provider'],
  ['eventType', 'aws.cloudtrail.event_type'],
  ['eventCategory', 'aws.cloudtrail.event_category'],
  ['awsRegion', 'cloud.region'],
  ['sourceIPAddress', 'source.address'],
  ['userAgent', 'user_agent.original'],
  ['errorCode', 'error.code'],
  ['errorMessage', 'error.message'],
  ['recipientAccountId', 'aws.cloudtrail.recipient_account_id'],
  ['readOnly', 'aws.cloudtrail.read_only'],
  ['managementEvent', 'aws.cloudtrail.management_event'],
  ['userIdentity.type', 'aws.cloudtrail.user_identity.type'],
  ['userIdentity.arn', 'aws.cloudtrail.user_identity.arn'],
  ['userIdentity.principalId', 'aws.cloudtrail.user_identity.principal_id'],
  ['userIdentity.accessKeyId', 'aws.cloudtrail.user_identity.access_key_id'],
  ['userIdentity.invokedBy', 'aws.cloudtrail.user_identity.invoked_by'],
  [
    'userIdentity.sessionContext.sessionIssuer.userName',
    'aws.cloudtrail.user_identity.session_context.session_issuer.user_name',
  ],
  ['userIdentity.sessionContext.sessionIssuer.arn', 'aws.cloudtrail.user_identity.session_context.session_issuer.arn'],
  [
    'userIdentity.sessionContext.sessionIssuer.type',
    'aws.cloudtrail.user_identity.session_context.session_issuer.type',
  ],
]);

// One parse of an original per document, shared by every rule that tests it; null when it has
// none or it is not JSON. Keyed weakly, so a document's parse goes when the document does.
const originals = new WeakMap<EcsDocument, unknown>();

export function targetOf(logsource: LogSource): Target {
  return logsource.product === 'aws' && logsource.service === 'cloudtrail' ? 'original' : 'ecs';
}

/** Tests a rule against a normalized document, or against its CloudTrail original when the rule targets that. */
export function matchDocument(
  rule: { readonly target: Target; match(event: unknown): boolean; readonly guard?: (event: unknown) => boolean },
  document: EcsDocument,
): boolean {
  if (rule.target === 'ecs') return rule.match(document);
  if (document.event.dataset !== CLOUDTRAIL_DATASET) return false;
  if (rule.guard && !rule.guard(document)) return false;
  let original = originals.get(document);
  if (original === undefined) {
    original = parseOriginal(document.event.original);
    originals.set(document, original);
  }
  return original !== null && rule.match(original);
}

function parseOriginal(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
