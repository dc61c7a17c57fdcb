/**
 * The admin console as JSON (issue #11), under /api/v1/admin: the overview, the user search
 * and one account, the audit log, and the actions on an account. Same rules as the pages
 * (admin-pages.ts): a permission on every route, checked against the role re-read on this
 * request (403 `forbidden` with no data otherwise; v5.0.0-8.3.1: the API is checked on the
 * server, not by hiding buttons); state-changing calls need the `X-CSRF-Token` header and a
 * recent authentication (403 `reauthentication_required`: `POST /api/v1/sudo`, then again).
 * Reading another account records `profile.viewed`; each action records its own event. The
 * last enabled admin cannot be demoted, disabled or deleted: 409 `conflict`.
 *
 * No confirmation step here: an API client is a program that already decided; the pages ask.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditFilter } from '../../domain/ports.ts';
import { AuthError } from '../../domain/errors.ts';
import type { Permission } from '../../domain/users/permissions.ts';
import { normalizeUsername, type User } from '../../domain/users/user.ts';
import { ADMIN_PAGE_SIZE, auditQuery, toAuditFilter, toUserSearch, userSearchQuery } from '../admin-query.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { namesOf } from '../event-names.ts';
import { adminUserJson, auditJson, overviewJson, roleBody, sessionsEndedJson, toAdminUserJson, toEventJson, userDetailJson, userParams, usersJson } from './admin-schemas.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';

type AdminApiDeps = Pick<HttpDependencies, 'users' | 'userService' | 'sessions' | 'audit' | 'auditReader' | 'userDirectory' | 'adminOverview' | 'twoFactor'>;

const NOT_FOUND = 'No account has that id: `not_found`.';
const LAST_ADMIN = 'The account is the last enabled administrator: `conflict`. Make another account an administrator first.';
const READ_ERRORS = { 401: true, 403: 'Signed in without the permission this needs (an administrator’s): `forbidden`, with no data.' } as const;
const WRITE_ERRORS = {
  400: true,
  401: true,
  403: 'No permission (`forbidden`), the CSRF check failed (`csrf_failed`), or the last authentication is older than SUDO_SECONDS (`reauthentication_required`: confirm the password with `POST /api/v1/sudo`, then call again).',
  404: NOT_FOUND,
  413: true,
  415: true,
} as const;

export async function adminApiRoutes(parent: FastifyInstance, options: { deps: AdminApiDeps }) {
  const { deps } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const read = (permission: Permission) => ({ access: { permission } });
  const write = (permission: Permission) => ({ access: { permission }, csrf: 'required' as const, sudo: 'required' as const });

  async function targetOf(id: string): Promise<User> {
    const target = await deps.users.findUserById(Number(id));
    if (!target) throw new AuthError('not_found');
    return target;
  }

  app.get(
    '/admin/overview',
    {
      config: read('users:read'),
      schema: {
        operationId: 'getAdminOverview',
        tags: ['admin'],
        summary: 'Get the admin console overview',
        description: 'Sign-in outcomes over the last 24 hours and 30 days, the addresses and accounts with the most failed sign-ins in the last 24 hours, and the headline counts. Needs `users:read` (administrators).',
        security: SECURITY.session,
        response: { 200: jsonResponse(overviewJson, 'The figures, read now.'), ...errorResponses({ ...READ_ERRORS, ...ALWAYS }) },
      },
    },
    async () => {
      const overview = await deps.adminOverview.overview();
      const slice = (s: { start: Date; succeeded: number; failed: number; throttled: number }) => ({ ...s, start: s.start.toISOString() });
      return { ...overview, at: overview.at.toISOString(), hourly: overview.hourly.map(slice), daily: overview.daily.map(slice) };
    },
  );

  app.get(
    '/admin/users',
    {
      config: read('users:read'),
      schema: {
        operationId: 'listUsers',
        tags: ['admin'],
        summary: 'Search the accounts',
        description:
          'Accounts whose normalised username or email starts with `q`, optionally of one role or state, sorted by username or creation time in either direction, a page at a time (keyset: pass `next` as `cursor`, with the same sort and direction). Needs `users:read`.',
        security: SECURITY.session,
        querystring: userSearchQuery,
        response: {
          200: jsonResponse(usersJson, 'One page of accounts.'),
          ...errorResponses({ 400: 'A parameter is not valid, or the cursor does not decode or belongs to another sort: `invalid_input`.', ...READ_ERRORS, ...ALWAYS }),
        },
      },
    },
    async (request) => {
      const { users, next } = await deps.userDirectory.search(toUserSearch(request.query));
      return { users: users.map(toAdminUserJson), next };
    },
  );

  app.get(
    '/admin/users/:id',
    {
      config: read('users:read'),
      schema: {
        operationId: 'getUser',
        tags: ['admin'],
        summary: 'Get one account',
        description: 'The account, its live-session count and its recent security events. Reading another account is recorded in the audit log (`profile.viewed`). Needs `users:read`.',
        security: SECURITY.session,
        params: userParams,
        response: { 200: jsonResponse(userDetailJson, 'The account, its live sessions and its recent events.'), ...errorResponses({ 400: true, ...READ_ERRORS, 404: NOT_FOUND, ...ALWAYS }) },
      },
    },
    async (request) => {
      const target = await targetOf(request.params.id);
      if (target.id !== request.auth!.user.id && request.method === 'GET') {
        await deps.audit.record({ type: 'profile.viewed', outcome: 'success', targetUserId: target.id }, auditContext(request));
      }
      const [events, sessions] = await Promise.all([deps.auditReader.forUser(target.id, 20), deps.sessions.listSessions(target, null)]);
      const names = await namesOf(deps.users, events);
      return { user: toAdminUserJson(target), liveSessions: sessions.length, events: events.map((event) => toEventJson(event, names)) };
    },
  );

  app.get(
    '/admin/audit',
    {
      config: read('audit:read'),
      schema: {
        operationId: 'searchAuditLog',
        tags: ['admin'],
        summary: 'Search the audit log',
        description:
          'Security events, newest first, filtered by username (`user`: by or about that account), type, client address and UTC time range (`from` inclusive; `to` includes the day, minute or second it names), a page at a time (keyset: pass `next` as `before`). An unknown username matches nothing. Needs `audit:read`.',
        security: SECURITY.session,
        querystring: auditQuery,
        response: {
          200: jsonResponse(auditJson, 'One page of events.'),
          ...errorResponses({ 400: 'A filter is not valid (an impossible date, `to` before `from`): `invalid_input`.', ...READ_ERRORS, ...ALWAYS }),
        },
      },
    },
    async (request) => {
      const converted = toAuditFilter(request.query);
      if (!converted.ok) throw new AuthError('invalid_input', { detail: 'admin.problem.to' });
      const limit = request.query.limit ? Number(request.query.limit) : ADMIN_PAGE_SIZE;
      let filter: AuditFilter = converted.filter;
      if (request.query.user) {
        const user = await deps.users.findUserByUsername(normalizeUsername(request.query.user));
        if (!user) return { events: [], next: null };
        filter = { ...filter, userId: user.id };
      }
      const found = await deps.auditReader.search(filter, { limit: limit + 1, ...(request.query.before ? { beforeSeq: Number(request.query.before) } : {}) });
      const events = found.slice(0, limit);
      const names = await namesOf(deps.users, events);
      return { events: events.map((event) => toEventJson(event, names)), next: found.length > limit ? String(events[events.length - 1]!.seq) : null };
    },
  );

  const userResponse = z.object({ user: adminUserJson });

  app.post(
    '/admin/users/:id/role',
    {
      config: write('users:write'),
      schema: {
        operationId: 'setUserRole',
        tags: ['admin'],
        summary: 'Change the role of an account',
        description: 'Sets the role (`user` or `admin`); it applies at the next request of every session of the account. Recorded as `role.changed`. Needs `users:write`.',
        security: SECURITY.sessionAndCsrf,
        params: userParams,
        body: roleBody,
        response: { 200: jsonResponse(userResponse, 'The account, with its new role.'), ...errorResponses({ ...WRITE_ERRORS, 409: LAST_ADMIN, ...ALWAYS }) },
      },
    },
    async (request) => {
      const target = await targetOf(request.params.id);
      const result = await deps.userService.setRole({ id: target.id }, request.body.role, auditContext(request));
      if (result.ok) return { user: toAdminUserJson(result.user) };
      if (result.reason === 'last_admin') throw new AuthError('conflict', { detail: 'admin.refused.last_admin', params: { username: target.username } });
      throw new AuthError(result.reason === 'unknown_user' ? 'not_found' : 'invalid_input');
    },
  );

  for (const disabled of [true, false]) {
    app.post(
      `/admin/users/:id/${disabled ? 'disable' : 'enable'}`,
      {
        config: write('users:write'),
        schema: {
          operationId: disabled ? 'disableUser' : 'enableUser',
          tags: ['admin'],
          summary: disabled ? 'Disable an account' : 'Enable an account',
          description: disabled
            ? 'The account can no longer sign in, and every one of its sessions ends at once. Recorded as `user.disabled`. Needs `users:write`.'
            : 'The account can sign in again. Recorded as `user.enabled`. Needs `users:write`.',
          security: SECURITY.sessionAndCsrf,
          params: userParams,
          response: {
            200: jsonResponse(userResponse, disabled ? 'The account, now disabled.' : 'The account, now enabled.'),
            ...errorResponses(disabled ? { ...WRITE_ERRORS, 409: LAST_ADMIN, ...ALWAYS } : { ...WRITE_ERRORS, ...ALWAYS }),
          },
        },
      },
      async (request) => {
        const target = await targetOf(request.params.id);
        const result = await deps.userService.setDisabled({ id: target.id }, disabled, auditContext(request));
        if (result.ok) return { user: toAdminUserJson(result.user) };
        if (result.reason === 'last_admin') throw new AuthError('conflict', { detail: 'admin.refused.last_admin', params: { username: target.username } });
        throw new AuthError('not_found');
      },
    );
  }

  app.post(
    '/admin/users/:id/revoke-sessions',
    {
      config: write('sessions:revoke'),
      schema: {
        operationId: 'revokeUserSessions',
        tags: ['admin'],
        summary: 'Sign an account out everywhere',
        description: 'Ends every session of the account at once (its credential version moves on, so none survives). Recorded as `session.revoked`. Needs `sessions:revoke`.',
        security: SECURITY.sessionAndCsrf,
        params: userParams,
        response: { 200: jsonResponse(sessionsEndedJson, 'The sessions are ended.'), ...errorResponses({ ...WRITE_ERRORS, ...ALWAYS }) },
      },
    },
    async (request) => {
      const target = await targetOf(request.params.id);
      const result = await deps.userService.revokeSessions({ id: target.id }, auditContext(request));
      if (!result.ok) throw new AuthError('not_found');
      return { ended: result.count };
    },
  );

  const mailActions = [
    {
      path: 'send-reset',
      operationId: 'sendUserPasswordReset',
      summary: 'Mail a password reset link to an account',
      description: 'Mails a single-use password reset link to the account’s address; its password keeps working until a new one is chosen. Recorded as `password.reset_requested`. Needs `users:write`.',
      conflict: undefined,
      run: (target: User, request: FastifyRequest) => deps.userService.sendPasswordReset({ id: target.id }, auditContext(request)),
    },
    {
      path: 'resend-verification',
      operationId: 'resendUserVerification',
      summary: 'Mail a new confirmation link to an account',
      description: 'Mails a new link to confirm the account’s address; older links stop working. Recorded as `email.verification_sent`. Needs `users:write`.',
      conflict: 'The address is already confirmed: `conflict`. Nothing was sent.',
      run: (target: User, request: FastifyRequest) => deps.userService.resendVerification({ id: target.id }, auditContext(request)),
    },
    {
      path: 'unblock',
      operationId: 'unblockUser',
      summary: 'Clear the sign-in throttle of an account',
      description: 'Clears the account’s sign-in throttle, from every address it recently failed from. Recorded as `throttle.cleared`. Needs `users:write`.',
      conflict: undefined,
      run: (target: User, request: FastifyRequest) => deps.userService.unblock({ id: target.id }, auditContext(request)),
    },
    {
      path: 'reset-two-factor',
      operationId: 'resetUserTwoFactor',
      summary: 'Turn off the two-factor sign-in of an account',
      description: 'For an owner who lost their device: their TOTP secret and recovery codes stop working and they are told by mail. Recorded as `two_factor.removed` with `by: admin`. Needs `users:write`.',
      conflict: undefined,
      run: async (target: User, request: FastifyRequest) => {
        await deps.twoFactor.adminReset(target, auditContext(request));
        return { ok: true } as const;
      },
    },
  ] as const;

  for (const action of mailActions) {
    app.post(
      `/admin/users/:id/${action.path}`,
      {
        config: write('users:write'),
        schema: {
          operationId: action.operationId,
          tags: ['admin'],
          summary: action.summary,
          description: action.description,
          security: SECURITY.sessionAndCsrf,
          params: userParams,
          response: {
            204: z.null().describe('Done: the mail is queued, or the throttle cleared.'),
            ...errorResponses(action.conflict ? { ...WRITE_ERRORS, 409: action.conflict, ...ALWAYS } : { ...WRITE_ERRORS, ...ALWAYS }),
          },
        },
      },
      async (request, reply) => {
        const target = await targetOf(request.params.id);
        const result = await action.run(target, request);
        if (result.ok) return reply.code(204).send(null);
        if (result.reason === 'already_verified') throw new AuthError('conflict', { detail: 'admin.refused.already_verified', params: { username: target.username } });
        throw new AuthError('not_found');
      },
    );
  }

  app.delete(
    '/admin/users/:id',
    {
      config: write('users:write'),
      schema: {
        operationId: 'deleteUser',
        tags: ['admin'],
        summary: 'Delete an account',
        description: 'Deletes the account with its sessions, links and personal data; the audit log keeps its events under the id only (`user.deleted`). Cannot be undone. Needs `users:write`.',
        security: SECURITY.sessionAndCsrf,
        params: userParams,
        response: { 204: z.null().describe('The account is deleted.'), ...errorResponses({ ...WRITE_ERRORS, 409: LAST_ADMIN, ...ALWAYS }) },
      },
    },
    async (request, reply) => {
      const target = await targetOf(request.params.id);
      const result = await deps.userService.deleteUser({ id: target.id }, auditContext(request));
      if (result.ok) return reply.code(204).send(null);
      if (result.reason === 'last_admin') throw new AuthError('conflict', { detail: 'admin.refused.last_admin', params: { username: target.username } });
      throw new AuthError('not_found');
    },
  );
}
