// The document the normalizer writes to Elasticsearch and siem.events (DESIGN.md §3): ECS field
// names, plus Sentrail's own `resource`, `pci_dss`, `aws.cloudtrail`, `wazuh`, `kubernetes` and
// `sentrail` sets. Every field here is in the events mapping (mappings.ts); a test checks both agree.

export interface EcsUser {
  name?: string;
  id?: string;
  domain?: string;
  email?: string;
  roles?: string[];
  group?: { name?: string[] };
}

export type EventOutcome = 'success' | 'failure' | 'unknown';

export interface EcsDocument {
  '@timestamp': string;
  message?: string;
  tags?: string[];
  labels?: { cde?: boolean; audit_log?: boolean };
  event: {
    id: string;
    kind: 'event' | 'alert' | 'state';
    category?: string[];
    type?: string[];
    action?: string;
    outcome: EventOutcome;
    provider?: string;
    dataset: string;
    module: string;
    severity?: number;
    reason?: string;
    /** When Sentrail first read it (the raw message's received_at). */
    created?: string;
    /** When the normalizer wrote it. */
    ingested?: string;
    original?: string;
  };
  user?: EcsUser & { target?: EcsUser; effective?: EcsUser };
  source?: { ip?: string; address?: string; port?: number };
  user_agent?: {
    original?: string;
    name?: string;
    version?: string;
    os?: { name?: string; version?: string };
    device?: { name?: string };
  };
  cloud?: {
    provider?: string;
    region?: string;
    availability_zone?: string;
    account?: { id?: string; name?: string };
    service?: { name?: string };
  };
  host?: { name?: string; hostname?: string; id?: string; ip?: string[] };
  agent?: { name?: string; id?: string; type?: string; version?: string };
  orchestrator?: {
    type?: string;
    namespace?: string;
    api_version?: string;
    cluster?: { name?: string };
    resource?: { type?: string; name?: string; subresource?: string };
  };
  rule?: {
    id?: string;
    name?: string;
    description?: string;
    category?: string;
    ruleset?: string;
    reference?: string;
  };
  file?: {
    path?: string;
    name?: string;
    directory?: string;
    size?: number;
    hash?: { md5?: string; sha1?: string; sha256?: string };
  };
  url?: { path?: string; original?: string };
  http?: { request?: { method?: string }; response?: { status_code?: number } };
  error?: { code?: string; message?: string };
  related?: { user?: string[]; ip?: string[]; hosts?: string[] };
  /** What an event acted on (PCI DSS 10.2.2 "affected resource"): an ARN, a K8s object, a file, … */
  resource?: { type?: string; id?: string; name?: string };
  pci_dss?: {
    /** PCI DSS v4.0 sub-requirements the event is evidence for, e.g. `10.2.1.6`. */
    requirements?: string[];
    /** Wazuh's own tags, in PCI DSS v3.2.1 numbering, as the rule gave them. */
    v3_requirements?: string[];
    /** Which of the 10.2.2 elements the event lacks: who, what, when, outcome, origin, resource. */
    missing?: string[];
    complete?: boolean;
  };
  aws?: { cloudtrail?: Record<string, unknown> };
  wazuh?: Record<string, unknown>;
  kubernetes?: Record<string, unknown>;
  sentrail?: Record<string, unknown>;
}

/** The elements PCI DSS 10.2.2 asks every audit log entry to record. */
export const COMPLETENESS_ELEMENTS = ['who', 'what', 'when', 'outcome', 'origin', 'resource'] as const;
export type CompletenessElement = (typeof COMPLETENESS_ELEMENTS)[number];

/**
 * The correlation entity of DESIGN.md §3: the user, else the source IP, else the host. The
 * normalizer keys siem.events with it (one entity's events in one partition, in order) and the
 * correlator names alerts after it.
 */
export function correlationEntity(document: EcsDocument): { type: 'user' | 'ip' | 'host'; value: string } | undefined {
  const user = document.user?.name ?? document.user?.id;
  if (user) return { type: 'user', value: user };
  if (document.source?.ip) return { type: 'ip', value: document.source.ip };
  if (document.host?.name) return { type: 'host', value: document.host.name };
  return undefined;
}
