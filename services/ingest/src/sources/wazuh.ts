// Wazuh manager alerts, two ways in: tailing the manager's alerts.json (one alert JSON a line),
// checkpointed by inode and offset, and `POST /v1/wazuh/alerts` for Wazuh's integrator (a custom
// integration script posting each alert's JSON with the bearer token or an HMAC signature).
// Each alert goes to siem.raw.wazuh as its own bytes, keyed by its `id`.
import { resolve } from 'node:path';
import { checkSection } from '@sentrail/lib/config';
import { TOPICS } from '@sentrail/lib/kafka';
import type { JSONSchemaType } from 'ajv';
import type { FastifyPluginAsync } from 'fastify';
import { FileTail, type TailLine } from '../file-tail.js';
import {
  answerAfterKafka,
  pushAuthProperties,
  rawBody,
  requirePushCredentials,
  securePushRoutes,
  type PushAuthSettings,
} from '../push-auth.js';
import type { Rejected, RawRecord } from '../raw-sink.js';
import type { Source, SourceContext, SourceFactory } from '../source.js';

export const SOURCE_NAME = 'wazuh';
const SECTION = `ingest.sources.${SOURCE_NAME}`;

export interface WazuhSettings extends PushAuthSettings {
  enabled?: boolean;
  /** Tail `alertsFile`. */
  tail: boolean;
  alertsFile: string;
  /** Where to begin in an alerts file the checkpoint does not know. */
  startAt: 'beginning' | 'end';
  checkpointFile: string;
  pollIntervalMs: number;
  /** Bytes read at once from the file; the complete lines among them are one batch to Kafka. */
  batchBytes: number;
  /** Serve `POST /v1/wazuh/alerts` (needs `tokens` or `hmacSecrets`). */
  push: boolean;
}

export const wazuhSchema: JSONSchemaType<WazuhSettings> = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', nullable: true },
    tail: { type: 'boolean', default: true },
    alertsFile: { type: 'string', minLength: 1, default: '.local/wazuh/alerts.json' },
    startAt: { type: 'string', enum: ['beginning', 'end'], default: 'beginning' },
    checkpointFile: { type: 'string', minLength: 1, default: '.local/state/ingest/wazuh-alerts.checkpoint.json' },
    pollIntervalMs: { type: 'integer', minimum: 10, default: 1000 },
    batchBytes: { type: 'integer', minimum: 4096, default: 1024 * 1024 },
    push: { type: 'boolean', default: false },
    ...pushAuthProperties,
  },
  required: [
    'tail',
    'alertsFile',
    'startAt',
    'checkpointFile',
    'pollIntervalMs',
    'batchBytes',
    'push',
    'tokens',
    'hmacSecrets',
    'bodyLimitBytes',
  ],
  additionalProperties: false,
};

/** What the push route requires of an alert; Wazuh writes both fields into every alert. */
const alertSchema = {
  type: 'object',
  required: ['id', 'timestamp'],
  properties: {
    id: { type: 'string', minLength: 1 },
    timestamp: { type: 'string', minLength: 1 },
    rule: { type: 'object' },
    agent: { type: 'object' },
  },
} as const;

type Alert = Record<string, unknown>;

const isObject = (value: unknown): value is Alert =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const alertKey = (alert: Alert) => (typeof alert['id'] === 'string' ? alert['id'] : null);

/** The newest alert time of a batch, in milliseconds; NaN when none has a readable one. */
const newestTime = (alerts: Alert[]) =>
  Math.max(...alerts.map((alert) => Date.parse(String(alert['timestamp'])) || -Infinity));

/** Turns tailed lines into records, and lines that are not an alert into rejects. */
export function classifyLines(lines: TailLine[]): { records: RawRecord[]; rejected: Rejected[]; alerts: Alert[] } {
  const records: RawRecord[] = [];
  const rejected: Rejected[] = [];
  const alerts: Alert[] = [];
  for (const { bytes, origin, complete } of lines) {
    const reject = (stage: string, error: string) => rejected.push({ error, stage, origin, original: bytes });
    if (!complete) {
      reject('partial', 'unterminated last line of a file that was rotated away or truncated');
      continue;
    }
    let alert: unknown;
    try {
      alert = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      reject('parse', `not JSON: ${(error as Error).message}`);
      continue;
    }
    if (!isObject(alert)) {
      reject('parse', 'not a JSON object');
      continue;
    }
    alerts.push(alert);
    records.push({ key: alertKey(alert), value: bytes, origin });
  }
  return { records, rejected, alerts };
}

function alertsTail(context: SourceContext, settings: WazuhSettings): FileTail {
  const { sink, metrics, logger } = context;
  const labels = { source: SOURCE_NAME };
  return new FileTail({
    path: resolve(settings.alertsFile),
    checkpointFile: resolve(settings.checkpointFile),
    startAt: settings.startAt,
    pollIntervalMs: settings.pollIntervalMs,
    batchBytes: settings.batchBytes,
    logger,
    onRetry: () => metrics.retries.inc(labels),
    handle: async (lines) => {
      const { records, rejected, alerts } = classifyLines(lines);
      metrics.records.inc(labels, lines.length);
      metrics.bytes.inc(
        labels,
        lines.reduce((sum, line) => sum + line.bytes.length + 1, 0),
      );
      await sink.send(SOURCE_NAME, TOPICS.rawWazuh, records);
      await sink.reject(SOURCE_NAME, rejected);
      const newest = newestTime(alerts);
      if (Number.isFinite(newest)) metrics.lastEventTime.set(labels, newest / 1000);
    },
  });
}

function alertRoutes(context: SourceContext, settings: WazuhSettings): FastifyPluginAsync {
  return async (app) => {
    securePushRoutes(app, settings);
    app.post(
      '/v1/wazuh/alerts',
      {
        schema: {
          description: "One Wazuh alert (what Wazuh's integrator posts) or an array of them.",
          body: { if: { type: 'array' }, then: { type: 'array', minItems: 1, items: alertSchema }, else: alertSchema },
        },
      },
      async (request, reply) => {
        const raw = rawBody(request);
        // From the bytes, not the validated body, which the validator may have coerced.
        const document = JSON.parse(raw.toString('utf8')) as Alert | Alert[];
        const alerts = Array.isArray(document) ? document : [document];
        const items = Array.isArray(document)
          ? document.map((alert) => ({ key: alertKey(alert), value: JSON.stringify(alert) }))
          : [{ key: alertKey(document), value: raw }];
        return answerAfterKafka(context, request, reply, {
          source: SOURCE_NAME,
          topic: TOPICS.rawWazuh,
          items,
          eventTime: newestTime(alerts),
        });
      },
    );
  };
}

export const wazuh: SourceFactory = (context, raw) => {
  const settings = checkSection(SECTION, wazuhSchema, raw);
  if (settings.push) requirePushCredentials(SECTION, settings);
  const tail = settings.tail ? alertsTail(context, settings) : undefined;
  const source: Source = {
    start: async () => tail?.start(),
    stop: async () => tail?.stop(),
  };
  if (tail) {
    source.checks = {
      wazuhAlertsFile: async () => {
        if (tail.lastError) throw tail.lastError;
      },
    };
  }
  if (settings.push) source.routes = alertRoutes(context, settings);
  return source;
};
