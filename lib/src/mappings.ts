import type { estypes } from '@elastic/elasticsearch';

type MappingProperty = estypes.MappingProperty;
type MappingTypeMapping = estypes.MappingTypeMapping;

// Field types available on a bare node (no mapper-extras, no wildcard): keyword, text, date, ip, long.
const keyword: MappingProperty = { type: 'keyword', ignore_above: 1024 };
const date: MappingProperty = { type: 'date' };
const ip: MappingProperty = { type: 'ip' };
const long: MappingProperty = { type: 'long' };
const text: MappingProperty = { type: 'text' };
/** Kept whole in _source, never indexed: raw originals and free-form JSON payloads can be any size. */
const stored: MappingProperty = { type: 'keyword', index: false, doc_values: false };

function object(properties: Record<string, MappingProperty>): MappingProperty {
  return { properties };
}

function keywords(...names: string[]): Record<string, MappingProperty> {
  return Object.fromEntries(names.map((name) => [name, keyword]));
}

const userFields = keywords('name', 'id', 'domain', 'email');

/**
 * ECS fields Sentrail writes (DESIGN.md §3). `dynamic: false` keeps any other field in _source
 * without mapping it, so no payload can create new fields.
 */
export const eventsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    message: text,
    tags: keyword,
    event: object({
      ...keywords('id', 'kind', 'category', 'type', 'action', 'outcome', 'provider', 'dataset', 'module', 'reason'),
      created: date,
      ingested: date,
      original: stored,
    }),
    user: object({ ...userFields, target: object(userFields), effective: object(userFields) }),
    source: object({ ip, address: keyword, port: long }),
    user_agent: object({ original: { type: 'keyword', ignore_above: 1024, fields: { text } } }),
    cloud: object({
      ...keywords('provider', 'region', 'availability_zone'),
      account: object(keywords('id', 'name')),
      service: object(keywords('name')),
    }),
    host: object({ ...keywords('name', 'hostname', 'id'), ip }),
    agent: object(keywords('name', 'id', 'type', 'version')),
    orchestrator: object({
      ...keywords('type', 'namespace'),
      cluster: object(keywords('name')),
      resource: object(keywords('type', 'name')),
    }),
    rule: object(keywords('id', 'name', 'description', 'category', 'ruleset', 'reference')),
    file: object({ ...keywords('path', 'name'), hash: object(keywords('md5', 'sha1', 'sha256')) }),
    error: object({ code: keyword, message: text }),
    related: object({ user: keyword, ip, hosts: keyword }),
    pci_dss: object({ requirements: keyword }),
  },
};

export const alertsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    rule: object(keywords('id', 'name', 'severity')),
    pci_dss: object({ requirements: keyword }),
    entity: object(keywords('type', 'value')),
    first_seen: date,
    last_seen: date,
    count: long,
    evidence: object({ event_ids: keyword }),
    status: keyword,
    status_history: object({ status: keyword, by: keyword, at: date }),
    notifications: object({ channel: keyword, status: keyword, attempts: long, last_attempt: date }),
  },
};
