/**
 * CSRF defence for state-changing requests, before any handler or validation runs:
 *  1. a browser's `Origin` must be our own origin (BASE_URL), and `Sec-Fetch-Site`, when
 *     sent, must be `same-origin` or `none` (OWASP CSRF cheat sheet, "Fetch Metadata");
 *  2. a synchronizer token must be present (`csrf_token` field or `X-CSRF-Token` header) and
 *     equal HMAC(key, SHA-256(session token)): bound to this session, useless in another,
 *     and changed at every sign-in because the session token is.
 * Failure answers 403 and nothing runs (v5.0.0-3.5.1).
 *
 * Which routes get the check is declared by each route (`config.csrf`, see route-rules.ts),
 * which attaches `createCsrfCheck(…)` to exactly the routes whose stance is `required`.
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual, hmacBase64Url, sha256Hex } from '../../domain/crypto.ts';
import { AuthError } from '../../domain/errors.ts';

const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

export interface CsrfOptions {
  /** Key of the synchronizer tokens, derived from SECRET_KEY for this purpose. */
  key: Buffer;
  /** Our public origin (BASE_URL): the only `Origin` allowed. */
  origin: string;
}

export function csrfTokenFor(key: Buffer, sessionToken: string): string {
  return hmacBase64Url(key, `csrf:${sha256Hex(sessionToken)}`);
}

function submittedToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body.csrf_token : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** The `preValidation` hook that refuses a forged request with `AuthError('csrf_failed')`. */
export function createCsrfCheck(options: CsrfOptions) {
  return async function checkCsrf(request: FastifyRequest) {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== options.origin) throw new AuthError('csrf_failed');
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string' && !ALLOWED_FETCH_SITES.has(site)) throw new AuthError('csrf_failed');
    const token = submittedToken(request);
    if (!request.sessionToken || token === undefined) throw new AuthError('csrf_failed');
    if (!constantTimeEqual(token, csrfTokenFor(options.key, request.sessionToken))) throw new AuthError('csrf_failed');
  };
}
