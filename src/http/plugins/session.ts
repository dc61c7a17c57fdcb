/**
 * Reads the session cookie once per request and sets `request.auth` (the live session and
 * its user, re-read from the store on every request) and `request.sessionToken`.
 *
 * A well-formed token with no live session is kept as an anonymous pre-session: it binds
 * the CSRF token of the login and register forms without storing anything, so a flood of
 * anonymous visitors writes nothing. Sign-in always issues a new token (session fixation).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SessionConfig } from '../../config.ts';
import { generateToken } from '../../domain/crypto.ts';
import type { Session } from '../../domain/sessions/session.ts';
import { isWellFormedToken, type SessionService } from '../../domain/sessions/session-service.ts';
import type { User } from '../../domain/users/user.ts';

export interface RequestAuth {
  session: Session;
  user: User;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
    sessionToken: string | null;
  }
}

export interface SessionPluginOptions {
  sessions: SessionService;
  config: SessionConfig;
}

/** Paths that never need a session (no lookup is made for them). */
const SESSIONLESS_PREFIXES = ['/static/', '/healthz', '/favicon.ico'];

async function sessionPlugin(app: FastifyInstance, { sessions, config }: SessionPluginOptions) {
  app.decorateRequest('auth', null);
  app.decorateRequest('sessionToken', null);

  app.addHook('onRequest', async function loadSession(request: FastifyRequest) {
    if (SESSIONLESS_PREFIXES.some((prefix) => request.url.startsWith(prefix))) return;
    const token = request.cookies[config.cookieName];
    if (!token || !isWellFormedToken(token)) return;
    request.sessionToken = token;
    request.auth = (await sessions.validateSessionToken(token)) ?? null;
  });
}

export default fp(sessionPlugin, { name: 'session', dependencies: ['@fastify/cookie'] });

export function setSessionCookie(reply: FastifyReply, config: SessionConfig, token: string): void {
  reply.setCookie(config.cookieName, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.secureCookie,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: SessionConfig): void {
  reply.clearCookie(config.cookieName, { httpOnly: true, sameSite: 'lax', path: '/', secure: config.secureCookie });
  // Its server side died with the session; the browser's copy goes too (issue #13).
  if (config.proxyCookie) reply.clearCookie(config.proxyCookie.name, proxyCookieOptions(config, config.proxyCookie.domain));
}

function proxyCookieOptions(config: SessionConfig, domain: string) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: config.secureCookie, domain };
}

/**
 * The forward-auth proxy cookie (FORWARD_AUTH_COOKIE_DOMAIN): `Domain=` the parent domain so
 * every protected subdomain's verify call carries it, its own token (never the session's),
 * accepted only by /auth/verify (ASVS v5.0.0-3.3.3: `__Secure-`, documented as shared).
 */
export function setProxyCookie(reply: FastifyReply, config: SessionConfig, token: string): void {
  if (config.proxyCookie) reply.setCookie(config.proxyCookie.name, token, proxyCookieOptions(config, config.proxyCookie.domain));
}

/**
 * The token CSRF protection binds to: the session's, or a fresh anonymous one set as the
 * cookie now (for forms shown before sign-in and `GET /api/v1/csrf`).
 */
export function ensureSessionToken(request: FastifyRequest, reply: FastifyReply, config: SessionConfig): string {
  if (request.sessionToken) return request.sessionToken;
  const token = generateToken(32);
  request.sessionToken = token;
  setSessionCookie(reply, config, token);
  return token;
}
