// One request to Sentrail's own API (lib/src/access-record.ts) to ECS: access to the audit trail is
// itself audited (PCI DSS 10.2.1.3). event.action is `<METHOD> <route>` ('GET /v1/search'): the method
// tells a read from a write on the same route; http.request.method and sentrail.access.route hold the
// parts for queries without quotes.
import type { EcsDocument } from '@sentrail/lib/ecs';
import {
  compact,
  distinct,
  eventTime,
  isIpAddress,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  requiredString,
} from '../fields.js';
import type { Mapper } from '../mapper.js';

export const sentrailAccess: Mapper = (record) => {
  const id = requiredString(record, 'id');
  const timestamp = eventTime(record, 'time');
  const method = requiredString(record, 'method');
  const route = requiredString(record, 'route');
  const status = optionalInteger(record, 'status');
  const url = optionalString(record, 'url');
  const key = optionalObject(record, 'key');
  const keyId = key && optionalString(key, 'id');
  const keyName = key && optionalString(key, 'name');
  const role = key && optionalString(key, 'role');
  const clientIp = optionalString(record, 'client.ip');
  const duration = optionalNumber(record, 'durationMs');

  const document: EcsDocument = {
    '@timestamp': timestamp,
    event: {
      id,
      kind: 'event',
      category: ['web'],
      type: ['access'],
      action: `${method} ${route}`,
      outcome: status === undefined ? 'unknown' : status < 400 ? 'success' : 'failure',
      module: 'sentrail',
      dataset: 'sentrail.access',
    },
    user: { id: keyId, name: keyName, roles: role ? [role] : undefined },
    source: isIpAddress(clientIp) ? { ip: clientIp } : { address: clientIp },
    user_agent: { original: optionalString(record, 'client.userAgent') },
    url: { path: url?.split('?')[0], original: url },
    http: { request: { method }, response: { status_code: status } },
    resource: { type: 'sentrail:api', id: route, name: route },
    related: { user: distinct(keyName, keyId), ip: isIpAddress(clientIp) ? [clientIp] : undefined },
    sentrail: {
      access: {
        route,
        key_id: keyId,
        role,
        query: optionalString(record, 'query'),
        rows: optionalInteger(record, 'rows'),
        duration_ms: duration === undefined ? undefined : Math.round(duration),
        format: optionalString(record, 'export.format'),
      },
    },
  };
  return { id, document: compact(document) };
};
