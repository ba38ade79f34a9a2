import { STATUS_CODES } from 'node:http';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody } from '../contract/errors.ts';

/**
 * Turns every error into the one body of server/contract/errors.ts. Client
 * mistakes (4xx) keep their message so a person can act on it; anything else
 * is logged in full and answered with a generic 500 that leaks nothing.
 */

function body(statusCode: number, code: string, message: string, details?: ErrorBody['details']): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...(details ? { details } : {}) };
}

// Fastify's own 4xx codes, renamed to stable codes of ours.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_BAD_URL: 'BAD_URL',
};

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const where = error.validationContext ?? 'request';
        const details = error.validation.map((issue) => ({
          field: [where, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
          message: issue.message ?? 'is invalid',
        }));
        const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
        return reply.status(400).send(body(400, 'VALIDATION_FAILED', `invalid ${where}: ${summary}`, details));
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const code = FASTIFY_CODES[error.code] ?? error.code ?? 'BAD_REQUEST';
        return reply.status(status).send(body(status, code, error.message));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(body(500, 'INTERNAL', 'internal error; the server log has the details'));
    });

    app.setNotFoundHandler((request, reply) => {
      reply
        .status(404)
        .send(body(404, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
    });
  },
  { name: 'errors' },
);
