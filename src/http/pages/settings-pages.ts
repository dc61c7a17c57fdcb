/** The signed-in user's security pages: /settings/password (more arrive under /settings/). */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.ts';
import { checkPassword } from '../../domain/passwords/policy.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { CHANGE_PASSWORD_REQUIRED, changePasswordForm, emptyFieldProblems, formProblems } from './forms.ts';
import { problemLines } from './problems.ts';
import type { PageTools } from './page-tools.ts';
import { type ChangePasswordForm, changePasswordPage } from './views/form-views.ts';

const HTML = 'text/html; charset=utf-8';

/** The change-password page with `form` (also what the error responder re-renders). */
export function renderChangePassword(pages: PageTools, request: FastifyRequest, reply: FastifyReply, form: Omit<ChangePasswordForm, 'required'> = {}): string {
  const user = request.auth!.user;
  const page = { ...pages.context(request, reply, 'page.title.change_password', { scripts: pages.meterScripts }), user };
  return changePasswordPage(page, pages.meter, { ...form, required: user.mustChangePassword });
}

export async function settingsPages(app: FastifyInstance, options: { deps: Pick<HttpDependencies, 'passwordChange'>; pages: PageTools }) {
  const { deps, pages } = options;
  const refuse = (request: FastifyRequest, reply: FastifyReply, problems: { field?: string; message: string }[]) =>
    reply.code(400).type(HTML).send(renderChangePassword(pages, request, reply, { problems }));

  app.get('/settings/password', { config: { access: 'signed-in', sudo: 'required' } }, async (request, reply) => reply.type(HTML).send(renderChangePassword(pages, request, reply)));

  app.post('/settings/password', { config: { access: 'signed-in', csrf: 'required', sudo: 'required' } }, async (request, reply) => {
    const parsed = changePasswordForm.safeParse(request.body);
    if (!parsed.success) return refuse(request, reply, formProblems(parsed.error, request.locale, CHANGE_PASSWORD_REQUIRED));
    const user = request.auth!.user;
    const empty = emptyFieldProblems(parsed.data, CHANGE_PASSWORD_REQUIRED, request.locale);
    if (empty.length > 0) {
      // Every problem at once, and no attempt counted: a new password typed beside an empty
      // current one is judged by the policy now rather than on the next try.
      const newPassword = parsed.data.new_password;
      const policy = newPassword === '' ? [] : checkPassword(newPassword, { username: user.username, email: user.email }, pages.meter);
      return refuse(request, reply, [...empty, ...problemLines(policy, request.locale).map((line) => ({ ...line, field: 'new_password' }))]);
    }
    const result = await deps.passwordChange.changePassword({ by: auditContext(request),
      user,
      currentPassword: parsed.data.current_password,
      newPassword: parsed.data.new_password,
      ip: throttleKeyForIp(request.ip),
      keepSessionToken: request.sessionToken!,
      locale: request.locale,
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'wrong-current-password') {
      return refuse(request, reply, [{ field: 'current_password', message: formatMessage('detail.wrong_current_password', {}, request.locale) }]);
    }
    if (result.kind === 'invalid') return refuse(request, reply, problemLines(result.problems, request.locale).map((line) => ({ ...line, field: 'new_password' })));
    pages.flash(reply, 'password-changed');
    return reply.code(303).redirect('/settings/password');
  });
}
