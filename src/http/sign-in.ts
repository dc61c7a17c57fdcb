/**
 * The HTTP side of signing in and out, shared by the pages and the API: the client's throttle
 * key and user agent go to the domain; a throttled attempt becomes 429; on success the
 * pre-session (or an earlier session) dies and the new token is the only one that works.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config.ts';
import { AuthError } from '../domain/errors.ts';
import type { LoginResult } from '../domain/login/login.ts';
import { throttleKeyForIp } from './client-ip.ts';
import type { HttpDependencies } from './dependencies-types.ts';
import { clearSessionCookie, setSessionCookie } from './plugins/session.ts';

export type SignInOutcome = Exclude<LoginResult, { kind: 'throttled' }>;

export async function signInFromRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDependencies,
  sessions: SessionConfig,
  credentials: { identifier: string; password: string },
): Promise<SignInOutcome> {
  const result = await deps.login.signIn({
    ...credentials,
    ip: throttleKeyForIp(request.ip),
    clientIp: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
  });
  if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
  if (result.kind === 'signed-in') {
    // An earlier signed-in session dies; an anonymous pre-session was never stored.
    if (request.auth && request.sessionToken) await deps.sessions.endSession(request.sessionToken);
    setSessionCookie(reply, sessions, result.token);
  }
  return result;
}

export async function signOutFromRequest(request: FastifyRequest, reply: FastifyReply, deps: HttpDependencies, sessions: SessionConfig) {
  if (request.sessionToken) await deps.sessions.endSession(request.sessionToken);
  clearSessionCookie(reply, sessions);
}
