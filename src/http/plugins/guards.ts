/**
 * Guard hooks. route-rules.ts attaches them to each route from its declared access rule
 * (`signed-in` or `{ permission }`); `requireCurrentPassword` is added by the contexts that
 * need it. Signed-in pages redirect to the sign-in page with `next`; the API answers 401;
 * a missing permission is 403. The user is the one re-read from the store on this request,
 * so role changes and disabling apply at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.ts';
import { hasPermission, type Permission } from '../../domain/users/permissions.ts';

export async function requireSignedInPage(request: FastifyRequest, reply: FastifyReply) {
  if (request.auth) return;
  return reply.code(303).redirect(`/login?next=${encodeURIComponent(request.url)}`);
}

export async function requireSignedInApi(request: FastifyRequest) {
  if (!request.auth) throw new AuthError('unauthenticated');
}

/** Runs after a signed-in guard; alone it still fails closed (no user: 403). */
export function requirePermission(permission: Permission) {
  return async function refuseWithoutPermission(request: FastifyRequest) {
    if (!request.auth || !hasPermission(request.auth.user, permission)) throw new AuthError('forbidden');
  };
}

/**
 * ASVS 2.1.7: a user whose password fails the policy must change it before anything else;
 * only the password page and sign-out stay reachable (the API reports `mustChangePassword`).
 */
export async function requireCurrentPassword(request: FastifyRequest, reply: FastifyReply) {
  if (!request.auth?.user.mustChangePassword) return;
  return reply.code(303).redirect('/settings/password');
}
