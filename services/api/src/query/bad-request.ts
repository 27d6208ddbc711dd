// What the search routes refuse: a 400 that says what is wrong with the request, and for a query,
// where (`position`, 0-based, in the query text). Thrown anywhere below a route, answered by the
// error handler the route group installs; anything else goes on to the API's own handler.
import type { FastifyInstance } from 'fastify';

export class BadRequestError extends Error {
  override name = 'BadRequestError';
  readonly statusCode = 400;
}

/** A fault in a query's text: `position` is where, 0-based, and the message ends with "at <position>". */
export class QueryError extends BadRequestError {
  override name = 'QueryError';

  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** The schema of an error answer: the API's error shape, plus the position of a query error. */
export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    position: { type: 'integer', description: 'Where in the query the fault is, 0-based (query errors only)' },
  },
  required: ['statusCode', 'error', 'message'],
} as const;

export function answerBadRequests(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof BadRequestError)) throw error;
    const position = error instanceof QueryError ? { position: error.position } : {};
    return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message, ...position });
  });
}
