/**
 * Guards, added to the encapsulated context a route is registered in (Fastify
 * encapsulation): signed-in pages redirect to the sign-in page with `next`; the API answers
 * 401. The user is the one re-read from the store on this request, so role changes and
 * disabling apply at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.ts';

export async function requireSignedInPage(request: FastifyRequest, reply: FastifyReply) {
  if (request.auth) return;
  return reply.code(303).redirect(`/login?next=${encodeURIComponent(request.url)}`);
}

/**
 * ASVS 2.1.7: a user whose password fails the policy must change it before anything else;
 * only the password page and sign-out stay reachable (the API reports `mustChangePassword`).
 */
export async function requireCurrentPassword(request: FastifyRequest, reply: FastifyReply) {
  if (!request.auth?.user.mustChangePassword) return;
  return reply.code(303).redirect('/settings/password');
}

export async function requireSignedInApi(request: FastifyRequest) {
  if (!request.auth) throw new AuthError('unauthenticated');
}
