/**
 * The error codes: stable, part of the API (`{"error":"<code>"}`), the same in every
 * language. Domain code throws `AuthError(code)` for failures that end a request and returns
 * codes for outcomes a caller branches on; it never writes a sentence. The sentences live in
 * the message catalog (src/messages/en.ts, `error.<code>`), and only
 * `http/error-handler.ts` maps a code to an HTTP status and a page or JSON shape.
 */
import type { MessageKey, MessageParams } from '../messages/catalog.ts';

export const ERROR_CODES = [
  'invalid_input',
  'invalid_credentials',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'not_found',
  'method_not_allowed',
  'request_timeout',
  'conflict',
  'registration_closed',
  'email_unverified',
  'reauthentication_required',
  'second_factor_required',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
  'service_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AuthErrorOptions {
  /** A more precise sentence than the code's own (e.g. `detail.conflict_username`). */
  detail?: MessageKey;
  /** Values the sentence quotes. */
  params?: MessageParams;
  /** Seconds the client should wait, for `too_many_requests` and `service_unavailable`. */
  retryAfterSeconds?: number;
}

export class AuthError extends Error {
  readonly code: ErrorCode;
  readonly detail: MessageKey | undefined;
  readonly params: MessageParams;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: AuthErrorOptions = {}) {
    // The Error message is the code: for logs, never shown to a person.
    super(options.detail ?? code);
    this.name = 'AuthError';
    this.code = code;
    this.detail = options.detail;
    this.params = options.params ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
