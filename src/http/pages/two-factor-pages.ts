/**
 * Two-factor pages (issue #12): the second sign-in step (`/login/two-factor`, field `code`),
 * and the settings (`/settings/two-factor`: enrol with a code and the current password, see
 * the recovery codes once, make new ones, turn it off with the password and a code). Every
 * settings route is a sensitive action behind sudo mode. The domain is two-factor.ts and
 * second-step.ts; these routes only translate.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import { formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { clearPendingCookie, finishSignIn, readPendingToken, signInClient } from '../sign-in.ts';
import { textField } from '../text-field.ts';
import { emptyFieldProblems, formProblems, type RequiredMessages } from './forms.ts';
import { firstGatePage } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { passkeyScripts } from './passkey-pages.ts';
import { DEFAULT_AFTER_LOGIN } from './safe-redirect.ts';
import { returnTarget } from '../forward-auth/return-target.ts';
import type { Problems } from './views/form-fields.ts';
import { enrolmentPage, secondStepPage, twoFactorOnPage } from './views/two-factor-views.ts';

const HTML = 'text/html; charset=utf-8';
/** Empty fields are asked for, not tried: no attempt is counted against the account. */
const CODE_AND_PASSWORD_REQUIRED: RequiredMessages = { code: 'page.form.required.code', current_password: 'page.form.required.current_password' };
const codeForm = z.object({ code: textField(64) });
const enrolForm = z.object({ code: textField(64), current_password: textField(4096), username: textField(320).optional() });

export async function twoFactorPages(
  app: FastifyInstance,
  options: { deps: Pick<HttpDependencies, 'twoFactor' | 'secondStep' | 'login'>; pages: PageTools; cookie: SessionConfig; hasPasskeys?: (userId: number) => Promise<boolean> },
) {
  const { deps, pages, cookie } = options;
  const problem = (request: FastifyRequest, key: MessageKey, field?: string) => [{ ...(field ? { field } : {}), message: formatMessage(key, {}, request.locale) }];

  async function renderStep(request: FastifyRequest, reply: FastifyReply, userId: number, problems: Problems = []) {
    const page = pages.context(request, reply, 'page.second_step.title', { withForm: true, scripts: passkeyScripts(pages) });
    return reply.type(HTML).send(secondStepPage(page, { passkeys: (await options.hasPasskeys?.(userId)) ?? false }, problems));
  }

  app.get('/login/two-factor', { config: { access: 'public' } }, async (request, reply) => {
    const token = readPendingToken(request, cookie);
    const user = token ? await deps.secondStep.pendingUser(token) : undefined;
    if (!user) return reply.code(303).redirect('/login');
    return renderStep(request, reply, user.id);
  });

  app.post('/login/two-factor', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const token = readPendingToken(request, cookie);
    const parsed = codeForm.safeParse(request.body);
    const user = token ? await deps.secondStep.pendingUser(token) : undefined;
    if (!token || !user) {
      clearPendingCookie(reply, cookie);
      return reply.code(401).type(HTML).send(secondStepPage(pages.context(request, reply, 'page.second_step.title', { withForm: true }), { passkeys: false }, problem(request, 'page.second_step.expired')));
    }
    if (!parsed.success) return renderStep(request, reply.code(400), user.id, formProblems(parsed.error, request.locale));
    const result = await deps.secondStep.verifyCode({ token, code: parsed.data.code, client: signInClient(request, cookie), replacesToken: request.auth ? request.sessionToken : null });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'expired') return renderStep(request, reply.code(401), user.id, problem(request, 'page.second_step.expired'));
    if (result.kind === 'wrong-code') return renderStep(request, reply.code(401), user.id, problem(request, 'page.second_step.wrong', 'code'));
    if (result.kind === 'replayed') return renderStep(request, reply.code(401), user.id, problem(request, 'page.second_step.replayed', 'code'));
    finishSignIn(reply, cookie, result.completed);
    return reply.code(303).redirect(firstGatePage(result.completed.user) ?? returnTarget(request.server, result.next ?? undefined, DEFAULT_AFTER_LOGIN));
  });

  const sensitive = { access: 'signed-in' as const, sudo: 'required' as const };

  async function renderSettings(request: FastifyRequest, reply: FastifyReply, problems: Problems = [], newCodes?: readonly string[]) {
    const user = request.auth!.user;
    const page = { ...pages.context(request, reply, 'page.two_factor.title'), user };
    const status = await deps.twoFactor.status(user.id);
    if (status.enabled) return reply.type(HTML).send(twoFactorOnPage(page, { recoveryCodesLeft: status.recoveryCodesLeft, ...(newCodes ? { newCodes } : {}) }, problems));
    // A wrong code keeps the secret already scanned; a fresh visit gets a fresh one.
    const enrolment = (problems.length > 0 ? await deps.twoFactor.pendingEnrolment(user) : undefined) ?? (await deps.twoFactor.beginEnrolment(user));
    if (!enrolment) throw new AuthError('conflict');
    const required = (request.query as Record<string, unknown> | undefined)?.required === '1';
    return reply.type(HTML).send(enrolmentPage(page, enrolment, problems, required));
  }

  app.get('/settings/two-factor', { config: sensitive }, (request, reply) => renderSettings(request, reply));

  /** What enrolling and turning off both take: the code, the password, and who asks from where. */
  const codeAndPassword = (request: FastifyRequest, data: z.infer<typeof enrolForm>) => ({
    user: request.auth!.user,
    code: data.code,
    currentPassword: data.current_password,
    ip: throttleKeyForIp(request.ip),
    by: auditContext(request),
    locale: request.locale,
  });

  /** The page again with the refusal beside its field (a throttled one is a 429). */
  function refuse(request: FastifyRequest, reply: FastifyReply, result: { kind: string; retryAfterSeconds?: number }, wrongCode: MessageKey) {
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds ?? 60 });
    if (result.kind === 'wrong-current-password') return renderSettings(request, reply.code(400), problem(request, 'detail.wrong_current_password', 'current_password'));
    return renderSettings(request, reply.code(400), problem(request, wrongCode, 'code'));
  }

  app.post('/settings/two-factor', { config: { ...sensitive, csrf: 'required' } }, async (request, reply) => {
    const parsed = enrolForm.safeParse(request.body);
    if (!parsed.success) return renderSettings(request, reply.code(400), formProblems(parsed.error, request.locale));
    const empty = emptyFieldProblems(parsed.data, CODE_AND_PASSWORD_REQUIRED, request.locale);
    if (empty.length > 0) return renderSettings(request, reply.code(400), empty);
    const result = await deps.twoFactor.confirmEnrolment(codeAndPassword(request, parsed.data));
    if (result.kind !== 'enabled') return refuse(request, reply, result, 'page.two_factor.wrong_code');
    // Shown once, in this answer: they are stored hashed.
    return renderSettings(request, reply, [], result.recoveryCodes);
  });

  app.post('/settings/two-factor/recovery-codes', { config: { ...sensitive, csrf: 'required' } }, async (request, reply) => {
    const codes = await deps.twoFactor.regenerateRecoveryCodes(request.auth!.user, auditContext(request));
    if (!codes) return reply.code(303).redirect('/settings/two-factor');
    return renderSettings(request, reply, [], codes);
  });

  app.post('/settings/two-factor/disable', { config: { ...sensitive, csrf: 'required' } }, async (request, reply) => {
    const parsed = enrolForm.safeParse(request.body);
    if (!parsed.success) return renderSettings(request, reply.code(400), formProblems(parsed.error, request.locale));
    const empty = emptyFieldProblems(parsed.data, CODE_AND_PASSWORD_REQUIRED, request.locale);
    if (empty.length > 0) return renderSettings(request, reply.code(400), empty);
    const result = await deps.twoFactor.disable(codeAndPassword(request, parsed.data));
    if (result.kind !== 'disabled') return refuse(request, reply, result, 'page.second_step.wrong');
    pages.flash(reply, 'two-factor-disabled');
    return reply.code(303).redirect('/settings/two-factor');
  });
}
