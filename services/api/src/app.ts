// The API's routes and what every one of them goes through: security headers, the OpenAPI
// document at /docs, authentication and roles, a rate limit per key, and errors that never pass a
// server's internals to the client. Each route group is a plugin of its own (routes/).
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { errors as elasticErrors } from '@elastic/elasticsearch';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SentrailConfig } from '@sentrail/lib/config';
import type { ElasticClient } from '@sentrail/lib/elastic';
import type { Logger } from '@sentrail/lib/logger';
import type { ServiceMetrics } from '@sentrail/lib/metrics';
import type { Producer } from 'kafkajs';
import type { ApiKeys } from './auth/api-keys.js';
import { accessLogHooks, type AccessLog } from './audit/access-log.js';
import { authenticate } from './auth/authenticate.js';
import { REPORT_STYLE_SOURCE } from './reports/pci-dss-10/report-html.js';

export interface ApiDeps {
  config: SentrailConfig;
  elastic: ElasticClient;
  /** For siem.raw.sentrail, where every request is recorded. */
  producer: Producer;
  keys: ApiKeys;
  /** Where each request's access record goes (siem.raw.sentrail). */
  accessLog: AccessLog;
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * What a client is told of an error: its own mistakes (a fastify 4xx: validation, body size, rate
 * limit) as they are; nothing of a server's internals. An Elasticsearch error is never passed on, whatever
 * its status: user input is checked before it reaches Elasticsearch, so one is Sentrail's fault or an outage.
 */
function answerError(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return reply.code(413).send({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `the request body is over the limit of ${request.routeOptions.bodyLimit} bytes`,
    });
  const fromElasticsearch = error instanceof elasticErrors.ElasticsearchClientError;
  const status = error.statusCode ?? 500;
  if (!fromElasticsearch && status < 500)
    return reply.code(status).send({ statusCode: status, error: error.name, message: error.message });
  request.log.error({ err: error }, 'request failed');
  const unavailable =
    status === 503 ||
    error instanceof elasticErrors.ConnectionError ||
    error instanceof elasticErrors.TimeoutError ||
    error instanceof elasticErrors.NoLivingConnectionsError ||
    (fromElasticsearch && [429, 502, 503, 504].includes(status));
  return unavailable
    ? reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'a server Sentrail depends on is unavailable; try again',
      })
    : reply
        .code(500)
        .send({ statusCode: 500, error: 'Internal Server Error', message: 'the request failed; see the API log' });
}

/** A route group: a plugin given the API's dependencies. */
export type RouteGroup = FastifyPluginAsync<{ deps: ApiDeps }>;

export function apiRoutes(deps: ApiDeps, groups: readonly RouteGroup[]): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRoute', (route) => {
      // The OpenAPI document and its viewer are public: they describe the API, they give nothing away.
      if (route.url.startsWith('/docs')) route.config = { ...route.config, roles: 'public' };
    });
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // The web UI opens the PCI DSS 10 report from a blob, which inherits this policy: its one
          // inline stylesheet is allowed by its hash, and nothing else inline is.
          styleSrc: ["'self'", REPORT_STYLE_SOURCE],
          imgSrc: ["'self'", 'data:'],
        },
      },
    });
    await app.register(swagger, {
      openapi: {
        info: { title: 'Sentrail API', version: '1' },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
        security: [{ apiKey: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    const access = accessLogHooks(deps.accessLog);
    app.addHook('onRequest', access.onRequest);
    app.addHook('onRequest', authenticate(deps.keys));
    app.addHook('onResponse', access.onResponse);
    app.addHook('onRequestAbort', access.onRequestAbort);
    // After authentication, so that the limit is per key rather than per address.
    await app.register(rateLimit, {
      hook: 'preHandler',
      max: deps.config.api.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
    });
    // Before the route groups: a group takes the handler in force when it is registered.
    app.setErrorHandler(answerError);
    for (const group of groups) await app.register(group, { deps });
  };
}
