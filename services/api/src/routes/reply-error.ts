// A refusal in the shape every API error has: { statusCode, error, message }.
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';

export function replyError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
}
