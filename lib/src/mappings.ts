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

const bool: MappingProperty = { type: 'boolean' };
const userFields = {
  ...keywords('name', 'id', 'domain', 'email', 'roles'),
  group: object(keywords('name')),
};

/**
 * ECS fields Sentrail writes (DESIGN.md §3, the EcsDocument type of ecs.ts). `dynamic: false` keeps
 * any other field in _source without mapping it, so no payload can create new fields; free-form
 * payloads are `stored` JSON strings.
 */
export const eventsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    message: text,
    tags: keyword,
    labels: object({ cde: bool, audit_log: bool }),
    event: object({
      ...keywords('id', 'kind', 'category', 'type', 'action', 'outcome', 'provider', 'dataset', 'module', 'reason'),
      severity: long,
      created: date,
      ingested: date,
      original: stored,
    }),
    user: object({ ...userFields, target: object(userFields), effective: object(userFields) }),
    source: object({ ip, address: keyword, port: long }),
    user_agent: object({
      original: { type: 'keyword', ignore_above: 1024, fields: { text } },
      ...keywords('name', 'version'),
      os: object(keywords('name', 'version')),
      device: object(keywords('name')),
    }),
    cloud: object({
      ...keywords('provider', 'region', 'availability_zone'),
      account: object(keywords('id', 'name')),
      service: object(keywords('name')),
    }),
    host: object({ ...keywords('name', 'hostname', 'id'), ip }),
    agent: object(keywords('name', 'id', 'type', 'version')),
    orchestrator: object({
      ...keywords('type', 'namespace', 'api_version'),
      cluster: object(keywords('name')),
      resource: object(keywords('type', 'name', 'subresource')),
    }),
    rule: object(keywords('id', 'name', 'description', 'category', 'ruleset', 'reference')),
    file: object({
      ...keywords('path', 'name', 'directory'),
      size: long,
      hash: object(keywords('md5', 'sha1', 'sha256')),
    }),
    url: object(keywords('path', 'original')),
    http: object({ request: object(keywords('method')), response: object({ status_code: long }) }),
    error: object({ code: keyword, message: text }),
    related: object({ user: keyword, ip, hosts: keyword }),
    resource: object(keywords('type', 'id', 'name')),
    pci_dss: object({ ...keywords('requirements', 'v3_requirements', 'missing'), complete: bool }),
    aws: object({
      cloudtrail: object({
        ...keywords('event_version', 'event_type', 'event_category', 'recipient_account_id', 'request_id'),
        ...keywords('shared_event_id', 'vpc_endpoint_id', 'api_version'),
        management_event: bool,
        read_only: bool,
        user_identity: object({
          ...keywords('type', 'arn', 'principal_id', 'access_key_id', 'invoked_by', 'credential_id'),
          session_context: object({
            mfa_authenticated: bool,
            creation_date: date,
            source_identity: keyword,
            session_issuer: object(keywords('type', 'principal_id', 'arn', 'account_id', 'user_name')),
          }),
        }),
        resources: object(keywords('arn', 'type', 'account_id')),
        tls_details: object(keywords('tls_version', 'cipher_suite', 'client_provided_host_header')),
        console_login: object({ login_to: keyword, mfa_used: bool, mobile_version: bool }),
        // A bounded set of request fields worth searching; the whole payloads are stored below.
        request: object(
          keywords('bucket_name', 'key', 'user_name', 'role_name', 'group_name', 'policy_arn', 'trail_name'),
        ),
        request_parameters: stored,
        response_elements: stored,
        additional_eventdata: stored,
        service_event_details: stored,
      }),
    }),
    wazuh: object({
      ...keywords('id', 'location'),
      rule: object({
        level: long,
        firedtimes: long,
        groups: keyword,
        mitre: object(keywords('id', 'tactic', 'technique')),
      }),
      decoder: object(keywords('name', 'parent')),
      manager: object(keywords('name')),
      syscheck: object(keywords('event', 'mode')),
      data: stored,
    }),
    kubernetes: object({
      audit: object({
        ...keywords('level', 'stage', 'verb', 'request_uri', 'audit_id'),
        impersonated_user: object(keywords('username')),
        response_status: object({ code: long, reason: keyword }),
        authorization: object(keywords('decision', 'reason')),
        annotations: stored,
      }),
    }),
    sentrail: object({
      integrity: object({
        ...keywords('kind', 'result', 'problems', 'flags', 'narrowed', 'trail'),
        log_files: object({ total: long, valid: long, missing: long, mismatched: long }),
      }),
      change: object({ system: keyword, before: stored, after: stored }),
      access: object({ ...keywords('route', 'key_id', 'role', 'format'), query: text, rows: long, duration_ms: long }),
    }),
  },
};

/** The alert document of DESIGN.md §3 (services/correlator/src/alerts/alert.ts). */
export const alertsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    alert: object(keywords('id')),
    rule: object(keywords('id', 'name', 'severity')),
    pci_dss: object({ requirements: keyword }),
    entity: object(keywords('type', 'value')),
    first_seen: date,
    last_seen: date,
    count: long,
    evidence: object({ event_ids: keyword }),
    status: keyword,
    assignee: keyword,
    status_history: object({ ...keywords('status', 'by', 'assignee'), at: date, note: text }),
    response: object({ acknowledged_at: date, time_to_acknowledge_ms: long, closed_at: date, time_to_close_ms: long }),
    // Also the notifier outbox: an entry `pending` is a notification still to deliver.
    notifications: object({
      ...keywords('channel', 'event', 'status'),
      attempts: long,
      requested_at: date,
      last_attempt: date,
      next_attempt: date,
      error: text,
    }),
  },
};

/** An analyst's exception: alerts of a rule for an entity are muted until it expires. */
export const alertExceptionsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    rule: object(keywords('id')),
    entity: object(keywords('value')),
    reason: text,
    by: keyword,
    expires_at: date,
  },
};

/** PCI DSS 10.4.1: one document a day, what the daily review summary found (services/correlator/src/checks/daily-review.ts). */
export const reviewsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    '@timestamp': date,
    day: keyword,
    period: object({ from: date, to: date }),
    events: object({ total: long, incomplete: long, by_dataset: object({ dataset: keyword, count: long }) }),
    alerts: object({
      opened: long,
      acknowledged: long,
      closed: long,
      open_now: long,
      by_severity: object({ severity: keyword, count: long }),
    }),
  },
};

/** API keys: only the SHA-256 of each key's secret is stored. */
export const apiKeysMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    id: keyword,
    name: keyword,
    role: keyword,
    secret_sha256: keyword,
    created: object({ at: date, by: keyword }),
    revoked: object({ at: date, by: keyword }),
  },
};

/**
 * Auditors' exports (services/api/src/exports/): one document per export, `running` while it streams,
 * then `complete` with its signed manifest, or `aborted` with the rows sent before the client left.
 */
export const exportsMapping: MappingTypeMapping = {
  dynamic: false,
  properties: {
    id: keyword,
    status: keyword,
    query: { type: 'keyword', ignore_above: 1024, fields: { text } },
    range: object({ from: date, to: date }),
    format: keyword,
    requester: object(keywords('key_id', 'name', 'role')),
    started_at: date,
    completed_at: date,
    ended_at: date,
    rows: long,
    sha256: keyword,
    public_key_sha256: keyword,
    signature: stored,
    reason: text,
  },
};
