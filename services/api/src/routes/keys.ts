// API key administration (admins only): create a key, shown once; list keys, never their secrets;
// revoke one, which the next request made with it feels (401).
import type { RouteGroup } from '../app.js';
import { ROLES, type Role } from '../auth/roles.js';
import { replyError } from './reply-error.js';

const ADMIN: readonly Role[] = ['admin'];

const change = {
  type: 'object',
  properties: { at: { type: 'string', format: 'date-time' }, by: { type: 'string' } },
  required: ['at', 'by'],
} as const;

const keyInfo = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    created: change,
    revoked: change,
  },
  required: ['id', 'name', 'role', 'created'],
} as const;

const keyId = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
  required: ['id'],
} as const;

export const keyRoutes: RouteGroup = async (app, { deps }) => {
  const { keys } = deps;

  app.post<{ Body: { name: string; role: Role } }>(
    '/v1/keys',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Create an API key; the key is in this answer only, and is never shown again',
        tags: ['keys'],
        body: {
          type: 'object',
          properties: {
            // At least one visible character: the name is who the audit trail says acted.
            name: { type: 'string', maxLength: 200, pattern: '\\S' },
            role: { type: 'string', enum: ROLES },
          },
          required: ['name', 'role'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: { key: { type: 'string' }, ...keyInfo.properties },
            required: ['key', ...keyInfo.required],
          },
        },
      },
    },
    async (request, reply) => {
      const { key, info } = await keys.create(request.body.role, request.body.name, request.principal!.name);
      return reply.code(201).send({ key, ...info });
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'List the API keys, revoked ones included, without their secrets',
        tags: ['keys'],
        response: {
          200: { type: 'object', properties: { keys: { type: 'array', items: keyInfo } }, required: ['keys'] },
        },
      },
    },
    async () => ({ keys: await keys.list() }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/keys/:id',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Revoke an API key; revoking it again keeps the first revocation',
        tags: ['keys'],
        params: keyId,
        response: { 200: keyInfo },
      },
    },
    async (request, reply) => {
      const revoked = await keys.revoke(request.params.id, request.principal!.name);
      return revoked ?? replyError(reply, 404, `no API key with id '${request.params.id}'`);
    },
  );
};
