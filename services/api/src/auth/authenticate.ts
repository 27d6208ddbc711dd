// Every request but a public route's needs an API key (`Authorization: Bearer <key>`, or
// `X-API-Key`) of a role the route allows: 401 without a valid key, 403 with another role.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys } from './api-keys.js';

/** The key a request presents, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

export function authenticate(keys: ApiKeys) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const roles = request.routeOptions.config.roles;
    if (roles === 'public') return;
    const key = presentedKey(request);
    if (!key) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'an API key is required: Authorization: Bearer <key>',
      });
      return;
    }
    const principal = await keys.verify(key);
    if (!principal) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'the API key is unknown or revoked' });
      return;
    }
    request.principal = principal;
    if (!roles?.includes(principal.role)) {
      await reply.code(403).send({
        statusCode: 403,
        error: 'Forbidden',
        message: `the role '${principal.role}' may not call this route (allowed: ${roles?.join(', ') || 'none'})`,
      });
    }
  };
}
