/**
 * Sudo mode's page (`GET, POST /sudo?next=…`, API `POST /api/v1/sudo`) and the user's own
 * security activity (`/settings/activity`). Routes that need a recent authentication declare
 * `sudo: 'required'` (route-rules.ts) and are sent here; a confirmed password returns the
 * browser to `next`: a same-origin path (safe-redirect.ts), or an application inside
 * FORWARD_AUTH_DOMAINS, where forward-auth's `?max_age=` refusal page sends people to confirm
 * their password (the same allowlist as the sign-in's `rd`: forward-auth/return-target.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { textField } from '../text-field.ts';
import { emptyFieldProblems, formProblems, type RequiredMessages } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import { returnTarget } from '../forward-auth/return-target.ts';
import type { Problems } from './views/form-fields.ts';
import { activityPage, sudoPage } from './views/security-views.ts';

const HTML = 'text/html; charset=utf-8';
/** Events shown on the activity page: the newest, enough for about a month of ordinary use. */
const ACTIVITY_LIMIT = 50;

const SUDO_REQUIRED: RequiredMessages = { current_password: 'page.form.required.login_password' };
const sudoQuery = z.object({ next: z.string().max(2048).optional() });
const sudoForm = z.object({ current_password: textField(4096), next: textField(2048).optional(), username: textField(320).optional() });

export async function securityPages(
  app: FastifyInstance,
  options: { deps: Pick<HttpDependencies, 'reauthentication' | 'auditReader'>; pages: PageTools; sudoSeconds: number },
) {
  const { deps, pages, sudoSeconds } = options;
  const minutes = Math.max(1, Math.round(sudoSeconds / 60));

  function renderSudo(request: FastifyRequest, reply: FastifyReply, next: string, problems: Problems = []) {
    const page = { ...pages.context(request, reply, 'page.sudo.title'), user: request.auth!.user };
    return reply.type(HTML).send(sudoPage(page, { next, minutes }, problems));
  }

  app.get('/sudo', { config: { access: 'signed-in' } }, async (request, reply) => {
    const query = sudoQuery.safeParse(request.query);
    return renderSudo(request, reply, returnTarget(app, query.success ? query.data.next : undefined));
  });

  app.post('/sudo', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = sudoForm.safeParse(request.body);
    if (!parsed.success) return renderSudo(request, reply.code(400), '/dashboard', formProblems(parsed.error, request.locale));
    const next = returnTarget(app, parsed.data.next);
    // An empty password is asked for, not tried: no attempt is counted against the account.
    const empty = emptyFieldProblems(parsed.data, SUDO_REQUIRED, request.locale);
    if (empty.length > 0) return renderSudo(request, reply.code(400), next, empty);
    const result = await deps.reauthentication.reauthenticate({
      user: request.auth!.user,
      sessionToken: request.sessionToken!,
      currentPassword: parsed.data.current_password,
      ip: throttleKeyForIp(request.ip),
      by: auditContext(request),
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'wrong-current-password') {
      return renderSudo(request, reply.code(400), next, [{ field: 'current_password', message: formatMessage('page.sudo.wrong_password', {}, request.locale) }]);
    }
    return reply.code(303).redirect(next);
  });

  app.get('/settings/activity', { config: { access: 'signed-in' } }, async (request, reply) => {
    const user = request.auth!.user;
    const events = await deps.auditReader.forUser(user.id, ACTIVITY_LIMIT);
    const page = { ...pages.context(request, reply, 'page.activity.title'), user };
    return reply.type(HTML).send(activityPage(page, events));
  });
}
