import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import { parse as parseYaml } from 'yaml';

export interface ListenConfig {
  host: string;
  port: number;
}

export interface SentrailConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    partitions: number;
    replicationFactor: number;
    /** max.message.bytes of the topics Sentrail creates: above ingest.maxRecordBytes, with room for the DLQ's JSON. */
    maxMessageBytes: number;
  };
  elasticsearch: { node: string; indexPrefix: string; shards: number; replicas: number };
  aws: {
    region: string;
    sqsEndpoint: string;
    s3Endpoint: string;
    s3ForcePathStyle: boolean;
    accessKeyId: string;
    secretAccessKey: string;
  };
  ingest: ListenConfig & {
    cloudtrailQueue: string;
    cloudtrailBucket: string;
    /** Hard limit of one record; larger ones go to the DLQ (records over 1 MiB below it are kept). */
    maxRecordBytes: number;
    /** One section per source, each validated by its own module's schema (see checkSection). */
    sources: Record<string, Record<string, unknown>>;
  };
  normalizer: ListenConfig & {
    /** Kafka consumer group: instances sharing it split the raw topics' partitions. */
    groupId: string;
    /** A bulk request is sent when it holds this many documents or bytes, or flushMs after its first. */
    bulk: { maxDocuments: number; maxBytes: number; flushMs: number };
    /** PCI DSS 10.5.1: daily event indices older than this are deleted on the schedule. */
    retention: { days: number; allowUnder12Months: boolean; schedule: string };
    /** What the mappers cannot know from a record itself. */
    context: {
      /** S3 buckets of the cardholder-data environment: access to them is PCI DSS 10.2.1.1. */
      cdeBuckets: string[];
      /** Buckets holding audit logs (CloudTrail's, Sentrail's): reads of them are PCI DSS 10.2.1.3. */
      auditLogBuckets: string[];
      /** IAM role names (glob `*`) whose sessions are administrators: PCI DSS 10.2.1.2. */
      adminRoles: string[];
    };
  };
  correlator: ListenConfig & {
    /** Kafka consumer group over siem.events. */
    groupId: string;
    /** Folder of Sigma detection and correlation rules (relative paths from the repository root). */
    rulesDir: string;
    alerts: {
      /** The same rule and entity within this many minutes updates the open alert instead of opening another. */
      suppressionMinutes: number;
    };
    /** One section per notifier (webhook, slack, pagerduty), each validated by its own module's schema. */
    notifiers: Record<string, Record<string, unknown>>;
    /** Checks that are not single-event rules (PCI DSS 10.4.1, 10.6, 10.7). */
    checks: {
      /** An event dated this far after Sentrail received it shows a clock out of sync (10.6). */
      clockSkewMinutes: number;
      /** A source, account or agent quiet this long after it was last heard is a logging failure (10.7). */
      silenceMinutes: number;
      /** When silence is looked for. */
      silenceSchedule: string;
      /** When the daily review summary of the last 24 hours is written (10.4.1). */
      dailyReviewSchedule: string;
    };
  };
  api: ListenConfig & {
    /** The largest request body accepted, in bytes. */
    bodyLimitBytes: number;
    /** Requests per minute per API key (per address before a key is known). */
    rateLimitPerMinute: number;
    /** The most rows one search or trail page returns. */
    maxPageSize: number;
    /** The Ed25519 private key (PKCS#8 PEM) exports are signed with; created, readable only by its owner, when absent. */
    signingKeyFile: string;
  };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' };
}

export type ServiceName = 'ingest' | 'normalizer' | 'correlator' | 'api';

const nonEmpty = { type: 'string', minLength: 1 } as const;
// 0 asks the system for a free port (tests).
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const url = { type: 'string', pattern: '^https?://[^\\s/]+' } as const;
const optionalUrl = { type: 'string', pattern: '^(https?://[^\\s/]+.*)?$' } as const;
const listen = {
  type: 'object',
  properties: { host: nonEmpty, port },
  required: ['host', 'port'],
  additionalProperties: false,
} as const;

function section<P extends Record<string, unknown>>(properties: P) {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  } as const;
}

// Every key is required: sentrail.yaml is the one place defaults live, so a missing key is a mistake.
const schema = section({
  kafka: section({
    brokers: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^[^\\s:/]+:[0-9]{1,5}$' },
    },
    clientId: nonEmpty,
    partitions: { type: 'integer', minimum: 1 },
    replicationFactor: { type: 'integer', minimum: 1 },
    maxMessageBytes: { type: 'integer', minimum: 1048576 },
  }),
  elasticsearch: section({
    node: url,
    indexPrefix: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    shards: { type: 'integer', minimum: 1 },
    replicas: { type: 'integer', minimum: 0 },
  }),
  aws: section({
    region: nonEmpty,
    sqsEndpoint: optionalUrl,
    s3Endpoint: optionalUrl,
    s3ForcePathStyle: { type: 'boolean' },
    accessKeyId: { type: 'string' },
    secretAccessKey: { type: 'string' },
  }),
  ingest: section({
    ...listen.properties,
    cloudtrailQueue: nonEmpty,
    cloudtrailBucket: nonEmpty,
    maxRecordBytes: { type: 'integer', minimum: 1024 },
    sources: { type: 'object', additionalProperties: { type: 'object' } },
  }),
  normalizer: section({
    ...listen.properties,
    groupId: nonEmpty,
    bulk: section({
      maxDocuments: { type: 'integer', minimum: 1 },
      maxBytes: { type: 'integer', minimum: 1024 },
      flushMs: { type: 'integer', minimum: 0 },
    }),
    retention: section({
      days: { type: 'integer', minimum: 1 },
      allowUnder12Months: { type: 'boolean' },
      schedule: nonEmpty,
    }),
    context: section({
      cdeBuckets: { type: 'array', items: nonEmpty },
      auditLogBuckets: { type: 'array', items: nonEmpty },
      adminRoles: { type: 'array', items: nonEmpty },
    }),
  }),
  correlator: section({
    ...listen.properties,
    groupId: nonEmpty,
    rulesDir: nonEmpty,
    alerts: section({ suppressionMinutes: { type: 'integer', minimum: 0 } }),
    notifiers: { type: 'object', additionalProperties: { type: 'object' } },
    checks: section({
      clockSkewMinutes: { type: 'integer', minimum: 1 },
      silenceMinutes: { type: 'integer', minimum: 1 },
      silenceSchedule: nonEmpty,
      dailyReviewSchedule: nonEmpty,
    }),
  }),
  api: section({
    ...listen.properties,
    bodyLimitBytes: { type: 'integer', minimum: 1024 },
    rateLimitPerMinute: { type: 'integer', minimum: 1 },
    maxPageSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    signingKeyFile: nonEmpty,
  }),
  log: section({
    level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
  }),
}) as unknown as JSONSchemaType<SentrailConfig>;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration (${source}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const ENV_PREFIX = 'SENTRAIL_';
const ENV_CONFIG_FILE = 'SENTRAIL_CONFIG';

const normalizeKey = (key: string) => key.toLowerCase().replaceAll('_', '');

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

const camelCase = (segment: string) =>
  segment.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/** SENTRAIL_KAFKA__CLIENT_ID → ['kafka', 'clientId'], resolved against the schema's own key names. */
function envPath(variable: string): string[] | undefined {
  let node = schema as SchemaNode;
  const path: string[] = [];
  for (const segment of variable.slice(ENV_PREFIX.length).split('__')) {
    const key = Object.keys(node.properties ?? {}).find((k) => normalizeKey(k) === normalizeKey(segment));
    if (key !== undefined) {
      path.push(key);
      node = node.properties![key]!;
    } else if (typeof node.additionalProperties === 'object' || (!node.properties && path.length > 0)) {
      // A free-form section (a source's own settings): its module's schema checks the key later.
      path.push(camelCase(segment));
      node = typeof node.additionalProperties === 'object' ? node.additionalProperties : {};
    } else {
      return undefined;
    }
  }
  return path;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function describe(error: ErrorObject, overridden: Map<string, string>): string {
  const segments = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  const path = segments.join('.') || '(root)';
  let expected: string;
  switch (error.keyword) {
    case 'required':
      expected = 'is required';
      break;
    case 'additionalProperties':
      expected = 'is not a known key';
      break;
    case 'enum':
      expected = `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'pattern':
      expected = `must match ${String(error.params.pattern)}`;
      break;
    default:
      expected = error.message ?? 'is invalid';
  }
  const variable = [...overridden].find(([key]) => path === key || path.startsWith(`${key}.`))?.[1];
  return `${path}: ${expected}${variable ? ` (from ${variable})` : ''}`;
}

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
const validate = ajv.compile(schema);

/**
 * Validates one free-form section (a source's settings) against the schema its module owns, filling
 * in the module's defaults; a problem names the full key path, as loadConfig does.
 */
export function checkSection<T>(path: string, sectionSchema: JSONSchemaType<T>, value: unknown): T {
  const section = structuredClone(value ?? {}) as unknown;
  const check = ajv.compile(sectionSchema); // ajv caches compiled schemas by identity
  if (check(section)) return section;
  const problems = check.errors!.map((error) => {
    const message = describe(error, new Map());
    return message.startsWith('(root)') ? `${path}${message.slice('(root)'.length)}` : `${path}.${message}`;
  });
  throw new ConfigError(path, problems);
}

export interface LoadOptions {
  /** Path of the YAML file; default $SENTRAIL_CONFIG, else ./sentrail.yaml. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads the YAML file, applies SENTRAIL_* overrides and validates; throws ConfigError naming every bad key. */
/**
 * The configuration for a command-line tool: undefined when it is invalid, after writing the problems
 * to `stderr` as `sentrail <command>: …` (the tool then exits 2, as a service would).
 */
export function loadCommandConfig(
  command: string,
  stderr: { write(text: string): unknown },
  options?: LoadOptions,
): SentrailConfig | undefined {
  try {
    return loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`sentrail ${command}: ${error.message}\n`);
    return undefined;
  }
}

export function loadConfig({ env = process.env, file }: LoadOptions = {}): SentrailConfig {
  const path = resolve(file ?? env[ENV_CONFIG_FILE] ?? 'sentrail.yaml');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(path, [`not valid YAML: ${(error as Error).message}`]);
  }
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(path, ['(root): must be a mapping of sections']);
  }

  const config = document as Record<string, unknown>;
  const problems: string[] = [];
  const overridden = new Map<string, string>();
  // Shallow paths first, so SENTRAIL_INGEST__SOURCES='{}' can replace a section and deeper keys still apply.
  const variables = Object.entries(env).sort(([a], [b]) => a.split('__').length - b.split('__').length);
  for (const [variable, raw] of variables) {
    if (!variable.startsWith(ENV_PREFIX) || variable === ENV_CONFIG_FILE || raw === undefined) continue;
    const keyPath = envPath(variable);
    if (keyPath === undefined) {
      problems.push(`${variable}: names no configuration key`);
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch (error) {
      problems.push(`${keyPath.join('.')}: not a valid value (from ${variable}): ${(error as Error).message}`);
      continue;
    }
    setPath(config, keyPath, value ?? '');
    overridden.set(keyPath.join('.'), variable);
  }

  if (!validate(config)) problems.push(...validate.errors!.map((error) => describe(error, overridden)));
  if (problems.length > 0) throw new ConfigError(path, problems);
  return config as unknown as SentrailConfig;
}
