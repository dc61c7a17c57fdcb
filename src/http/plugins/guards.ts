/**
 * Guard hooks, attached by route-rules.ts to each route from its declared access rule
 * (`signed-in` or `{ permission }`), never added by hand. Signed-in pages redirect to the
 * sign-in page with `next`; the API answers 401; a missing permission is 403. The user is the one re-read from the store on this request,
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
