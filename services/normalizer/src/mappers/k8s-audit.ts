// A Kubernetes audit.k8s.io/v1 Event to ECS, after Elastic's kubernetes.audit_logs integration, with
// event.action `<verb>-<resource>[/<subresource>]` ('create-clusterrolebindings', 'create-pods/exec')
// so one field says what was done, and the outcome from the response code the API server gave.
import type { EcsDocument } from '@sentrail/lib/ecs';
import {
  compact,
  distinct,
  eventTime,
  isIpAddress,
  jsonString,
  MappingError,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStrings,
  requiredString,
  type Json,
} from '../fields.js';
import type { Mapper } from '../mapper.js';

/** Resources that grant identities or permissions: changes to them are identity and access management. */
export const K8S_IAM_RESOURCES = [
  'roles',
  'rolebindings',
  'clusterroles',
  'clusterrolebindings',
  'serviceaccounts',
  'certificatesigningrequests',
];
const IAM_RESOURCES = new Set(K8S_IAM_RESOURCES);
/** Subresources that run a process in a container. */
const PROCESS_SUBRESOURCES = new Set(['exec', 'attach']);

const VERB_TYPES = new Map([
  ['create', 'creation'],
  ['update', 'change'],
  ['patch', 'change'],
  ['delete', 'deletion'],
  ['deletecollection', 'deletion'],
]);
const READ_VERBS = new Set(['get', 'list', 'watch']);

function categorize(verb: string, resource: string | undefined, subresource: string | undefined) {
  if (subresource && PROCESS_SUBRESOURCES.has(subresource)) return { category: 'process', type: 'start' };
  const iam = resource !== undefined && IAM_RESOURCES.has(resource);
  // ECS allows `access` for configuration reads and `info` for IAM ones.
  const type = VERB_TYPES.get(verb) ?? (READ_VERBS.has(verb) ? (iam ? 'info' : 'access') : undefined);
  return { category: iam ? 'iam' : 'configuration', type };
}

/** The object's own API path (its metadata.selfLink): the same object whatever the request URI said. */
function objectPath(objectRef: Json | undefined, requestUri: string | undefined): string | undefined {
  const resource = objectRef && optionalString(objectRef, 'resource');
  const version = objectRef && optionalString(objectRef, 'apiVersion');
  if (!objectRef || !resource || !version) return requestUri?.split('?')[0];
  const group = optionalString(objectRef, 'apiGroup');
  const namespace = optionalString(objectRef, 'namespace');
  const name = optionalString(objectRef, 'name');
  return [
    group ? `/apis/${group}/${version}` : `/api/${version}`,
    // A namespace's own objectRef names it as its namespace too.
    namespace && resource !== 'namespaces' ? `/namespaces/${namespace}` : '',
    `/${resource}`,
    name ? `/${name}` : '',
  ].join('');
}

/** An annotation: their keys hold dots, so they are read by key, not by dotted path. */
function annotation(annotations: Json | undefined, key: string): string | undefined {
  const value = annotations?.[key] ?? undefined;
  if (value !== undefined && typeof value !== 'string')
    throw new MappingError(`annotations["${key}"] must be a string`);
  return value || undefined;
}

function outcomeOf(code: number | undefined, decision: string | undefined): EcsDocument['event']['outcome'] {
  if (code !== undefined) return code < 400 ? 'success' : 'failure';
  // Before the response (stage RequestReceived) only a denial is known.
  return decision === 'forbid' ? 'failure' : 'unknown';
}

export const k8sAudit: Mapper = (record) => {
  const auditId = requiredString(record, 'auditID');
  const stage = requiredString(record, 'stage');
  const verb = requiredString(record, 'verb');
  const timestamp = eventTime(record, 'requestReceivedTimestamp');
  const objectRef = optionalObject(record, 'objectRef');
  const resource = objectRef && optionalString(objectRef, 'resource');
  const subresource = objectRef && optionalString(objectRef, 'subresource');
  const name = objectRef && optionalString(objectRef, 'name');
  const apiGroup = objectRef && optionalString(objectRef, 'apiGroup');
  const apiVersion = objectRef && optionalString(objectRef, 'apiVersion');
  const requestUri = optionalString(record, 'requestURI');
  const code = optionalInteger(record, 'responseStatus.code');
  const failed = code !== undefined && code >= 400;
  const annotations = optionalObject(record, 'annotations');
  const decision = annotation(annotations, 'authorization.k8s.io/decision');
  const username = optionalString(record, 'user.username');
  const impersonated = optionalString(record, 'impersonatedUser.username');
  const sourceIps = (optionalStrings(record, 'sourceIPs') ?? []).filter(isIpAddress);
  const { category, type } = categorize(verb, resource, subresource);

  const document: EcsDocument = {
    '@timestamp': timestamp,
    event: {
      id: auditId,
      kind: 'event',
      category: [category],
      type: type ? [type] : undefined,
      action: resource ? `${verb}-${resource}${subresource ? `/${subresource}` : ''}` : verb,
      outcome: outcomeOf(code, decision),
      module: 'kubernetes',
      dataset: 'kubernetes.audit_logs',
    },
    user: {
      name: username,
      id: optionalString(record, 'user.uid'),
      group: { name: optionalStrings(record, 'user.groups') },
      effective: { name: impersonated, group: { name: optionalStrings(record, 'impersonatedUser.groups') } },
    },
    source: { ip: sourceIps[0] },
    user_agent: { original: optionalString(record, 'userAgent') },
    orchestrator: {
      type: 'kubernetes',
      namespace: objectRef && optionalString(objectRef, 'namespace'),
      api_version: apiGroup && apiVersion ? `${apiGroup}/${apiVersion}` : apiVersion,
      resource: { type: resource, name, subresource },
    },
    error: failed
      ? {
          code: optionalString(record, 'responseStatus.reason'),
          message: optionalString(record, 'responseStatus.message'),
        }
      : undefined,
    resource: { type: resource, id: objectPath(objectRef, requestUri), name },
    related: { user: distinct(username, impersonated), ip: distinct(...sourceIps) },
    kubernetes: {
      audit: {
        level: optionalString(record, 'level'),
        stage,
        verb,
        request_uri: requestUri,
        audit_id: auditId,
        impersonated_user: { username: impersonated },
        response_status: { code, reason: optionalString(record, 'responseStatus.reason') },
        authorization: {
          decision,
          reason: annotation(annotations, 'authorization.k8s.io/reason'),
        },
        annotations: jsonString(annotations),
      },
    },
  };
  return { id: `${auditId}:${stage}`, document: compact(document) };
};
