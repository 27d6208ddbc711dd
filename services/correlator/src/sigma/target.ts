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

// One parse of an original per document, shared by every rule that tests it; null when it has
// none or it is not JSON. Keyed weakly, so a document's parse goes when the document does.
const originals = new WeakMap<EcsDocument, unknown>();

export function targetOf(logsource: LogSource): Target {
  return logsource.product === 'aws' && logsource.service === 'cloudtrail' ? 'original' : 'ecs';
}

/** Tests a rule against a normalized document, or against its CloudTrail original when the rule targets that. */
export function matchDocument(
  rule: { readonly target: Target; match(event: unknown): boolean },
  document: EcsDocument,
): boolean {
  if (rule.target === 'ecs') return rule.match(document);
  if (document.event.dataset !== CLOUDTRAIL_DATASET) return false;
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
