/**
 * Signed-in pages: dashboard and profile. Each declares `signed-in`; the sign-in gates
 * (a password to change first) stand before both. The dashboard reads nothing from its
 * query: the demo's `?message=` is ignored (content spoofing: a link must not put words on a
 * trusted page); notices come only from the signed flash codes.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { canViewProfile } from '../../domain/users/access.ts';
import { MAX_USER_ID } from '../../domain/users/user.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { auditContext } from '../audit-context.ts';
import { requirePassedGates } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { dashboardPage, profilePage } from './views/account-views.ts';

const profileQuery = z.object({
  id: z
    .string({ error: 'must be given once' })
    .regex(/^\d{1,10}$/, 'must be a positive whole number')
    .transform(Number)
    // Past the column's range PostgreSQL and MySQL would refuse the query itself (a 500).
    .refine((id) => id <= MAX_USER_ID, 'is out of range')
    .optional(),
});

export async function accountPages(app: FastifyInstance, options: { deps: Pick<HttpDependencies, 'users' | 'audit'>; pages: PageTools }) {
  const { deps, pages } = options;
  const html = 'text/html; charset=utf-8';
  const signedIn = { config: { access: 'signed-in' as const }, preHandler: requirePassedGates };

  app.get('/dashboard', signedIn, async (request, reply) => {
    const page = { ...pages.context(request, reply, 'page.title.dashboard'), user: request.auth!.user };
    return reply.type(html).send(dashboardPage(page));
  });

  app.get('/profile', signedIn, async (request, reply) => {
    const query = profileQuery.safeParse(request.query);
    if (!query.success) throw new AuthError('invalid_input', { detail: 'detail.invalid_id_parameter' });
    const viewer = request.auth!.user;
    const targetId = query.data.id ?? viewer.id;
    // Checked before the lookup: a non-admin learns nothing, not even whether the id exists.
    if (!canViewProfile(viewer, targetId)) throw new AuthError('forbidden');
    const profile = targetId === viewer.id ? viewer : await deps.users.findUserById(targetId);
    if (!profile) throw new AuthError('not_found');
    // An admin reading someone else's profile is itself a security event (v5.0.0-16.2.1).
    if (profile.id !== viewer.id) await deps.audit.record({ type: 'profile.viewed', outcome: 'success', targetUserId: profile.id }, auditContext(request));
    return reply.type(html).send(profilePage(pages.context(request, reply, 'page.title.profile'), profile));
  });
}
