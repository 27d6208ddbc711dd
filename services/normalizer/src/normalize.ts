// One raw record to its final document: parse, map, label from context, tag PCI DSS requirements,
// record 10.2.2 completeness. The service and `./sentrail normalize` both run exactly this.
import type { EcsDocument } from '@sentrail/lib/ecs';
import { missingElements } from './completeness.js';
import { applyContext, type NormalizerContext } from './context-labels.js';
import { enrichUserAgent } from './enrich/user-agent.js';
import { isObject, MappingError } from './fields.js';
import type { RawMeta } from './mapper.js';
import { MAPPERS, mapperFor, type MapperName } from './mappers/index.js';
import { pciRequirements } from './pci-requirements.js';

export type Normalized =
  | { ok: true; id: string; document: EcsDocument; mapper: MapperName }
  | { ok: false; error: string; mapper?: MapperName };

/** Deeper than this is not an audit record but an attack on the parser or the mapping. */
export const MAX_DEPTH = 32;
/** Longest string kept in a mapped field; free-form payloads (stored JSON strings) are not limited. */
export const MAX_FIELD_CHARS = 16_384;

/** Fields that hold free text or stored payloads, where long strings are expected. */
const UNLIMITED = new Set([
  'message',
  'error.message',
  'event.original',
  'aws.cloudtrail.request_parameters',
  'aws.cloudtrail.response_elements',
  'aws.cloudtrail.additional_eventdata',
  'aws.cloudtrail.service_event_details',
  'wazuh.data',
  'kubernetes.audit.annotations',
  'sentrail.change.before',
  'sentrail.change.after',
]);

function depthOver(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const node of level)
      if (typeof node === 'object' && node !== null) next.push(...(Object.values(node) as unknown[]));
    level = next;
  }
  return false;
}

/** The first mapped string over the limit, as a reason; the path is only built when one is found. */
function overlongField(value: unknown, keys: string[] = []): string | undefined {
  if (typeof value === 'string') {
    if (value.length <= MAX_FIELD_CHARS) return undefined;
    const path = keys.join('.');
    return UNLIMITED.has(path)
      ? undefined
      : `${path} is ${value.length} characters long, over the limit of ${MAX_FIELD_CHARS}`;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const inner of value) {
      const problem = overlongField(inner, keys);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key in value) {
    keys.push(key);
    const problem = overlongField((value as Record<string, unknown>)[key], keys);
    keys.pop();
    if (problem) return problem;
  }
  return undefined;
}

export interface NormalizeOptions {
  context: NormalizerContext;
  /** The time written as event.ingested. */
  now?: Date;
  /** Force a mapper instead of choosing by topic and source header (the dry-run command). */
  mapper?: MapperName;
}

export function normalize(raw: Buffer | string, meta: RawMeta, options: NormalizeOptions): Normalized {
  const mapper = options.mapper ?? mapperFor(meta);
  if (!mapper) return { ok: false, error: `no mapper for topic ${meta.topic} with source header "${meta.source}"` };
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return { ok: false, mapper, error: `not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(record)) return { ok: false, mapper, error: 'the record is not a JSON object' };
  if (depthOver(record, MAX_DEPTH)) return { ok: false, mapper, error: `nested deeper than ${MAX_DEPTH} levels` };
  try {
    const { id, document } = MAPPERS[mapper](record, meta);
    const overlong = overlongField(document);
    if (overlong) return { ok: false, mapper, error: overlong };
    applyContext(document, options.context);
    enrichUserAgent(document);
    const requirements = pciRequirements(document);
    // 10.2.2 is about records of actions; a state (a check's result, such as digest validation) has no actor.
    const missing = document.event.kind === 'state' ? undefined : missingElements(document);
    document.pci_dss = {
      ...document.pci_dss,
      ...(requirements.length > 0 ? { requirements } : {}),
      ...(missing && missing.length > 0 ? { missing } : {}),
      ...(missing ? { complete: missing.length === 0 } : {}),
    };
    document.event.created = meta.receivedAt;
    document.event.ingested = (options.now ?? new Date()).toISOString();
    document.event.original = text;
    return { ok: true, mapper, id, document };
  } catch (error) {
    if (error instanceof MappingError) return { ok: false, mapper, error: error.message };
    throw error;
  }
}
