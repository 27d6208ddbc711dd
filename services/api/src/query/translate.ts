// A parsed query as an Elasticsearch query built only of bool, term, wildcard, match_phrase, range
// and exists, on fields of the events mapping, with every value checked against its field's type
// first: what Elasticsearch would refuse is refused here, with the position of the fault.
//
// Per field type: keyword — the exact value (case-sensitive), or a wildcard pattern matched
// case-insensitively; ranges compare as strings. text — the value as a phrase (an unquoted value
// is one word, so a phrase of its parts), or a wildcard against single words. date — ISO 8601,
// a span as date-span.ts says. ip — an address, or a CIDR range to match. long — a whole number.
// boolean — true or false. Ranges on text and boolean fields, and wildcards outside keyword and
// text fields, are refused.
import { isIP } from 'node:net';
import type { estypes } from '@elastic/elasticsearch';
import { QueryError } from './bad-request.js';
import { parseDateSpan, type DateSpan } from './date-span.js';
import { DEFAULT_FIELDS, EVENT_FIELDS, type EventField } from './fields.js';
import { parseQuery, type Bound, type FieldName, type QueryNode, type Value } from './parser.js';

type Query = estypes.QueryDslQueryContainer;

/** The user's query text as an Elasticsearch query; throws QueryError for anything wrong with it. */
export function translateQuery(text: string): Query {
  return toElasticQuery(parseQuery(text));
}

export function toElasticQuery(node: QueryNode): Query {
  switch (node.type) {
    case 'all':
      return { match_all: {} };
    case 'and':
      return { bool: { filter: node.operands.map(toElasticQuery) } };
    case 'or':
      return { bool: { should: node.operands.map(toElasticQuery), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [toElasticQuery(node.operand)] } };
    case 'exists':
      return { exists: { field: searchableField(node.field).name } };
    case 'term':
      return node.field ? fieldTerm(searchableField(node.field), node.value) : anyFieldTerm(node.value);
    case 'range':
      return rangeQuery(searchableField(node.field), node.field.position, node.lower, node.upper);
  }
}

/** The field a query names, which must be in the events mapping and indexed. */
export function searchableField({ name, position }: FieldName): EventField {
  const field = EVENT_FIELDS.get(name);
  if (!field)
    throw new QueryError(
      `unknown field '${name}' at ${position} (to search for a value holding ':', quote it or write \\:)`,
      position,
    );
  if (!field.searchable)
    throw new QueryError(
      `the field '${name}' at ${position} is stored but not indexed: it cannot be searched`,
      position,
    );
  return field;
}

function fieldTerm(field: EventField, value: Value): Query {
  if (value.wildcard !== undefined) {
    if (field.type !== 'keyword' && field.type !== 'text')
      throw new QueryError(
        `'${field.name}' is ${typeName(field)}: wildcards are for keyword and text fields (at ${value.position})`,
        value.position,
      );
    return { wildcard: { [field.name]: { value: value.wildcard, case_insensitive: true } } };
  }
  switch (field.type) {
    case 'keyword':
      return { term: { [field.name]: { value: value.text } } };
    case 'text':
      return { match_phrase: { [field.name]: { query: value.text } } };
    case 'date': {
      const span = dateSpan(field, value);
      return dateRange(field, span, span, true, true);
    }
    case 'ip':
      if (!isIpOrCidr(value.text)) throw typeError(field, value, 'an IP address or CIDR range');
      return { term: { [field.name]: { value: value.text } } };
    case 'long':
      return { term: { [field.name]: { value: long(field, value) } } };
    case 'boolean':
      return { term: { [field.name]: { value: boolean(field, value) } } };
  }
}

/** A bare value: in each default field whose type it fits, so a bare value never fails on type. */
function anyFieldTerm(value: Value): Query {
  const fits = (field: EventField) => {
    if (field.type === 'keyword' || field.type === 'text') return true;
    return field.type === 'ip' && value.wildcard === undefined && isIpOrCidr(value.text);
  };
  const fields = DEFAULT_FIELDS.map((name) => EVENT_FIELDS.get(name)!).filter(fits);
  return { bool: { should: fields.map((field) => fieldTerm(field, value)), minimum_should_match: 1 } };
}

function rangeQuery(field: EventField, at: number, lower: Bound | undefined, upper: Bound | undefined): Query {
  switch (field.type) {
    case 'text':
    case 'boolean':
      throw new QueryError(`'${field.name}' is ${typeName(field)}: it has no order for a range (at ${at})`, at);
    case 'date':
      return dateRange(
        field,
        lower && dateSpan(field, lower.value),
        upper && dateSpan(field, upper.value),
        lower?.inclusive ?? true,
        upper?.inclusive ?? false,
      );
    case 'keyword':
      return plainRange(field, lower, upper, (value) => value.text);
    case 'long':
      return plainRange(field, lower, upper, (value) => long(field, value));
    case 'ip':
      return plainRange(field, lower, upper, (value) => {
        if (isIP(value.text) === 0 || value.text.includes('%')) throw typeError(field, value, 'an IP address');
        return value.text;
      });
  }
}

function plainRange(
  field: EventField,
  lower: Bound | undefined,
  upper: Bound | undefined,
  convert: (value: Value) => string,
): Query {
  const range: estypes.QueryDslUntypedRangeQuery = {};
  if (lower) range[lower.inclusive ? 'gte' : 'gt'] = convert(lower.value);
  if (upper) range[upper.inclusive ? 'lte' : 'lt'] = convert(upper.value);
  return { range: { [field.name]: range } };
}

/**
 * From a lower span to an upper one, as whole spans: an inclusive lower bound starts with its span,
 * an exclusive one after it; an inclusive upper bound ends with its span, an exclusive one before it.
 */
function dateRange(
  field: EventField,
  lower: DateSpan | undefined,
  upper: DateSpan | undefined,
  lowerInclusive: boolean,
  upperInclusive: boolean,
): Query {
  const range: estypes.QueryDslDateRangeQuery = { format: 'strict_date_optional_time' };
  if (lower) range.gte = (lowerInclusive ? lower.start : lower.end).toISOString();
  if (upper) range.lt = (upperInclusive ? upper.end : upper.start).toISOString();
  return { range: { [field.name]: range } };
}

function dateSpan(field: EventField, value: Value): DateSpan {
  const span = parseDateSpan(value.text);
  if (!span) throw typeError(field, value, 'an ISO 8601 date (e.g. 2026-11-28 or 2026-11-28T10:00:00Z)');
  return span;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** As a string, so that no digit is lost to a JavaScript number. */
function long(field: EventField, value: Value): string {
  const number = /^[+-]?\d+$/.test(value.text) ? BigInt(value.text) : undefined;
  if (number === undefined || number < LONG_MIN || number > LONG_MAX) throw typeError(field, value, 'a whole number');
  return number.toString();
}

function boolean(field: EventField, value: Value): boolean {
  const text = value.text.toLowerCase();
  if (text !== 'true' && text !== 'false') throw typeError(field, value, 'true or false');
  return text === 'true';
}

function isIpOrCidr(text: string): boolean {
  if (text.includes('%')) return false;
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function typeError(field: EventField, value: Value, expected: string): QueryError {
  return new QueryError(
    `'${value.text}' at ${value.position} is not ${expected}, as the ${field.type} field '${field.name}' needs`,
    value.position,
  );
}

function typeName(field: EventField): string {
  return `${field.type === 'ip' ? 'an' : 'a'} ${field.type} field`;
}
