/**
 * The sudo check, attached by route-rules.ts to every route that declares
 * `sudo: 'required'` (domain/login/reauthentication.ts says which actions and why). It runs
 * after the access guard and the CSRF check, before the handler: a session whose last
 * authentication is older than SUDO_SECONDS is sent to confirm its password first —
 * pages with 303 to `/sudo?next=<where it was>`, the API with 403 `reauthentication_required`
 * (the client calls `POST /api/v1/sudo`, then repeats the call). Nothing runs meanwhile.
 *
 * `next` for a page: the URL itself for a GET; for a form post (which cannot be replayed by a
 * redirect) the page the form was on, from a same-origin Referer, else the post's own path.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.ts';
import { isRecentlyAuthenticated } from '../../domain/sessions/session.ts';
import { safeNextPath } from '../pages/safe-redirect.ts';

export interface SudoOptions {
  /** SUDO_SECONDS. */
  seconds: number;
  now(): number;
  /** BASE_URL's origin: only a Referer from it is trusted as the way back. */
  origin: string;
}

/** Where to come back to after /sudo, as a same-origin path. */
function returnPath(request: FastifyRequest, origin: string): string {
  const path = request.url;
  if (request.method === 'GET' || request.method === 'HEAD') return safeNextPath(path, '/');
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      const url = new URL(referer);
      if (url.origin === origin) return safeNextPath(`${url.pathname}${url.search}`, '/');
    } catch {
      // Not a URL: fall back to the post's own path.
    }
  }
  return safeNextPath(path.split('?', 1)[0], '/');
}

export function sudoPath(next: string): string {
  return `/sudo?next=${encodeURIComponent(next)}`;
}

export function createSudoCheck(options: SudoOptions) {
  return async function requireRecentAuthentication(request: FastifyRequest, reply: FastifyReply) {
    const auth = request.auth;
    // The access guard ran first; alone this check still fails closed.
    if (!auth) throw new AuthError('unauthenticated');
    if (isRecentlyAuthenticated(auth.session, options.now(), options.seconds)) return;
    if (request.url.startsWith('/api/')) throw new AuthError('reauthentication_required');
    return reply.code(303).redirect(sudoPath(returnPath(request, options.origin)));
  };
}
