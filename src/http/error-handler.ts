/**
 * Where errors become responses. Domain `AuthError` codes map to statuses here and nowhere
 * else; the sentence comes from the message catalog (the code's own, or the error's more
 * precise `detail`); a 429 or 503 says how long to wait, in `Retry-After` and in words.
 * Fastify's own client errors (bad JSON, unsupported content type, body too large, schema
 * validation) keep their 4xx status with a code from the catalog. Anything else is a 500
 * with a generic sentence, or a 503 when the database is down or cannot write (disk full,
 * read-only), and is logged; no stack trace
 * ever reaches the client.
 *
 * Two shapes, one per context (Fastify encapsulation): the pages' handler renders an HTML
 * page, the API's (`api/`) answers `{"error","message"}`; each context installs its own
 * with `registerErrorHandlers(app, respond)`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { AuthError, type ErrorCode } from '../domain/errors.ts';
import { DEFAULT_LOCALE, formatMessage, formatWait, type Locale, type MessageKey, type MessageParams } from '../messages/catalog.ts';
import { fieldProblemMessage } from './pages/forms.ts';
import { storageWriteFailureCode } from '../storage/write-failure.ts';
import { refuseWrongMethod } from './route-rules.ts';
import { isFieldProblemCode } from './text-field.ts';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  registration_closed: 403,
  email_unverified: 403,
  reauthentication_required: 403,
  second_factor_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
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
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

/** When the client should try again if the error did not say: 5 s for a brief outage. */
const DEFAULT_RETRY_SECONDS: Partial<Record<ErrorCode, number>> = { service_unavailable: 5, too_many_requests: 60 };

/** One problem with one request field: a stable code and its sentence. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** A failure as the client will see it: status, stable code, sentence, and the wait if any. */
export interface ErrorResponse {
  status: number;
  code: ErrorCode;
  message: string;
  retryAfterSeconds: number | undefined;
  /** Every problem of an invalid request, each with its field (the sentence joins them). */
  problems?: FieldProblem[];
  /** The field a `conflict` is about (`username`, `email`). */
  field?: string;
}

/** How one context writes an error: an HTML page or a JSON body (the status is already set). */
export type ErrorResponder = (request: FastifyRequest, reply: FastifyReply, error: ErrorResponse) => unknown;

/** The response for `code`, its sentence from the catalog (`detail` for a more precise one). */
export function errorResponse(
  code: ErrorCode,
  options: { detail?: MessageKey; params?: MessageParams; retryAfterSeconds?: number; locale?: Locale } = {},
): ErrorResponse {
  const locale = options.locale ?? DEFAULT_LOCALE;
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_SECONDS[code];
  const wait: MessageParams = retryAfterSeconds === undefined ? {} : { wait: formatWait(retryAfterSeconds, locale) };
  return {
    status: STATUS_BY_CODE[code],
    code,
    message: formatMessage(options.detail ?? `error.${code}`, { ...wait, ...options.params }, locale),
    retryAfterSeconds,
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, respond: ErrorResponder, error: ErrorResponse) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  reply.code(error.status);
  return respond(request, reply, error);
}

/** A field name for a schema issue: its path (`a.b`), or '' for the body as a whole. */
function issueField(issue: FastifySchemaValidationError): string {
  return issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
}

/**
 * Every problem of a body that fails its schema, each with its field, in the order the
 * schema found them: a client fixes them all at once instead of one per try. An unknown
 * field (the API's schemas are strict) is a problem of that field. Issues about the body as
 * a whole (not an object) have no field and leave the generic sentence.
 */
export function validationProblems(issues: readonly FastifySchemaValidationError[], locale: Locale): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const params = (issue.params ?? {}) as { keys?: unknown; maximum?: unknown };
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(params.keys)) {
      for (const key of params.keys) {
        const field = [issueField(issue), String(key)].filter(Boolean).join('.');
        problems.push({ field, code: 'unknown_field', message: formatMessage('api.unknown_field', { field }, locale) });
      }
      continue;
    }
    const field = issueField(issue);
    if (!field) continue;
    const code = isFieldProblemCode(issue.message ?? '') ? issue.message! : 'invalid';
    const max = typeof params.maximum === 'number' || typeof params.maximum === 'bigint' ? Number(params.maximum) : undefined;
    problems.push({ field, code, message: fieldProblemMessage(field, code, max, locale) });
  }
  return problems;
}

function describeValidation(error: FastifyError, locale: Locale): ErrorResponse {
  const problems = validationProblems(error.validation ?? [], locale);
  const generic = errorResponse('invalid_input', { locale });
  if (problems.length === 0) return generic;
  return { ...generic, message: problems.map((problem) => problem.message).join(' '), problems };
}

/** What any thrown value means for the client; logs what the client must not see. */
async function classify(error: FastifyError, request: FastifyRequest, isDatabaseUp: () => Promise<boolean>): Promise<ErrorResponse> {
  const locale = request.locale ?? DEFAULT_LOCALE;
  // A full or read-only disk fails the write while reads (and so the health check) still work;
  // a store that already made it a 503 (the SQL throttle) keeps the driver's error as `cause`.
  const writeFailure = !(error instanceof AuthError) || error.code === 'service_unavailable' ? storageWriteFailureCode(error) : undefined;
  if (writeFailure) {
    request.log.error({ code: writeFailure }, 'storage cannot be written (disk full or read-only): answered 503');
    return errorResponse('service_unavailable', { detail: 'detail.storage_unwritable', locale });
  }
  if (error instanceof AuthError) {
    return errorResponse(error.code, { detail: error.detail, params: error.params, retryAfterSeconds: error.retryAfterSeconds, locale });
  }
  if (error.validation) return describeValidation(error, locale);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'invalid_input';
    // Fastify's content-type parser messages name no internals; keep them for body problems.
    if (status === 400 && error.code?.startsWith('FST_ERR_CTP')) {
      return errorResponse(code, { detail: 'detail.invalid_body', params: { reason: error.message }, locale });
    }
    return errorResponse(code, { locale });
  }
  if (!(await isDatabaseUp())) {
    request.log.warn({ err: { message: error.message, code: error.code } }, 'database unavailable');
    return errorResponse('service_unavailable', { locale });
  }
  request.log.error({ err: error }, 'unhandled error');
  return errorResponse('internal_error', { locale });
}

/**
 * Installs the error and not-found handlers of one context. A known path asked with another
 * method is a 405 with `Allow` (route-rules.ts), an unknown one a 404.
 */
export function registerErrorHandlers(app: FastifyInstance, respond: ErrorResponder, isDatabaseUp: () => Promise<boolean>) {
  app.setErrorHandler(async function handleError(error: FastifyError, request, reply) {
    return sendError(request, reply, respond, await classify(error, request, isDatabaseUp));
  });

  app.setNotFoundHandler(async function notFound(request, reply) {
    refuseWrongMethod(request, reply);
    return sendError(request, reply, respond, errorResponse('not_found', { locale: request.locale }));
  });
}
