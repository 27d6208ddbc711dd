// Typed reads of a raw record's fields. A field of the wrong type is a MappingError naming its path,
// so a bad record goes to siem.dlq with a reason instead of producing a half-wrong document.
import { isIP } from 'node:net';

export type Json = Record<string, unknown>;

/** A record the mapper cannot turn into a document; its message is the DLQ reason. */
export class MappingError extends Error {
  override name = 'MappingError';
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const pathKeys = new Map<string, string[]>();

/** The value at a dotted path, or undefined when any step is missing (or null). */
export function field(record: Json, path: string): unknown {
  // Mappers read a few dozen fixed paths per record, millions of times: split each path once.
  let keys = pathKeys.get(path);
  if (!keys) pathKeys.set(path, (keys = path.split('.')));
  let node: unknown = record;
  for (const key of keys) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node ?? undefined;
}

function typed<T>(record: Json, path: string, expected: string, test: (value: unknown) => value is T): T | undefined {
  const value = field(record, path);
  if (value === undefined) return undefined;
  if (!test(value)) throw new MappingError(`${path} must be ${expected}, not ${typeOf(value)}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);

/** A string field; an empty string counts as absent. */
export function optionalString(record: Json, path: string): string | undefined {
  return typed(record, path, 'a string', isString) || undefined;
}

export function requiredString(record: Json, path: string): string {
  const value = optionalString(record, path);
  if (value === undefined) throw new MappingError(`${path} is missing`);
  return value;
}

export const optionalNumber = (record: Json, path: string) => typed(record, path, 'a number', isNumber);
export const optionalBoolean = (record: Json, path: string) => typed(record, path, 'a boolean', isBoolean);
export const optionalObject = (record: Json, path: string) => typed(record, path, 'an object', isObject);
export const optionalArray = (record: Json, path: string) => typed(record, path, 'an array', isArray);

/** A list of strings (a lone string is a list of one). */
export function optionalStrings(record: Json, path: string): string[] | undefined {
  const value = field(record, path);
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isString)) throw new MappingError(`${path} must be a list of strings`);
  return list.length > 0 ? list : undefined;
}

/** A number given as a number or a numeric string (Wazuh writes sizes and ports as strings). */
export function optionalInteger(record: Json, path: string): number | undefined {
  const value = field(record, path);
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (!Number.isInteger(number)) throw new MappingError(`${path} must be an integer, not ${JSON.stringify(value)}`);
  return number as number;
}

/** The event's time, required, as an ISO 8601 UTC string. */
export function eventTime(record: Json, path: string): string {
  const value = field(record, path);
  if (value === undefined) throw new MappingError(`${path} is missing: an event needs its time`);
  return toIsoTime(value, path);
}

export function optionalTime(record: Json, path: string): string | undefined {
  const value = field(record, path);
  return value === undefined ? undefined : toIsoTime(value, path);
}

function toIsoTime(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new MappingError(`${path} must be a time string, not ${typeOf(value)}`);
  // Wazuh writes +0000 offsets, which Date.parse reads only with the colon; a time with no zone is UTC
  // (Date.parse would read it in the machine's zone).
  const zoned = value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const millis = Date.parse(/\d:\d\d/.test(zoned) && !/(Z|[+-]\d\d:\d\d)$/i.test(zoned) ? `${zoned}Z` : zoned);
  if (Number.isNaN(millis))
    throw new MappingError(`${path} is not a valid time: ${JSON.stringify(value.slice(0, 64))}`);
  const date = new Date(millis);
  if (date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999)
    throw new MappingError(`${path} is out of range: ${JSON.stringify(value.slice(0, 64))}`);
  return date.toISOString();
}

/** Whether a string is an IPv4 or IPv6 address (CloudTrail's sourceIPAddress is sometimes a service name). */
export const isIpAddress = (value: string | undefined): value is string => value !== undefined && isIP(value) !== 0;

/** The distinct defined values, or undefined when there are none. */
export function distinct(...values: (string | undefined | null)[]): string[] | undefined {
  const set = [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
  return set.length > 0 ? set : undefined;
}

/** A free-form payload as a JSON string: kept whole and searchable by eye, never mapped field by field. */
export function jsonString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : JSON.stringify(value);
}

/** Drops undefined values and the objects and lists left empty, so documents hold only what is known. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (!isObject(value)) return value;
  const result: Json = {};
  for (const key in value) {
    const kept = compact(value[key]);
    if (kept === undefined) continue;
    if (isObject(kept) && Object.keys(kept).length === 0) continue;
    if (Array.isArray(kept) && kept.length === 0) continue;
    result[key] = kept;
  }
  return result as T;
}
