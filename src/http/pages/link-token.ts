/**
 * Tokens that arrive in a mailed link (`/reset-password?token=…`, `/secure-account?token=…`,
 * `/verify-email?token=…`), answered as Django's PasswordResetConfirmView does: the token
 * moves into a short-lived signed HttpOnly cookie scoped to the page's path, and a 303 (with
 * `Referrer-Policy: no-referrer`) leads to the same page without it, so no later request can
 * carry the token in a `Referer`. The form page itself keeps the site's `same-origin` policy:
 * under `no-referrer` browsers post `Origin: null`, which the CSRF check must refuse. The
 * page holds the token only in a hidden field. Cookie names carry no "session".
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../../config.ts';

/** A mailed token as we issue them: base64url of 32 bytes. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedLinkToken(token: unknown): token is string {
  return typeof token === 'string' && LINK_TOKEN.test(token);
}

export type LinkPath = '/reset-password' | '/secure-account' | '/verify-email';

const COOKIE_NAMES: Readonly<Record<LinkPath, string>> = {
  '/reset-password': 'gatehouse_reset',
  '/secure-account': 'gatehouse_secure',
  '/verify-email': 'gatehouse_verify',
};

/** The `token` of the query, as sent (possibly not a string). */
export function queryToken(request: FastifyRequest): unknown {
  return (request.query as Record<string, unknown> | undefined)?.token;
}

/** A link's token parked in a signed cookie of its own page. */
export function linkCookie(path: LinkPath, sessions: SessionConfig, maxAgeSeconds: number) {
  const name = COOKIE_NAMES[path];
  const options = { httpOnly: true, sameSite: 'lax' as const, path, secure: sessions.secureCookie };
  return {
    /** Parks the token and answers 303 to the page without it. */
    parkAndRedirect(reply: FastifyReply, token: string) {
      reply.setCookie(name, token, { ...options, signed: true, maxAge: maxAgeSeconds });
      return reply.code(303).header('referrer-policy', 'no-referrer').redirect(path);
    },
    read(request: FastifyRequest): string | undefined {
      const raw = request.cookies?.[name];
      if (!raw) return undefined;
      const { valid, value } = request.unsignCookie(raw);
      return valid && value !== null && isWellFormedLinkToken(value) ? value : undefined;
    },
    clear(reply: FastifyReply) {
      reply.clearCookie(name, options);
    },
  };
}
