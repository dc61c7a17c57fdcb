/**
 * The error catalog: stable codes with user-facing messages. Domain code throws
 * `AuthError(code)` for failures that end a request; only `http/error-handler.ts` maps a
 * code to an HTTP status and a page or JSON shape.
 */
export const ERROR_MESSAGES = {
  invalid_input: 'The request is not valid.',
  invalid_credentials: 'Invalid username or password.',
  unauthenticated: 'Please sign in to continue.',
  forbidden: 'You do not have access to this page.',
  csrf_failed: 'The form expired or came from another site. Please reload the page and try again.',
  not_found: 'Not found.',
  method_not_allowed: 'This address does not accept that method.',
  conflict: 'That username or email is already registered.',
  registration_closed: 'Registration is closed.',
  payload_too_large: 'The request is too large.',
  unsupported_media_type: 'Unsupported content type.',
  too_many_requests: 'Too many attempts. Please wait and try again.',
  service_unavailable: 'The service is temporarily unavailable. Please try again shortly.',
  internal_error: 'Something went wrong on our side.',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export class AuthError extends Error {
  readonly code: ErrorCode;
  /** Seconds the client should wait, for `too_many_requests` and `service_unavailable`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: { message?: string; retryAfterSeconds?: number } = {}) {
    super(options.message ?? ERROR_MESSAGES[code]);
    this.name = 'AuthError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
