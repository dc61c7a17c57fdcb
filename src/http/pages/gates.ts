/**
 * The sign-in gates (domain/login/gates.ts) on the pages: a signed-in user with a gate
 * standing goes to the page that passes it before any other account page opens. The gate
 * pages themselves, and signing out, stay reachable. The API reports the state instead
 * (`mustChangePassword` on /api/v1/me).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type SignInGate, signInGates } from '../../domain/login/gates.ts';

/** Where each gate is passed. */
export const GATE_PAGES: Readonly<Record<SignInGate, string>> = {
  'change-password': '/settings/password',
};

/** The page of the first gate standing before `user`'s pages, or undefined. */
export function firstGatePage(user: Parameters<typeof signInGates>[0]): string | undefined {
  const [gate] = signInGates(user);
  return gate && GATE_PAGES[gate];
}

/** preHandler for account pages: 303 to the first gate's page while one stands. */
export async function requirePassedGates(request: FastifyRequest, reply: FastifyReply) {
  const page = request.auth && firstGatePage(request.auth.user);
  if (page) return reply.code(303).redirect(page);
}
