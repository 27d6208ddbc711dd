// A generic change event (POST /v1/changes: Terraform, CloudFormation, a platform's own hooks; schema
// in services/ingest/src/sources/infra-push.ts) to ECS. The states before and after are stored as JSON
// strings; the _id is the one ingest keyed the record with, so a resend is the same document.
import { changeId } from '@sentrail/lib/change-id';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { compact, distinct, eventTime, isIpAddress, jsonString, optionalObject, optionalString } from '../fields.js';
import type { Mapper } from '../mapper.js';

const OUTCOMES = new Set<string>(['success', 'failure', 'unknown']);
const ACTION_TYPES = new Map([
  ['create', 'creation'],
  ['delete', 'deletion'],
  ['destroy', 'deletion'],
]);

export const changes: Mapper = (record) => {
  const timestamp = eventTime(record, 'time');
  const actor = optionalObject(record, 'actor') ?? {};
  const resource = optionalObject(record, 'resource') ?? {};
  const action = optionalString(record, 'action');
  const system = optionalString(record, 'system');
  const outcome = optionalString(record, 'outcome');
  const actorName = optionalString(actor, 'name');
  const actorIp = optionalString(actor, 'ip');
  const id = changeId(record);

  const document: EcsDocument = {
    '@timestamp': timestamp,
    event: {
      id,
      kind: 'event',
      category: ['configuration'],
      type: [(action && ACTION_TYPES.get(action.toLowerCase())) ?? 'change'],
      action,
      outcome: outcome && OUTCOMES.has(outcome) ? (outcome as EcsDocument['event']['outcome']) : 'unknown',
      provider: system,
      module: 'sentrail',
      dataset: 'sentrail.changes',
    },
    user: { name: actorName, id: optionalString(actor, 'id') },
    // An actor's address that is not an IP (a host name) is still where the change came from.
    source: isIpAddress(actorIp) ? { ip: actorIp } : { address: actorIp },
    resource: {
      type: optionalString(resource, 'type'),
      id: optionalString(resource, 'id'),
      name: optionalString(resource, 'name'),
    },
    related: { user: distinct(actorName), ip: isIpAddress(actorIp) ? [actorIp] : undefined },
    sentrail: { change: { system, before: jsonString(record['before']), after: jsonString(record['after']) } },
  };
  return { id, document: compact(document) };
};
