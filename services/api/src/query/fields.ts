// The fields a query, a sort or a count may name: every field of the events mapping, multi-fields
// included (user_agent.original.text), read from the mapping itself so the two never disagree.
import type { estypes } from '@elastic/elasticsearch';
import { eventsMapping } from '@sentrail/lib/mappings';

export const FIELD_TYPES = ['keyword', 'text', 'date', 'ip', 'long', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface EventField {
  name: string;
  type: FieldType;
  /** Indexed: a query can test it. Payloads kept whole but not indexed (event.original) are not. */
  searchable: boolean;
  /** Has doc values: it can be sorted on and counted. */
  aggregatable: boolean;
}

function collect(
  properties: Record<string, estypes.MappingProperty>,
  prefix: string,
  fields: Map<string, EventField>,
): Map<string, EventField> {
  for (const [key, property] of Object.entries(properties)) {
    const name = `${prefix}${key}`;
    if ('properties' in property && property.properties) collect(property.properties, `${name}.`, fields);
    if (property.type === undefined) continue;
    const type = property.type as FieldType;
    // A type the query language does not know must not be silently unsearchable: the test fails first.
    if (!FIELD_TYPES.includes(type)) throw new Error(`the events field ${name} has the unsupported type ${type}`);
    const { index, doc_values: docValues } = property as { index?: boolean; doc_values?: boolean };
    fields.set(name, { name, type, searchable: index !== false, aggregatable: type !== 'text' && docValues !== false });
    if ('fields' in property && property.fields) collect(property.fields, `${name}.`, fields);
  }
  return fields;
}

export const EVENT_FIELDS: ReadonlyMap<string, EventField> = collect(eventsMapping.properties ?? {}, '', new Map());

/**
 * Where a bare value (no `field:`) is looked for: who, what, where from and on what, and the
 * free text. Keyword fields match the value exactly, text fields as a phrase, the IP fields only a
 * value that is an IP address or CIDR range. Kept short: each is one more query per bare value.
 */
export const DEFAULT_FIELDS: readonly string[] = [
  'event.id',
  'event.action',
  'user.name',
  'user.id',
  'user.target.name',
  'source.address',
  'source.ip',
  'related.ip',
  'host.name',
  'resource.id',
  'resource.name',
  'file.path',
  'message',
  'error.message',
];
