// Alert exceptions: an analyst mutes a rule for one entity, saying why and until when (at most a
// year: an exception is a decision to revisit, not a way to switch a rule off for good). The
// correlator reloads them from Elasticsearch, so one made here applies there within its refresh.
import { AlertExceptions } from '@sentrail/lib/alerts/exceptions';
import type { RouteGroup } from '../app.js';
import { READERS, type Role } from '../auth/roles.js';
import { replyError } from './reply-error.js';

const ANALYSTS: readonly Role[] = ['analyst'];
const MAX_DAYS_AHEAD = 365;

const visible = (maxLength: number) => ({ type: 'string', maxLength, pattern: '\\S' }) as const;
const text = { type: 'string' } as const;

const exceptionSchema = {
  type: 'object',
  properties: {
    '@timestamp': text,
    id: text,
    rule: { type: 'object', properties: { id: text }, required: ['id'] },
    entity: { type: 'object', properties: { value: text }, required: ['value'] },
    reason: text,
    by: text,
    expires_at: text,
  },
  required: ['@timestamp', 'id', 'rule', 'entity', 'reason', 'by', 'expires_at'],
} as const;

interface NewExceptionBody {
  rule_id: string;
  entity: string;
  reason: string;
  expires_at: string;
}

export const exceptionRoutes: RouteGroup = async (app, { deps }) => {
  const exceptions = new AlertExceptions(deps.elastic, deps.config.elasticsearch.indexPrefix);

  app.post<{ Body: NewExceptionBody }>(
    '/v1/exceptions',
    {
      config: { roles: ANALYSTS },
      schema: {
        summary: `Mute a rule for one entity until expires_at (at most ${MAX_DAYS_AHEAD} days ahead)`,
        tags: ['alerts'],
        body: {
          type: 'object',
          properties: {
            rule_id: visible(512),
            entity: visible(512),
            reason: visible(4000),
            expires_at: { type: 'string', format: 'date-time' },
          },
          required: ['rule_id', 'entity', 'reason', 'expires_at'],
          additionalProperties: false,
        },
        response: { 201: exceptionSchema },
      },
    },
    async (request, reply) => {
      const { rule_id: ruleId, entity, reason, expires_at: expiresAt } = request.body;
      const expires = Date.parse(expiresAt);
      if (expires <= Date.now()) return replyError(reply, 400, 'body/expires_at must be in the future');
      if (expires > Date.now() + MAX_DAYS_AHEAD * 86_400_000)
        return replyError(reply, 400, `body/expires_at must be at most ${MAX_DAYS_AHEAD} days ahead`);
      const created = await exceptions.create({
        ruleId,
        entityValue: entity,
        reason,
        by: request.principal!.name,
        expiresAt,
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/exceptions',
    {
      config: { roles: READERS },
      schema: {
        summary: 'The exceptions in force, soonest expiry first',
        tags: ['alerts'],
        response: {
          200: {
            type: 'object',
            properties: { exceptions: { type: 'array', items: exceptionSchema } },
            required: ['exceptions'],
          },
        },
      },
    },
    async () => ({ exceptions: await exceptions.list() }),
  );
};
