// A Sigma detection rule (specification v2): its YAML checked against the rule schema, then
// compiled into a test of one event. What the engine cannot honour is refused here, at load, with
// the rule's id and the reason, never skipped at match time.

import { LEVELS, type Level } from '@sentrail/lib/alerts/alert';
import { compileDetection, type Equalities } from './detection.js';
import { isMap, readDocuments } from './documents.js';
import { SigmaError, SigmaRuleError } from './errors.js';
import { CLOUDTRAIL_COUNTERPARTS, targetOf, type LogSource, type Target } from './target.js';

export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export type Status = (typeof STATUSES)[number];

const RELATION_TYPES = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
const LOGSOURCE_KEYS = ['category', 'product', 'service', 'definition'] as const;
const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const MAX_TITLE = 256;
const TIMEFRAME = "'timeframe' belongs in a correlation rule, not a detection rule";

export interface CompiledRule {
  readonly id: string;
  readonly name?: string;
  readonly title: string;
  readonly description?: string;
  readonly status?: Status;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly logsource: LogSource;
  /** What `match` expects: the parsed CloudTrail original, or the ECS document (see target.ts). */
  readonly target: Target;
  match(event: unknown): boolean;
  /** Fields the rule needs equal to one of a few strings (see detection.ts), for the rule index. */
  readonly equalities: Equalities;
  /** For a rule on originals: a test of the ECS document that every match passes (see detection.ts). */
  readonly guard?: (document: unknown) => boolean;
}

/** A rule from the text of a YAML file holding exactly one; `file` names it in refusals when it has no id. */
export function parseRule(text: string, file?: string): CompiledRule {
  const label = file ?? 'rule';
  const documents = refuseAs(label, () => readDocuments(text));
  if (documents.length !== 1) throw new SigmaRuleError(label, `expected one YAML document, found ${documents.length}`);
  return compileRule(documents[0], file);
}

/** A rule from one parsed YAML document; throws SigmaRuleError with its id (else `file`) and the reason. */
export function compileRule(document: unknown, file?: string): CompiledRule {
  const id = isMap(document) ? document.id : undefined;
  return refuseAs(typeof id === 'string' && id !== '' ? id : (file ?? 'rule'), () => compile(document));
}

function refuseAs<T>(label: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof SigmaError) throw new SigmaRuleError(label, error.message);
    throw error;
  }
}

function compile(document: unknown): CompiledRule {
  if (!isMap(document)) throw new SigmaError('a rule must be a YAML map');
  if ('correlation' in document) throw new SigmaError('this is a correlation rule, not a detection rule');
  if ('filter' in document) throw new SigmaError('Sigma filters are not supported');
  const title = required('title', optionalString(document, 'title'));
  if (title.length > MAX_TITLE) throw new SigmaError(`'title' is longer than ${MAX_TITLE} characters`);
  const id = required('id', optionalString(document, 'id'));
  const status = optionalOneOf(document, 'status', STATUSES);
  // The specification's own meaning of the status: "the rule cannot be used in its current state".
  if (status === 'unsupported') throw new SigmaError("the rule's status is 'unsupported'");
  // Optional in Sigma, but an alert needs a severity, and guessing one would misroute it.
  const level = required('level', optionalOneOf(document, 'level', LEVELS));
  const tags = stringList(document, 'tags') ?? [];
  const badTag = tags.find((tag) => !TAG.test(tag));
  if (badTag !== undefined) throw new SigmaError(`tag '${badTag}' is not a lower-case 'namespace.name'`);
  for (const key of ['name', 'description', 'license', 'author', 'date', 'modified', 'taxonomy']) {
    optionalString(document, key);
  }
  for (const key of ['references', 'fields', 'scope']) stringList(document, key);
  if (typeof document.falsepositives !== 'string') stringList(document, 'falsepositives');
  checkRelated(document.related);
  if ('timeframe' in document) throw new SigmaError(TIMEFRAME);
  const logsource = checkLogSource(document.logsource);
  const detection = document.detection;
  if (!isMap(detection) || !('condition' in detection)) {
    throw new SigmaError("'detection' must be a map with a condition");
  }
  if ('timeframe' in detection) throw new SigmaError(TIMEFRAME);
  const target = targetOf(logsource);
  const { test, equalities, guard } = compileDetection(
    detection,
    target === 'original' ? CLOUDTRAIL_COUNTERPARTS : undefined,
  );
  return {
    id,
    name: optionalString(document, 'name'),
    title,
    description: optionalString(document, 'description'),
    status,
    level,
    tags,
    logsource,
    target,
    match: test,
    equalities,
    guard,
  };
}

function required<T>(key: string, value: T | undefined): T {
  if (value === undefined) throw new SigmaError(`'${key}' is missing`);
  return value;
}

function optionalString(document: Record<string, unknown>, key: string): string | undefined {
  const value = document[key];
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new SigmaError(`'${key}' must be a non-empty string`);
  }
  return value;
}

function optionalOneOf<T extends string>(
  document: Record<string, unknown>,
  key: string,
  values: readonly T[],
): T | undefined {
  const value = document[key];
  if (value === undefined) return undefined;
  if (!(values as readonly unknown[]).includes(value)) {
    throw new SigmaError(`'${key}' must be one of ${values.join(', ')}`);
  }
  return value as T;
}

function stringList(document: Record<string, unknown>, key: string): string[] | undefined {
  const value = document[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new SigmaError(`'${key}' must be a list of strings`);
  }
  return value;
}

function checkRelated(related: unknown): void {
  if (related === undefined) return;
  const valid =
    Array.isArray(related) &&
    related.every(
      (item) =>
        isMap(item) &&
        typeof item.id === 'string' &&
        typeof item.type === 'string' &&
        RELATION_TYPES.includes(item.type),
    );
  if (!valid)
    throw new SigmaError(`'related' must be a list of {id, type} with type one of ${RELATION_TYPES.join(', ')}`);
}

function checkLogSource(logsource: unknown): LogSource {
  if (!isMap(logsource)) throw new SigmaError("'logsource' must be a map");
  for (const key of LOGSOURCE_KEYS) optionalString(logsource, key);
  const { category, product, service, definition } = logsource as LogSource;
  if (category === undefined && product === undefined && service === undefined) {
    throw new SigmaError("'logsource' needs a category, a product or a service");
  }
  return { category, product, service, definition };
}
