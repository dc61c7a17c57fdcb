/**
 * Guards, added to the encapsulated context a route is registered in (Fastify
 * encapsulation): signed-in pages redirect to the sign-in page with `next`; the API answers
 * 401; admin-only contexts answer 403 to everyone else. The user is the one re-read from the
 * store on this request, so role changes and disabling apply at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.js';

export async function requireSignedInPage(request: FastifyRequest, reply: FastifyReply) {
  if (request.auth) return;
  return reply.code(303).redirect(`/login?next=${encodeURIComponent(request.url)}`);
}

export async function requireSignedInApi(request: FastifyRequest) {
  if (!request.auth) throw new AuthError('unauthenticated');
}

export async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
  if (!request.auth) return requireSignedInPage(request, reply);
  if (request.auth.user.role !== 'admin') throw new AuthError('forbidden');
}
