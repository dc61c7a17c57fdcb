/**
 * The signed-in user's sessions and account (issue #10): /settings/sessions lists every live
 * session, each named by its public id; revoke ends one of the user's own (another user's
 * id is a 404 that ends nothing: the store deletes by user and public id together);
 * revoke-others ends every other one. /settings/delete-account shows a confirm form; only
 * its POST, with the current password, deletes. Every POST carries its CSRF token.
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { clearSessionCookie } from '../plugins/session.ts';
import { textField } from '../text-field.ts';
import { emptyFieldProblems, formProblems } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import type { Problems } from './views/form-fields.ts';
import { deleteAccountPage, sessionsPage } from './views/session-views.ts';

const HTML = 'text/html; charset=utf-8';

// The notice of a sign-in from a browser the account had not used (domain/devices).

const revokeForm = z.object({ session_id: textField(64) });
const deleteAccountForm = z.object({ current_password: textField(4096), username: textField(320).optional() });

export async function sessionPages(
  app: FastifyInstance,
  options: { deps: Pick<HttpDependencies, 'sessions' | 'accountDeletion' | 'audit'>; pages: PageTools; cookie: SessionConfig },
) {
  const { deps, pages, cookie } = options;

  async function renderSessions(request: FastifyRequest, reply: FastifyReply, problems: Problems = []) {
    const user = request.auth!.user;
    const sessions = await deps.sessions.listSessions(user, request.sessionToken);
    const page = { ...pages.context(request, reply, 'page.sessions.title'), user };
    return reply.type(HTML).send(sessionsPage(page, sessions, problems));
  }

  function renderDelete(request: FastifyRequest, reply: FastifyReply, problems: Problems = []) {
    const page = { ...pages.context(request, reply, 'page.delete.title'), user: request.auth!.user };
    return reply.type(HTML).send(deleteAccountPage(page, problems));
  }

  app.get('/settings/sessions', { config: { access: 'signed-in' } }, (request, reply) => renderSessions(request, reply));

  app.post('/settings/sessions/revoke', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = revokeForm.safeParse(request.body);
    const notFound = [{ message: formatMessage('page.sessions.not_found', {}, request.locale) }];
    if (!parsed.success) return renderSessions(request, reply.code(400), formProblems(parsed.error, request.locale));
    const { user, session } = request.auth!;
    const ended = await deps.sessions.endSessionByPublicId(user.id, parsed.data.session_id);
    if (!ended) return renderSessions(request, reply.code(404), notFound);
    await deps.audit.record({ type: 'session.revoked', outcome: 'success', targetUserId: user.id, details: { scope: 'one' } }, auditContext(request));
    if (session.publicId === parsed.data.session_id) {
      // This browser's own session: it is signed out now.
      clearSessionCookie(reply, cookie);
      pages.flash(reply, 'signed-out');
      return reply.code(303).redirect('/');
    }
    pages.flash(reply, 'session-ended');
    return reply.code(303).redirect('/settings/sessions');
  });

  app.post('/settings/sessions/revoke-others', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const count = await deps.sessions.endAllSessionsForUser(request.auth!.user.id, { exceptToken: request.sessionToken! });
    await deps.audit.record({ type: 'session.revoked', outcome: 'success', targetUserId: request.auth!.user.id, details: { scope: 'others', count } }, auditContext(request));
    pages.flash(reply, 'other-sessions-ended');
    return reply.code(303).redirect('/settings/sessions');
  });

  app.get('/settings/delete-account', { config: { access: 'signed-in', sudo: 'required' } }, (request, reply) => renderDelete(request, reply));

  app.post('/settings/delete-account', { config: { access: 'signed-in', csrf: 'required', sudo: 'required' } }, async (request, reply) => {
    const parsed = deleteAccountForm.safeParse(request.body);
    if (!parsed.success) return renderDelete(request, reply.code(400), formProblems(parsed.error, request.locale));
    // An empty password is asked for, not tried: no attempt is counted against the account.
    const empty = emptyFieldProblems(parsed.data, { current_password: 'page.form.required.current_password' }, request.locale);
    if (empty.length > 0) return renderDelete(request, reply.code(400), empty);
    const result = await deps.accountDeletion.deleteAccount({
      by: auditContext(request),
      user: request.auth!.user,
      currentPassword: parsed.data.current_password,
      ip: throttleKeyForIp(request.ip),
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'last-admin') throw new AuthError('conflict', { detail: 'detail.last_admin' });
    if (result.kind === 'wrong-current-password') {
      return renderDelete(request, reply.code(400), [{ field: 'current_password', message: formatMessage('page.delete.wrong_password', {}, request.locale) }]);
    }
    clearSessionCookie(reply, cookie);
    pages.flash(reply, 'account-deleted');
    return reply.code(303).redirect('/');
  });
}
