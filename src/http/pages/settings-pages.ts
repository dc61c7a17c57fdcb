/** The signed-in user's security pages: /settings/password (more arrive under /settings/). */
import type { FastifyInstance } from 'fastify';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../client-ip.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { changePasswordForm, formProblems } from './forms.ts';
import { problemLines } from './problems.ts';
import type { PageTools } from './page-tools.ts';
import { changePasswordPage } from './views/pages.ts';

export async function settingsPages(app: FastifyInstance, options: { deps: Pick<HttpDependencies, 'passwordChange'>; pages: PageTools }) {
  const { deps, pages } = options;
  const html = 'text/html; charset=utf-8';

  const render = (request: Parameters<typeof pages.context>[0], reply: Parameters<typeof pages.context>[1], problems?: { field?: string; message: string }[]) => {
    const user = request.auth!.user;
    const page = { ...pages.context(request, reply, 'Change password', { scripts: pages.meterScripts }), user };
    return changePasswordPage(page, pages.meter, { problems, required: user.mustChangePassword });
  };

  app.get('/settings/password', { config: { access: 'signed-in' } }, async (request, reply) => reply.type(html).send(render(request, reply)));

  app.post('/settings/password', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = changePasswordForm.safeParse(request.body);
    if (!parsed.success) return reply.code(400).type(html).send(render(request, reply, formProblems(parsed.error, request.locale)));
    const result = await deps.passwordChange.changePassword({
      user: request.auth!.user,
      currentPassword: parsed.data.current_password,
      newPassword: parsed.data.new_password,
      ip: throttleKeyForIp(request.ip),
      keepSessionToken: request.sessionToken!,
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'wrong-current-password') {
      return reply.code(400).type(html).send(render(request, reply, [{ field: 'current_password', message: formatMessage('detail.wrong_current_password', {}, request.locale) }]));
    }
    if (result.kind === 'invalid') return reply.code(400).type(html).send(render(request, reply, problemLines(result.problems, request.locale)));
    pages.flash(reply, 'password-changed');
    return reply.code(303).redirect('/settings/password');
  });
}
