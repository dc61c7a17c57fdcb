/**
 * The admin console's pages (issue #11): the home, the user list and one user's page with
 * its actions. Admins only: every route declares a permission (`users:read` to look,
 * `users:write` to change an account, `sessions:revoke` to sign one out everywhere), checked
 * against the role re-read on this request; others get 403, visitors the sign-in page
 * (v5.0.0-8.2.1). GET routes change nothing (v5.0.0-3.5.3); opening another user's page is
 * recorded as `profile.viewed`.
 *
 * Actions are POST forms with their CSRF token (v5.0.0-3.5.1) in sudo mode (a recent
 * sign-in). The destructive ones (role, disable, sign out everywhere, delete) act only with
 * `confirm=yes`, which only their confirmation page sends: a POST without it shows that page
 * instead. Each domain call records its own audit event. The last enabled admin cannot be
 * demoted, disabled or deleted: 409, the user page again with the reason.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import type { Permission } from '../../domain/users/permissions.ts';
import { MAX_USER_ID, ROLES, type User } from '../../domain/users/user.ts';
import { formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { issueFields, queryProblems, toUserSearch, userSearchQuery, withoutBlanks } from '../admin-query.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { namesOf } from '../event-names.ts';
import { adminAuditPages } from './admin-audit-pages.ts';
import { requirePassedGates } from './gates.ts';
import type { FlashCode, PageTools } from './page-tools.ts';
import { type ConfirmedAction, confirmPage, userPage } from './views/admin-user-views.ts';
import { adminHomePage, type UserSearchForm, usersPage } from './views/admin-views.ts';
import type { Problems } from './views/form-fields.ts';

const HTML = 'text/html; charset=utf-8';
/** Events shown on a user's page (the audit viewer has the rest). */
const USER_PAGE_EVENTS = 20;

export type AdminPageDeps = Pick<HttpDependencies, 'users' | 'userService' | 'sessions' | 'audit' | 'auditReader' | 'userDirectory' | 'adminOverview' | 'clock' | 'twoFactor'>;

const userParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number).refine((id) => id >= 1 && id <= MAX_USER_ID) });
/** Only these fields are read from an action's form; anything else is ignored (v5.0.0-15.3.3). */
const actionForm = z.object({ confirm: z.literal('yes').optional(), role: z.enum(ROLES).optional() });

export async function adminPages(app: FastifyInstance, options: { deps: AdminPageDeps; pages: PageTools }) {
  const { deps, pages } = options;
  const read = (permission: Permission) => ({ config: { access: { permission } }, preHandler: requirePassedGates });
  const write = (permission: Permission) => ({ config: { access: { permission }, csrf: 'required' as const, sudo: 'required' as const }, preHandler: requirePassedGates });

  const context = (request: FastifyRequest, reply: FastifyReply, title: MessageKey) => ({ ...pages.context(request, reply, title), user: request.auth!.user });

  /** The account of the `:id` in the path; 404 for a malformed or unknown id. */
  async function targetOf(request: FastifyRequest): Promise<User> {
    const params = userParams.safeParse(request.params);
    const target = params.success ? await deps.users.findUserById(params.data.id) : undefined;
    if (!target) throw new AuthError('not_found');
    return target;
  }

  async function renderUser(request: FastifyRequest, reply: FastifyReply, target: User, problems: Problems = []) {
    const [events, liveSessions] = await Promise.all([
      deps.auditReader.forUser(target.id, USER_PAGE_EVENTS),
      deps.sessions.listSessions(target, null).then((sessions) => sessions.length),
    ]);
    const page = context(request, reply, 'page.admin.user.title');
    return reply.type(HTML).send(userPage(page, { target, liveSessions, events, names: await namesOf(deps.users, events), problems }));
  }

  app.get('/admin', read('users:read'), async (request, reply) => {
    const overview = await deps.adminOverview.overview();
    return reply.type(HTML).send(adminHomePage(context(request, reply, 'page.admin.home.title'), overview));
  });

  app.get('/admin/users', read('users:read'), async (request, reply) => {
    const raw = withoutBlanks(request.query);
    const form: UserSearchForm = {
      q: typeof raw.q === 'string' ? raw.q : '',
      role: typeof raw.role === 'string' ? raw.role : '',
      state: typeof raw.state === 'string' ? raw.state : '',
      sort: typeof raw.sort === 'string' ? raw.sort : 'username',
      direction: typeof raw.direction === 'string' ? raw.direction : 'asc',
    };
    const page = context(request, reply, 'page.admin.users.title');
    const parsed = userSearchQuery.safeParse(raw);
    if (!parsed.success) {
      const problems = queryProblems(issueFields(parsed.error), request.locale);
      return reply.code(400).type(HTML).send(usersPage(page, { form, users: [], next: null, paged: false, problems }));
    }
    try {
      const { users, next } = await deps.userDirectory.search(toUserSearch(parsed.data));
      return reply.type(HTML).send(usersPage(page, { form, users, next, paged: parsed.data.cursor !== undefined, problems: [] }));
    } catch (error) {
      // A cursor that decodes to nothing valid, or belongs to another sort: said on the form.
      if (!(error instanceof AuthError) || error.code !== 'invalid_input') throw error;
      const problems = [{ field: 'cursor', message: formatMessage('admin.error.bad_cursor', {}, request.locale) }];
      return reply.code(400).type(HTML).send(usersPage(page, { form, users: [], next: null, paged: true, problems }));
    }
  });

  app.get('/admin/users/:id', read('users:read'), async (request, reply) => {
    const target = await targetOf(request);
    // Reading another account is itself a security event (v5.0.0-16.3.3); HEAD reads nothing.
    if (target.id !== request.auth!.user.id && request.method === 'GET') {
      await deps.audit.record({ type: 'profile.viewed', outcome: 'success', targetUserId: target.id }, auditContext(request));
    }
    return renderUser(request, reply, target);
  });

  /** The sentence of a refusal, on the user page again with its status. */
  async function refuse(request: FastifyRequest, reply: FastifyReply, status: number, key: MessageKey) {
    const target = await targetOf(request);
    return renderUser(request, reply.code(status), target, [{ message: formatMessage(key, { username: target.username }, request.locale) }]);
  }

  function done(reply: FastifyReply, target: User, flash: FlashCode) {
    pages.flash(reply, flash);
    return reply.code(303).redirect(`/admin/users/${target.id}`);
  }

  // Destructive actions: the confirmation page (GET), and the action itself (POST with confirm=yes).
  const destructive: Record<ConfirmedAction, { permission: Permission; run: (target: User, form: z.infer<typeof actionForm>, request: FastifyRequest, reply: FastifyReply) => Promise<unknown> }> = {
    role: {
      permission: 'users:write',
      async run(target, form, request, reply) {
        const result = await deps.userService.setRole({ id: target.id }, form.role!, auditContext(request));
        if (result.ok) return done(reply, target, 'admin-role-changed');
        if (result.reason === 'last_admin') return refuse(request, reply, 409, 'admin.refused.last_admin');
        throw new AuthError(result.reason === 'unknown_user' ? 'not_found' : 'invalid_input');
      },
    },
    disable: {
      permission: 'users:write',
      async run(target, _form, request, reply) {
        const result = await deps.userService.setDisabled({ id: target.id }, true, auditContext(request));
        if (result.ok) return done(reply, target, 'admin-user-disabled');
        if (result.reason === 'last_admin') return refuse(request, reply, 409, 'admin.refused.last_admin');
        throw new AuthError('not_found');
      },
    },
    'revoke-sessions': {
      permission: 'sessions:revoke',
      async run(target, _form, request, reply) {
        const result = await deps.userService.revokeSessions({ id: target.id }, auditContext(request));
        if (!result.ok) throw new AuthError('not_found');
        return done(reply, target, 'admin-sessions-revoked');
      },
    },
    'reset-two-factor': {
      permission: 'users:write',
      async run(target, _form, request, reply) {
        // Nothing to reset is no error: the account simply has no second factor now.
        await deps.twoFactor.adminReset(target, auditContext(request));
        return done(reply, target, 'admin-two-factor-reset');
      },
    },
    delete: {
      permission: 'users:write',
      async run(target, _form, request, reply) {
        const result = await deps.userService.deleteUser({ id: target.id }, auditContext(request));
        if (result.ok) {
          pages.flash(reply, 'admin-user-deleted');
          return reply.code(303).redirect('/admin/users');
        }
        if (result.reason === 'last_admin') return refuse(request, reply, 409, 'admin.refused.last_admin');
        throw new AuthError('not_found');
      },
    },
  };

  function renderConfirm(request: FastifyRequest, reply: FastifyReply, target: User, action: ConfirmedAction, role?: string) {
    const page = context(request, reply, 'page.admin.confirm.title');
    return reply.type(HTML).send(confirmPage(page, target, action, { role }));
  }

  for (const [action, { permission, run }] of Object.entries(destructive) as [ConfirmedAction, (typeof destructive)[ConfirmedAction]][]) {
    // The confirmation page changes nothing; it is in sudo mode too, so a stale sign-in is asked
    // to confirm the password before the form is shown rather than after it is sent.
    app.get(`/admin/users/:id/${action}`, { ...read(permission), config: { access: { permission }, sudo: 'required' } }, async (request, reply) => {
      const query = z.object({ role: z.enum(ROLES).optional() }).safeParse(withoutBlanks(request.query));
      return renderConfirm(request, reply, await targetOf(request), action, query.success ? query.data.role : undefined);
    });
    app.post(`/admin/users/:id/${action}`, write(permission), async (request, reply) => {
      const target = await targetOf(request);
      const form = actionForm.safeParse(request.body ?? {});
      const role = form.success ? form.data.role : undefined;
      // Not confirmed (or no role chosen): the confirmation page, and nothing done.
      if (!form.success || form.data.confirm !== 'yes' || (action === 'role' && role === undefined)) return renderConfirm(request, reply, target, action, role);
      return run(target, form.data, request, reply);
    });
  }

  // Actions done at once from the user page: nothing is lost by them.
  const direct: Record<string, (target: User, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>> = {
    async enable(target, request, reply) {
      const result = await deps.userService.setDisabled({ id: target.id }, false, auditContext(request));
      if (!result.ok) throw new AuthError('not_found');
      return done(reply, target, 'admin-user-enabled');
    },
    async 'send-reset'(target, request, reply) {
      const result = await deps.userService.sendPasswordReset({ id: target.id }, auditContext(request));
      if (!result.ok) throw new AuthError('not_found');
      return done(reply, target, 'admin-reset-sent');
    },
    async 'resend-verification'(target, request, reply) {
      const result = await deps.userService.resendVerification({ id: target.id }, auditContext(request));
      if (result.ok) return done(reply, target, 'admin-verification-sent');
      if (result.reason === 'already_verified') return refuse(request, reply, 409, 'admin.refused.already_verified');
      throw new AuthError('not_found');
    },
    async unblock(target, request, reply) {
      const result = await deps.userService.unblock({ id: target.id }, auditContext(request));
      if (!result.ok) throw new AuthError('not_found');
      return done(reply, target, 'admin-throttle-cleared');
    },
  };
  for (const [action, run] of Object.entries(direct)) {
    app.post(`/admin/users/:id/${action}`, write('users:write'), async (request, reply) => run(await targetOf(request), request, reply));
  }

  await app.register(adminAuditPages, { deps, pages });
}
