/**
 * The HTTP side of signing in and out, shared by the pages and the API: the client's throttle
 * key, address and user agent go to the domain's steps (authenticate, then completeSignIn);
 * a throttled attempt becomes 429; every refusal becomes one outcome, whatever its reason;
 * on success the browser's earlier session (or pre-session) dies and the new token is the
 * only one that works (ASVS v5.0.0-7.2.4).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config.ts';
import { AuthError } from '../domain/errors.ts';
import type { CompletedSignIn, LoginService, SignInClient } from '../domain/login/login.ts';
import { type SignInRules, signInRefusal } from '../domain/login/gates.ts';
import { throttleKeyForIp } from '../domain/throttle/ip-key.ts';
import { auditContext } from './audit-context.ts';
import { isWellFormedPendingToken, PENDING_SIGN_IN_SECONDS, type SecondStepService } from '../domain/login/second-step.ts';
import { clearSessionCookie, setProxyCookie, setSessionCookie } from './plugins/session.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This server's rules that can refuse a correct sign-in (server.ts decorates them). */
    signInRules?: SignInRules;
  }
}

export type SignInOutcome = { kind: 'signed-in'; completed: CompletedSignIn } | { kind: 'second-factor' } | { kind: 'rejected' };

/** The pending sign-in's cookie (issue #12): no "session" in its name, HttpOnly, 5 minutes, only for /login paths and the API's. */
export function pendingCookieName(cookie: SessionConfig): string {
  return cookie.secureCookie ? '__Host-gatehouse_pending' : 'gatehouse_pending';
}

export function readPendingToken(request: FastifyRequest, cookie: SessionConfig): string | undefined {
  const value = request.cookies?.[pendingCookieName(cookie)];
  return isWellFormedPendingToken(value) ? value : undefined;
}

function setPendingCookie(reply: FastifyReply, cookie: SessionConfig, token: string): void {
  reply.setCookie(pendingCookieName(cookie), token, { httpOnly: true, sameSite: 'lax', path: '/', secure: cookie.secureCookie, maxAge: PENDING_SIGN_IN_SECONDS });
}

export function clearPendingCookie(reply: FastifyReply, cookie: SessionConfig): void {
  reply.clearCookie(pendingCookieName(cookie), { httpOnly: true, sameSite: 'lax', path: '/', secure: cookie.secureCookie });
}

/** A sign-in completed by any route (password, second step, passkey): the session and device cookies, the pending one gone. */
export function finishSignIn(reply: FastifyReply, cookie: SessionConfig, completed: CompletedSignIn): void {
  setSessionCookie(reply, cookie, completed.token);
  if (completed.proxyToken) setProxyCookie(reply, cookie, completed.proxyToken);
  clearPendingCookie(reply, cookie);
  if (completed.deviceToken) {
    reply.setCookie(deviceCookieName(cookie), completed.deviceToken, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: cookie.secureCookie,
      maxAge: DEVICE_COOKIE_SECONDS,
    });
  }
}

/** The device cookie: no "session" in its name; `__Host-` (Secure, Path=/, no Domain) in production. */
export function deviceCookieName(cookie: SessionConfig): string {
  return cookie.secureCookie ? '__Host-gatehouse_device' : 'gatehouse_device';
}

/** 400 days: the longest lifetime browsers grant a cookie (RFC 6265bis). */
const DEVICE_COOKIE_SECONDS = 400 * 24 * 3600;

export function signInClient(request: FastifyRequest, cookie?: SessionConfig): SignInClient {
  return {
    throttleKey: throttleKeyForIp(request.ip),
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
    deviceToken: cookie ? (request.cookies?.[deviceCookieName(cookie)] ?? null) : null,
    locale: request.locale,
    channel: request.url.startsWith('/api/') ? 'api' : 'web',
  };
}

export async function signInFromRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { login: LoginService; cookie: SessionConfig; secondStep?: Pick<SecondStepService, 'begin'> },
  credentials: { identifier: string; password: string; next?: string | null },
): Promise<SignInOutcome> {
  const client = signInClient(request, deps.cookie);
  const result = await deps.login.authenticate({ ...credentials, client });
  if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
  // The reason stays inside: unknown user, wrong password and disabled account look alike.
  if (result.kind === 'rejected') return { kind: 'rejected' };
  // REQUIRE_EMAIL_VERIFICATION: the password was right, but no session starts (403 with a way
  // to a new link; only someone who knows the password learns the address is unconfirmed).
  if (signInRefusal(result.user, request.server.signInRules) === 'email-unverified') {
    await deps.login.refuseUnverified(result.user, client);
    throw new AuthError('email_unverified');
  }
  // Two-factor on: no session yet, a pending sign-in in its own cookie (second-step.ts).
  if (result.kind === 'second-factor-required') {
    if (!deps.secondStep) throw new Error('signInFromRequest: a second step is needed but not wired');
    setPendingCookie(reply, deps.cookie, await deps.secondStep.begin(result.user, credentials.next ?? null));
    return { kind: 'second-factor' };
  }
  const completed = await deps.login.completeSignIn({ user: result.user, client, replacesToken: request.auth ? request.sessionToken : null });
  finishSignIn(reply, deps.cookie, completed);
  return { kind: 'signed-in', completed };
}

export async function signOutFromRequest(request: FastifyRequest, reply: FastifyReply, deps: { login: LoginService; cookie: SessionConfig }) {
  await deps.login.signOut(request.sessionToken, request.auth ? { userId: request.auth.user.id, by: auditContext(request) } : undefined);
  clearSessionCookie(reply, deps.cookie);
}
