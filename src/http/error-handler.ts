/**
 * The one place where errors become responses. Domain `AuthError` codes map to statuses;
 * Fastify's own client errors (bad JSON, unsupported content type, body too large, schema
 * validation) keep their 4xx status with a code from the catalog. Anything else is a 500
 * with a generic message — or a 503 when the database is down — and is logged; no stack
 * trace ever reaches the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, ERROR_MESSAGES, type ErrorCode } from '../domain/errors.ts';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  registration_closed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal_error: 500,
  service_unavailable: 503,
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

export type ErrorPageRenderer = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) => string;

function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  renderPage: ErrorPageRenderer,
  code: ErrorCode,
  message: string = ERROR_MESSAGES[code],
  retryAfterSeconds?: number,
) {
  const status = STATUS_BY_CODE[code];
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  reply.code(status);
  if (isApiRequest(request)) return reply.send({ error: code, message });
  return reply.type('text/html; charset=utf-8').send(renderPage(request, reply, status, message));
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return ERROR_MESSAGES.invalid_input;
  const field = first.instancePath?.replace(/^\//, '') || (first.params as { missingProperty?: string })?.missingProperty;
  return field ? `Invalid value for ${field}: ${first.message ?? 'not accepted'}.` : `Invalid request: ${first.message ?? ''}`;
}

export function registerErrorHandlers(
  app: FastifyInstance,
  renderPage: ErrorPageRenderer,
  isDatabaseUp: () => Promise<boolean>,
) {
  app.setErrorHandler(async function handleError(error: FastifyError, request, reply) {
    if (error instanceof AuthError) {
      return sendError(request, reply, renderPage, error.code, error.message, error.retryAfterSeconds);
    }
    if (error.validation) return sendError(request, reply, renderPage, 'invalid_input', describeValidation(error));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = CODE_BY_STATUS[status] ?? 'invalid_input';
      // Fastify's client-error messages name no internals; keep them for body/type problems.
      const message = status === 400 && error.code?.startsWith('FST_ERR_CTP') ? `Invalid request body: ${error.message}` : ERROR_MESSAGES[code];
      return sendError(request, reply, renderPage, code, message);
    }
    if (!(await isDatabaseUp())) {
      request.log.warn({ err: { message: error.message, code: error.code } }, 'database unavailable');
      return sendError(request, reply, renderPage, 'service_unavailable', undefined, 5);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, renderPage, 'internal_error');
  });

  app.setNotFoundHandler(async function notFound(request, reply) {
    return sendError(request, reply, renderPage, 'not_found');
  });
}
