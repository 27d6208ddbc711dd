// Infrastructure write events pushed over HTTP onto siem.raw.infra, each item as its own record:
//
// - `POST /v1/k8s/audit`: what kube-apiserver's audit webhook backend posts, an `audit.k8s.io/v1`
//   EventList; one record per Event, keyed `<auditID>:<stage>`, header `source: k8sAudit`.
// - `POST /v1/changes`: the generic change event below, one object or `{"events": [...]}`, from
//   Terraform, CloudFormation or a platform's own hooks; keyed by its `id`, else the SHA-256 of its
//   canonical JSON (sorted keys, no spaces), so a resend has the same key; header `source: changes`.
//
// The generic change event (JSON; fields beyond these are kept and passed on):
//   id        string, optional      the sender's own unique id of the change
//   actor     {name, id?, type?, ip?}  who made it (required: name)
//   action    string                what was done: create, update, delete, apply, …
//   resource  {type, id, name?}     what it was done to (required: type, id)
//   before    object | null, optional  state before (absent or null on create)
//   after     object | null, optional  state after (absent or null on delete)
//   time      RFC 3339 date-time    when it was made
//   system    string                which system made it: terraform, cloudformation, argocd, …
//   outcome   success | failure | unknown, optional
//
// Both need `Authorization: Bearer <token>` or `X-Sentrail-Signature: sha256=<hex HMAC-SHA256 of the
// body>`; the answer is 202 `{accepted}` once Kafka has every record, 503 with Retry-After if not.
import { changeId } from '@sentrail/lib/change-id';
import { checkSection } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import type { JSONSchemaType } from 'ajv';
import type { FastifyPluginAsync } from 'fastify';
import {
  answerAfterKafka,
  pushAuthProperties,
  rawBody,
  requirePushCredentials,
  securePushRoutes,
  type PushAuthSettings,
} from '../push-auth.js';
import type { Source, SourceContext, SourceFactory } from '../source.js';

export const SOURCE_NAME = 'infraPush';
const SECTION = `ingest.sources.${SOURCE_NAME}`;
/** The `source` header and metrics label of each route's records. */
export const K8S_AUDIT_SOURCE = 'k8sAudit';
export const CHANGES_SOURCE = 'changes';

export interface InfraPushSettings extends PushAuthSettings {
  enabled?: boolean;
  /** Serve `POST /v1/k8s/audit`. */
  k8sAudit: boolean;
  /** Serve `POST /v1/changes`. */
  changes: boolean;
}

export const infraPushSchema: JSONSchemaType<InfraPushSettings> = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', nullable: true },
    k8sAudit: { type: 'boolean', default: true },
    changes: { type: 'boolean', default: true },
    ...pushAuthProperties,
  },
  required: ['k8sAudit', 'changes', 'tokens', 'hmacSecrets', 'bodyLimitBytes'],
  additionalProperties: false,
};

const text = { type: 'string', minLength: 1 } as const;
const time = { type: 'string', format: 'date-time' } as const;

/** An audit.k8s.io/v1 Event: the fields every stage carries are required. */
const k8sAuditEventSchema = {
  type: 'object',
  required: ['auditID', 'stage', 'verb', 'user', 'requestReceivedTimestamp'],
  properties: {
    level: { type: 'string', enum: ['None', 'Metadata', 'Request', 'RequestResponse'] },
    auditID: text,
    stage: { type: 'string', enum: ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] },
    requestURI: { type: 'string' },
    verb: text,
    user: { type: 'object' },
    impersonatedUser: { type: 'object' },
    sourceIPs: { type: 'array', items: { type: 'string' } },
    objectRef: { type: 'object' },
    responseStatus: { type: 'object' },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  },
} as const;

export const k8sAuditEventListSchema = {
  type: 'object',
  required: ['kind', 'apiVersion', 'items'],
  properties: {
    kind: { const: 'EventList' },
    apiVersion: { const: 'audit.k8s.io/v1' },
    items: { type: 'array', items: k8sAuditEventSchema },
  },
} as const;

const state = { type: 'object', nullable: true } as const;

export const changeEventSchema = {
  type: 'object',
  required: ['actor', 'action', 'resource', 'time', 'system'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 512 },
    actor: {
      type: 'object',
      required: ['name'],
      properties: { name: text, id: { type: 'string' }, type: { type: 'string' }, ip: { type: 'string' } },
    },
    action: text,
    resource: {
      type: 'object',
      required: ['type', 'id'],
      properties: { type: text, id: text, name: { type: 'string' } },
    },
    before: state,
    after: state,
    time,
    system: text,
    outcome: { type: 'string', enum: ['success', 'failure', 'unknown'] },
  },
} as const;

const changesBodySchema = {
  if: { type: 'object', required: ['events'] },
  then: {
    type: 'object',
    required: ['events'],
    properties: { events: { type: 'array', minItems: 1, items: changeEventSchema } },
  },
  else: changeEventSchema,
} as const;

type Json = Record<string, unknown>;

const newestTime = (events: Json[], field: string) =>
  Math.max(...events.map((event) => Date.parse(String(event[field]))));

function infraRoutes(context: SourceContext, settings: InfraPushSettings): FastifyPluginAsync {
  const push = { topic: TOPICS.rawInfra };
  return async (app) => {
    securePushRoutes(app, settings);
    if (settings.k8sAudit) {
      app.post(
        '/v1/k8s/audit',
        {
          schema: {
            description: "An audit.k8s.io/v1 EventList, as kube-apiserver's audit webhook backend posts it.",
            body: k8sAuditEventListSchema,
          },
        },
        async (request, reply) => {
          // From the bytes, not the validated body, which the validator may have coerced.
          const { items } = JSON.parse(rawBody(request).toString('utf8')) as { items: Json[] };
          return answerAfterKafka(context, request, reply, {
            ...push,
            source: K8S_AUDIT_SOURCE,
            items: items.map((event) => ({
              key: `${String(event['auditID'])}:${String(event['stage'])}`,
              value: JSON.stringify(event),
            })),
            eventTime: newestTime(items, 'requestReceivedTimestamp'),
          });
        },
      );
    }
    if (settings.changes) {
      app.post(
        '/v1/changes',
        {
          schema: {
            description: 'One generic change event, or {"events": [...]} with several.',
            body: changesBodySchema,
          },
        },
        async (request, reply) => {
          const raw = rawBody(request);
          const document = JSON.parse(raw.toString('utf8')) as Json;
          const batch = Array.isArray(document['events']) ? (document['events'] as Json[]) : undefined;
          const items = batch
            ? batch.map((event) => ({ key: changeId(event), value: JSON.stringify(event) }))
            : [{ key: changeId(document), value: raw }];
          return answerAfterKafka(context, request, reply, {
            ...push,
            source: CHANGES_SOURCE,
            items,
            eventTime: newestTime(batch ?? [document], 'time'),
          });
        },
      );
    }
  };
}

export const infraPush: SourceFactory = (context, raw) => {
  const settings = checkSection(SECTION, infraPushSchema, raw);
  const source: Source = {};
  if (settings.k8sAudit || settings.changes) {
    requirePushCredentials(SECTION, settings);
    source.routes = infraRoutes(context, settings);
  }
  return source;
};
