// What a record cannot say about itself but the operator's configuration can: which buckets hold
// cardholder data or audit logs, and which roles are administrators (normalizer.context).
import type { SentrailConfig } from '@sentrail/lib/config';
import type { EcsDocument } from '@sentrail/lib/ecs';

export interface NormalizerContext {
  cdeBuckets: ReadonlySet<string>;
  auditLogBuckets: ReadonlySet<string>;
  adminRoles: readonly RegExp[];
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i');

export function createContext(settings: SentrailConfig['normalizer']['context']): NormalizerContext {
  return {
    cdeBuckets: new Set(settings.cdeBuckets),
    auditLogBuckets: new Set(settings.auditLogBuckets),
    adminRoles: settings.adminRoles.map(glob),
  };
}

/** The S3 bucket an event touched: from the request, else from its resource's ARN. */
function bucketOf(document: EcsDocument): string | undefined {
  const requested = document.aws?.cloudtrail?.['request'] as { bucket_name?: string } | undefined;
  if (requested?.bucket_name) return requested.bucket_name;
  return /^arn:aws:s3:::([^/]+)/.exec(document.resource?.id ?? '')?.[1];
}

/** The IAM role behind an assumed-role session, as CloudTrail's session issuer names it. */
function roleOf(document: EcsDocument): string | undefined {
  const identity = document.aws?.cloudtrail?.['user_identity'] as
    { session_context?: { session_issuer?: { type?: string; user_name?: string } } } | undefined;
  const issuer = identity?.session_context?.session_issuer;
  return issuer?.type === 'Role' ? issuer.user_name : undefined;
}

/** Adds `labels.cde`, `labels.audit_log` and the `admin` role where the configuration says so. */
export function applyContext(document: EcsDocument, context: NormalizerContext): void {
  const bucket = bucketOf(document);
  if (bucket && context.cdeBuckets.has(bucket)) document.labels = { ...document.labels, cde: true };
  if (bucket && context.auditLogBuckets.has(bucket)) document.labels = { ...document.labels, audit_log: true };
  const role = roleOf(document);
  if (role && context.adminRoles.some((pattern) => pattern.test(role))) {
    document.user = { ...document.user, roles: [...new Set([...(document.user?.roles ?? []), 'admin'])] };
  }
}
