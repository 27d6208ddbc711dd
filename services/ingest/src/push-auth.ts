// What the push routes (Wazuh integrator, Kubernetes audit webhook, generic change events) share:
// a bearer token or an HMAC-SHA256 signature of the raw body, a body size limit, 400s that name
// the field, and an answer that is 2xx only once Kafka has the records, so a sender can retry.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@sentrail/lib/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawRecord } from './raw-sink.js';
import type { SourceContext } from './source.js';

export interface PushAuthSettings {
  /** Accepted as `Authorization: Bearer <token>`. */
  tokens: string[];
  /** Accepted as `X-Sentrail-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
  hmacSecrets: string[];
  bodyLimitBytes: number;
}

const secret = { type: 'string', minLength: 16 } as const;

/** The JSON-schema properties of PushAuthSettings, with defaults, for a source's settings schema. */
export const pushAuthProperties = {
  tokens: { type: 'array', items: secret, default: [] as string[] },
  hmacSecrets: { type: 'array', items: secret, default: [] as string[] },
  bodyLimitBytes: { type: 'integer', minimum: 1024, default: 5 * 1024 * 1024 },
} as const;

export const SIGNATURE_HEADER = 'x-sentrail-signature';
export const RETRY_AFTER_SECONDS = 5;

/** A push route nobody can authenticate to is a mistake: the service refuses to start. */
export function requirePushCredentials(section: string, settings: PushAuthSettings): void {
  if (settings.tokens.length > 0 || settings.hmacSecrets.length > 0) return;
  throw new ConfigError(section, [
    `${section}.tokens: a push route is enabled with no token and no HMAC secret (set ${section}.tokens or ${section}.hmacSecrets)`,
  ]);
}

// Hashing first gives equal lengths, so the comparison takes the same time whatever the input.
const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

export function validBearer(settings: PushAuthSettings, authorization: string | undefined): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  // Every token is compared, so the time taken does not tell which one nearly matched.
  return token !== undefined && settings.tokens.map((expected) => sameSecret(token, expected)).includes(true);
}

export function signBody(hmacSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', hmacSecret).update(body).digest('hex')}`;
}

export function validSignature(settings: PushAuthSettings, signature: string | undefined, body: Buffer): boolean {
  if (!signature) return false;
  return settings.hmacSecrets.map((hmacSecret) => sameSecret(signature, signBody(hmacSecret, body))).includes(true);
}

const rawBodies = new WeakMap<FastifyRequest, Buffer>();
const bearerVerified = new WeakSet<FastifyRequest>();

/** The request body's bytes as they came, for the signature and for records sent unchanged. */
export function rawBody(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function refuse(reply: FastifyReply, message: string) {
  return reply.code(401).header('www-authenticate', 'Bearer').send({ statusCode: 401, error: 'Unauthorized', message });
}

/**
 * Secures the routes of one encapsulated plugin: a JSON parser that keeps the raw bytes within the
 * body limit (413 above), authentication (401), and validation errors that name the field (400).
 */
export function securePushRoutes(app: FastifyInstance, settings: PushAuthSettings): void {
  const parseJson = app.getDefaultJsonParser('error', 'error') as (
    request: FastifyRequest,
    body: string,
    done: (error: Error | null, body?: unknown) => void,
  ) => void;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: settings.bodyLimitBytes },
    (request, body: Buffer, done) => {
      rawBodies.set(request, body);
      parseJson(request, body.toString('utf8'), done);
    },
  );

  // Before the body is read, so an anonymous sender cannot make us read megabytes.
  app.addHook('onRequest', async (request, reply) => {
    const authorization = header(request, 'authorization');
    if (validBearer(settings, authorization)) {
      bearerVerified.add(request);
      return;
    }
    if (header(request, SIGNATURE_HEADER)) return;
    return refuse(
      reply,
      authorization
        ? 'the bearer token is not accepted'
        : `needs Authorization: Bearer <token> or ${SIGNATURE_HEADER}: sha256=<hex HMAC of the body>`,
    );
  });
  app.addHook('preValidation', async (request, reply) => {
    if (bearerVerified.has(request)) return;
    if (!validSignature(settings, header(request, SIGNATURE_HEADER), rawBody(request))) {
      return refuse(reply, `${SIGNATURE_HEADER} does not match the body`);
    }
  });

  app.setSchemaErrorFormatter((errors, dataVar) => {
    // An if/then/else schema adds "must match then schema" after the error that matters.
    const error = errors.find((candidate) => candidate.keyword !== 'if') ?? errors[0]!;
    const missing = error.keyword === 'required' ? `/${String(error.params['missingProperty'])}` : '';
    const field = `${error.instancePath}${missing}` || '/';
    return new Error(`${dataVar}${field}: ${missing ? 'is required' : error.message}`);
  });
}

export interface PushBatch {
  source: string;
  topic: string;
  /** Each item's own JSON; the origin of each is `http:<request uuid>#<index>`. */
  items: { key: string | null; value: Buffer | string }[];
  /** Newest event time of the batch, for the lastEventTime gauge. */
  eventTime?: number;
}

/** Produces a push's records and answers 202 `{accepted}` once Kafka has them, 503 with Retry-After if not. */
export async function answerAfterKafka(
  context: Pick<SourceContext, 'sink' | 'metrics' | 'logger'>,
  request: FastifyRequest,
  reply: FastifyReply,
  batch: PushBatch,
) {
  const { sink, metrics, logger } = context;
  const { source, topic, items, eventTime } = batch;
  const requestId = randomUUID();
  const records: RawRecord[] = items.map((item, index) => ({ ...item, origin: `http:${requestId}#${index}` }));
  metrics.messages.inc({ source });
  metrics.records.inc({ source }, records.length);
  metrics.bytes.inc({ source }, rawBody(request).length);
  metrics.inFlight.inc({ source });
  try {
    await sink.send(source, topic, records);
  } catch (error) {
    logger.warn({ err: error, source, requestId, records: records.length }, 'Kafka did not take a push; answered 503');
    return reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, error: 'Service Unavailable', message: 'Kafka did not acknowledge; retry later' });
  } finally {
    metrics.inFlight.dec({ source });
  }
  if (eventTime !== undefined && Number.isFinite(eventTime)) metrics.lastEventTime.set({ source }, eventTime / 1000);
  return reply.code(202).send({ accepted: records.length });
}
