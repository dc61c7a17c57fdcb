/**
 * Where a browser goes after signing in: a same-origin path (`next`, safe-redirect.ts), or an
 * absolute URL that passes the forward-auth allowlist (`rd`, the one check the verify endpoints
 * use: domain/forward-auth/target.ts), else the fallback. One function for the password form,
 * the two-factor step and passkey sign-in, so `rd` is honoured (and refused) the same way on
 * each (ASVS v5.0.0-3.7.2). The allowlist is decorated on the server by server.ts.
 */
import type { FastifyInstance } from 'fastify';
import { checkTarget, type TargetPolicy } from '../../domain/forward-auth/target.ts';
import { DEFAULT_AFTER_LOGIN, safeNextPath } from '../pages/safe-redirect.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** FORWARD_AUTH_DOMAINS and the http allowance, for `rd` (server.ts decorates them). */
    returnTargets?: TargetPolicy;
  }
}

/** The absolute `rd` URL when it is allowed, else undefined. */
export function allowedReturnUrl(server: FastifyInstance, value: unknown): string | undefined {
  const policy = server.returnTargets;
  if (!policy || policy.domains.length === 0 || typeof value !== 'string' || value.startsWith('/')) return undefined;
  const check = checkTarget(value, policy);
  return check.ok ? check.url : undefined;
}

/** `value` as a redirect after sign-in: an allowed `rd` URL, a safe path, or `fallback`. */
export function returnTarget(server: FastifyInstance, value: unknown, fallback = DEFAULT_AFTER_LOGIN): string {
  return allowedReturnUrl(server, value) ?? safeNextPath(value, fallback);
}
