// A Wazuh manager alert (one object of alerts.json) to ECS. Wazuh alerts are rule matches, so
// event.kind is 'alert'. event.action is `file-<added|modified|deleted>` for file integrity (syscheck)
// alerts and, for every other alert, a slug of the rule description ('sshd-authentication-failed'):
// readable, and one value per rule except for the few descriptions with $(field) placeholders. The
// rule's PCI DSS v3.2.1 tags are kept and translated to v4.0 (pci-v3-to-v4.ts).
import { posix, win32 } from 'node:path';
import type { EcsDocument } from '@sentrail/lib/ecs';
import {
  compact,
  distinct,
  eventTime,
  isIpAddress,
  jsonString,
  MappingError,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStrings,
  requiredString,
  type Json,
} from '../fields.js';
import type { Mapper } from '../mapper.js';
import { PCI_V3_TO_V4 } from './pci-v3-to-v4.js';

/** Rule groups that make an alert an authentication attempt, by its outcome. */
const AUTHENTICATION_FAILURE = ['authentication_failed', 'authentication_failures', 'invalid_login'];
const AUTHENTICATION_SUCCESS = ['authentication_success'];

/** What a syscheck event did, as ECS event.type. */
const SYSCHECK_TYPES = new Map([
  ['added', 'creation'],
  ['modified', 'change'],
  ['deleted', 'deletion'],
]);

/**
 * The manager's own alerts about an agent it lost name that agent, which is what the alert is about:
 * "ossec: Agent disconnected: '003-bastion-1-any'." (id, name, address).
 */
const AGENT_LOST = /^ossec: Agent (?:disconnected|removed): '(\d{3,})-(.+)-[^-']+'/;

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 100)
    .replace(/^-+|-+$/g, '');

/** v4.0 numbers of Wazuh's v3.2.1 tags; tags the table does not know are left untranslated. */
const pciV4 = (v3: string[] | undefined) =>
  distinct(...(v3 ?? []).flatMap((tag) => (Object.hasOwn(PCI_V3_TO_V4, tag) ? PCI_V3_TO_V4[tag]! : [])));

function authenticationOutcome(groups: string[]): 'success' | 'failure' | undefined {
  if (groups.some((group) => AUTHENTICATION_FAILURE.includes(group))) return 'failure';
  if (groups.some((group) => AUTHENTICATION_SUCCESS.includes(group))) return 'success';
  return undefined;
}

/** A path split the Windows way when it is one (Wazuh agents run on Windows too). */
const pathsOf = (path: string) => (path.includes('\\') && !path.includes('/') ? win32 : posix);

function fileOf(syscheck: Json, path: string): EcsDocument['file'] {
  return {
    path,
    name: pathsOf(path).basename(path),
    directory: pathsOf(path).dirname(path),
    size: optionalInteger(syscheck, 'size_after'),
    hash: {
      md5: optionalString(syscheck, 'md5_after'),
      sha1: optionalString(syscheck, 'sha1_after'),
      sha256: optionalString(syscheck, 'sha256_after'),
    },
  };
}

/**
 * Who: the user who acted (srcuser: who ran sudo or su) else the account used (dstuser: the account an
 * SSH login tried), with the account acted as as the effective user; for file integrity with who-data,
 * the user who changed the file.
 */
function userOf(record: Json): EcsDocument['user'] {
  const srcUser = optionalString(record, 'data.srcuser');
  const dstUser = optionalString(record, 'data.dstuser');
  if (srcUser ?? dstUser) {
    return { name: srcUser ?? dstUser, effective: { name: srcUser && dstUser !== srcUser ? dstUser : undefined } };
  }
  return {
    name: optionalString(record, 'syscheck.audit.user.name'),
    id: optionalString(record, 'syscheck.audit.user.id'),
  };
}

/** File integrity (syscheck) alerts: on a file, or on a Windows registry key. */
function syscheckOf(record: Json, groups: string[]) {
  const syscheck = optionalObject(record, 'syscheck');
  const path = syscheck && optionalString(syscheck, 'path');
  if (!syscheck || !path) return undefined;
  const event = optionalString(syscheck, 'event');
  const registry = groups.includes('syscheck_registry');
  const file = registry ? undefined : fileOf(syscheck, path);
  const value = optionalString(syscheck, 'value_name');
  return {
    syscheck: { event, mode: optionalString(syscheck, 'mode') },
    file,
    classification: {
      category: [registry ? 'registry' : 'file'],
      type: distinct(event && SYSCHECK_TYPES.get(event)),
      action: event ? `${registry ? 'registry' : 'file'}-${event}` : undefined,
      // Wazuh saw the change: it happened.
      outcome: event ? ('success' as const) : ('unknown' as const),
    },
    resource: registry
      ? { type: 'registry', id: value ? `${path}\\${value}` : path, name: value ?? win32.basename(path) }
      : { type: 'file', id: path, name: file?.name },
  };
}

export const wazuh: Mapper = (record) => {
  const alertId = requiredString(record, 'id');
  const rule = optionalObject(record, 'rule');
  if (!rule) throw new MappingError('rule is missing');
  const timestamp = eventTime(record, 'timestamp');
  const agentId = optionalString(record, 'agent.id');
  const agentName = optionalString(record, 'agent.name');
  const agentIp = optionalString(record, 'agent.ip');
  const groups = optionalStrings(rule, 'groups') ?? [];
  const description = optionalString(rule, 'description');
  const v3Requirements = optionalStrings(rule, 'pci_dss');
  const message = optionalString(record, 'full_log');
  const user = userOf(record);
  const srcIp = optionalString(record, 'data.srcip');
  const dstIp = optionalString(record, 'data.dstip');

  const fim = syscheckOf(record, groups);
  const lost = message ? AGENT_LOST.exec(message) : null;
  const resourceHost = lost ? { id: lost[1], name: lost[2] } : { id: agentId, name: agentName };
  const outcome = authenticationOutcome(groups);
  const classification = fim?.classification ?? {
    category: outcome ? ['authentication'] : undefined,
    type: outcome ? ['info'] : undefined,
    action: description ? slug(description) : undefined,
    outcome: outcome ?? 'unknown',
  };

  const document: EcsDocument = {
    '@timestamp': timestamp,
    message,
    event: {
      id: alertId,
      kind: 'alert',
      ...classification,
      module: 'wazuh',
      dataset: 'wazuh.alerts',
      severity: optionalNumber(rule, 'level'),
    },
    rule: { id: optionalString(rule, 'id'), name: description, description, ruleset: 'wazuh' },
    user,
    source: { ip: isIpAddress(srcIp) ? srcIp : undefined, port: optionalInteger(record, 'data.srcport') },
    agent: { id: agentId, name: agentName, type: 'wazuh' },
    host: { name: agentName, ip: isIpAddress(agentIp) ? [agentIp] : undefined },
    file: fim?.file,
    resource: fim?.resource ?? { type: 'host', ...resourceHost },
    related: {
      user: distinct(user?.name, user?.effective?.name),
      ip: distinct(...[srcIp, dstIp, agentIp].filter(isIpAddress)),
      hosts: distinct(agentName, resourceHost.name, optionalString(record, 'predecoder.hostname')),
    },
    pci_dss: { requirements: pciV4(v3Requirements), v3_requirements: v3Requirements },
    wazuh: {
      id: alertId,
      location: optionalString(record, 'location'),
      rule: {
        level: optionalNumber(rule, 'level'),
        firedtimes: optionalNumber(rule, 'firedtimes'),
        groups,
        mitre: {
          id: optionalStrings(rule, 'mitre.id'),
          tactic: optionalStrings(rule, 'mitre.tactic'),
          technique: optionalStrings(rule, 'mitre.technique'),
        },
      },
      decoder: { name: optionalString(record, 'decoder.name'), parent: optionalString(record, 'decoder.parent') },
      manager: { name: optionalString(record, 'manager.name') },
      syscheck: fim?.syscheck,
      data: jsonString(record['data']),
    },
  };
  return { id: agentId ? `${alertId}:${agentId}` : alertId, document: compact(document) };
};
