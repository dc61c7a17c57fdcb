/**
 * The HTTP side of the passkey ceremonies, shared by the pages' JSON calls (the browser
 * script, pages/passkey-pages.ts) and the API (api/passkey-routes.ts): which token binds a
 * challenge, what each refusal becomes, and how a verified passkey starts a session.
 *
 *  - Registration and usernameless sign-in bind their challenge to the session (or
 *    pre-session) token the request carries: every ceremony call passes the CSRF check, which
 *    needs one, so a challenge is useless to any other browser.
 *  - The second factor binds to the pending sign-in's token (cookie `gatehouse_pending`), and
 *    accepts only the pending account's passkeys.
 *  - A verified passkey signs in exactly as a password does (`login.completeSignIn`, the same
 *    REQUIRE_EMAIL_VERIFICATION rule, `finishSignIn` for the cookies), recorded as `hwk mfa`
 *    (RFC 8176: proof of possession of a key, and more than one factor: the authenticator
 *    verified its user). A second factor after a password is `pwd hwk mfa` (second-step.ts).
 * Refusals throw AuthError: 400 for a registration that does not verify, 409 for a credential
 * registered already or the per-account limit, 401 for a passkey that does not sign in
 * (one answer whatever the reason; the reason goes to the audit log).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { SessionConfig } from '../config.ts';
import { AuthError } from '../domain/errors.ts';
import { signInRefusal } from '../domain/login/gates.ts';
import type { CompletedSignIn } from '../domain/login/login.ts';
import type { SecondStepService } from '../domain/login/second-step.ts';
import { MAX_PASSKEYS_PER_USER } from '../domain/passkeys/passkey-service.ts';
import type { Passkey } from '../domain/ports.ts';
import { formatMessage, type MessageKey, type MessageParams } from '../messages/catalog.ts';
import { auditContext } from './audit-context.ts';
import type { HttpDependencies } from './dependencies-types.ts';
import { defaultPasskeyName } from './pages/views/passkey-views.ts';
import { finishSignIn, readPendingToken, signInClient } from './sign-in.ts';

export type CeremonyDependencies = Pick<HttpDependencies, 'passkeys' | 'login'> & { secondStep?: Pick<SecondStepService, 'pendingUser' | 'completeWithPasskey'> };

/** How a passkey sign-in was proven, for the session (RFC 8176 `amr` values). */
export const PASSKEY_AUTH_METHODS = ['hwk', 'mfa'] as const;

function sessionBinding(request: FastifyRequest): string {
  // The CSRF check ran first and refused any request without a session token.
  if (!request.sessionToken) throw new AuthError('csrf_failed');
  return request.sessionToken;
}

const limitError = () => new AuthError('conflict', { detail: 'detail.passkey_limit', params: { limit: MAX_PASSKEYS_PER_USER } });

export async function startPasskeyRegistration(deps: CeremonyDependencies, request: FastifyRequest) {
  const started = await deps.passkeys.startRegistration({ user: request.auth!.user, binding: sessionBinding(request) });
  if (started.kind === 'limit') throw limitError();
  return started.options;
}

export async function finishPasskeyRegistration(deps: CeremonyDependencies, request: FastifyRequest, body: { name?: string | undefined; response: unknown }): Promise<Passkey> {
  const t = (key: MessageKey, params?: MessageParams) => formatMessage(key, params ?? {}, request.locale);
  const result = await deps.passkeys.finishRegistration({
    user: request.auth!.user,
    binding: sessionBinding(request),
    response: body.response as RegistrationResponseJSON,
    name: body.name ?? '',
    fallbackName: defaultPasskeyName({ t }, String(request.headers['user-agent'] ?? '')),
    locale: request.locale,
    by: auditContext(request),
  });
  if (result.kind === 'rejected') throw new AuthError('invalid_input', { detail: 'detail.passkey_rejected' });
  if (result.kind === 'conflict') throw new AuthError('conflict', { detail: 'detail.passkey_conflict' });
  if (result.kind === 'limit') throw limitError();
  return result.passkey;
}

export async function startPasskeySignIn(deps: CeremonyDependencies, request: FastifyRequest) {
  return deps.passkeys.startAuthentication({ purpose: 'sign-in', binding: sessionBinding(request) });
}

/** A usernameless sign-in: the session starts (cookies set) or AuthError is thrown. */
export async function finishPasskeySignIn(deps: CeremonyDependencies, request: FastifyRequest, reply: FastifyReply, cookie: SessionConfig, response: unknown): Promise<CompletedSignIn> {
  const client = signInClient(request, cookie);
  const result = await deps.passkeys.finishAuthentication({ purpose: 'sign-in', binding: sessionBinding(request), response: response as AuthenticationResponseJSON, by: auditContext(request) });
  if (result.kind === 'rejected') throw new AuthError('invalid_credentials', { detail: 'detail.passkey_sign_in_failed' });
  if (signInRefusal(result.user, request.server.signInRules) === 'email-unverified') {
    await deps.login.refuseUnverified(result.user, client);
    throw new AuthError('email_unverified');
  }
  const completed = await deps.login.completeSignIn({ user: result.user, client, replacesToken: request.auth ? request.sessionToken : null, authMethods: PASSKEY_AUTH_METHODS });
  finishSignIn(reply, cookie, completed);
  return completed;
}

async function pendingSignIn(deps: CeremonyDependencies, request: FastifyRequest, cookie: SessionConfig) {
  const token = readPendingToken(request, cookie);
  const user = token && deps.secondStep ? await deps.secondStep.pendingUser(token) : undefined;
  if (!token || !user) throw new AuthError('unauthenticated', { detail: 'detail.passkey_pending_expired' });
  return { token, user };
}

export async function startPasskeySecondFactor(deps: CeremonyDependencies, request: FastifyRequest, cookie: SessionConfig) {
  const { token, user } = await pendingSignIn(deps, request, cookie);
  return deps.passkeys.startAuthentication({ purpose: 'second-factor', userId: user.id, binding: token });
}

/** The second step with a passkey: the pending sign-in completes (cookies set) or AuthError is thrown. */
export async function finishPasskeySecondFactor(
  deps: CeremonyDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  cookie: SessionConfig,
  response: unknown,
): Promise<CompletedSignIn & { next: string | null }> {
  const { token, user } = await pendingSignIn(deps, request, cookie);
  const client = signInClient(request, cookie);
  const result = await deps.passkeys.finishAuthentication({ purpose: 'second-factor', userId: user.id, binding: token, response: response as AuthenticationResponseJSON, by: auditContext(request) });
  if (result.kind === 'rejected') throw new AuthError('invalid_credentials', { detail: 'detail.passkey_sign_in_failed' });
  const completed = await deps.secondStep!.completeWithPasskey(token, user.id, client, request.auth ? request.sessionToken : null);
  if (!completed) throw new AuthError('unauthenticated', { detail: 'detail.passkey_pending_expired' });
  finishSignIn(reply, cookie, completed);
  return completed;
}
