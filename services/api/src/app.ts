// The API's routes and what every one of them goes through: security headers, the OpenAPI
// document at /docs, authentication and roles, a rate limit per key, and errors that never pass a
// server's internals to the client. Each route group is a plugin of its own (routes/).
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { SentrailConfig } from '@sentrail/lib/config';
import type { ElasticClient } from '@sentrail/lib/elastic';
import type { Logger } from '@sentrail/lib/logger';
import type { Producer } from 'kafkajs';
import type { ApiKeys } from './auth/api-keys.js';
import { authenticate } from './auth/authenticate.js';

export interface ApiDeps {
  config: SentrailConfig;
  elastic: ElasticClient;
  /** For siem.raw.sentrail, where every request is recorded. */
  producer: Producer;
  keys: ApiKeys;
  logger: Logger;
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
          styleSrc: ["'self'"],
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
    app.addHook('onRequest', authenticate(deps.keys));
    // After authentication, so that the limit is per key rather than per address.
    await app.register(rateLimit, {
      hook: 'preHandler',
      max: deps.config.api.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
    });
    for (const group of groups) await app.register(group, { deps });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status < 500)
        return reply.code(status).send({ statusCode: status, error: error.name, message: error.message });
      request.log.error({ err: error }, 'request failed');
      return reply.code(status === 503 ? 503 : 500).send({
        statusCode: status === 503 ? 503 : 500,
        error: status === 503 ? 'Service Unavailable' : 'Internal Server Error',
        message:
          status === 503
            ? 'a server Sentrail depends on is unavailable; try again'
            : 'the request failed; see the API log',
      });
    });
  };
}
