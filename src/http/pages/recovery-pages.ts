/**
 * Password recovery pages: /forgot-password, /reset-password, /secure-account and
 * /settings/secure-account (issue #10).
 *
 * Links with a token (`/reset-password?token=…`, `/secure-account?token=…`) move the token
 * out of the URL first (link-token.ts). A GET never consumes anything (mail scanners open
 * links); only the POST acts.
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { linkCookie, queryToken } from './link-token.ts';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { isWellFormedRecoveryToken, RESET_TOKEN_SECONDS } from '../../domain/recovery/password-reset.ts';
import { SECURE_ACCOUNT_TOKEN_SECONDS } from '../../domain/recovery/secure-account.ts';
import { FORGOT_PASSWORD_FLOOR_MS, withTimeFloor } from '../../domain/recovery/steady-timing.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { textField } from '../text-field.ts';
import { emptyFieldProblems, formProblems, type RequiredMessages } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import { problemLines } from './problems.ts';
import {
  forgotPasswordPage,
  invalidLinkPage,
  resetLinkSentPage,
  resetPasswordPage,
  secureAccountPage,
  secureSettingsPage,
} from './views/recovery-views.ts';


const HTML = 'text/html; charset=utf-8';

const forgotForm = z.object({ email: textField(320) });
const resetForm = z.object({ token: textField(100), password: textField(4096) });
const secureForm = z.object({ token: textField(100) });
const secureSettingsForm = z.object({ current_password: textField(4096), username: textField(320).optional() });

const FORGOT_REQUIRED: RequiredMessages = { email: 'page.recovery.required.email' };
const RESET_REQUIRED: RequiredMessages = { password: 'page.recovery.required.password' };
const SECURE_REQUIRED: RequiredMessages = { current_password: 'page.form.required.current_password' };

type RecoveryDeps = Pick<HttpDependencies, 'passwordRecovery' | 'secureAccount'>;

export async function recoveryPages(app: FastifyInstance, options: { deps: RecoveryDeps; pages: PageTools; sessions: SessionConfig }) {
  const { deps, pages, sessions } = options;
  const resetCookie = linkCookie('/reset-password', sessions, RESET_TOKEN_SECONDS);
  const secureCookie = linkCookie('/secure-account', sessions, SECURE_ACCOUNT_TOKEN_SECONDS);

  const invalidLink = (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(400).header('referrer-policy', 'no-referrer').type(HTML).send(invalidLinkPage(pages.context(request, reply, 'page.recovery.title.invalid')));

  // ---- forgot password ------------------------------------------------------------------

  app.get('/forgot-password', { config: { access: 'public' } }, async (request, reply) =>
    reply.type(HTML).send(forgotPasswordPage(pages.context(request, reply, 'page.recovery.title.forgot', { withForm: true }), {})),
  );

  app.post('/forgot-password', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = forgotForm.safeParse(request.body);
    const empty = parsed.success ? emptyFieldProblems(parsed.data, FORGOT_REQUIRED, request.locale) : [];
    if (!parsed.success || empty.length > 0) {
      const problems = parsed.success ? empty : formProblems(parsed.error, request.locale, FORGOT_REQUIRED);
      const page = pages.context(request, reply, 'page.recovery.title.forgot', { withForm: true });
      return reply.code(400).type(HTML).send(forgotPasswordPage(page, { problems }));
    }
    const result = await withTimeFloor(FORGOT_PASSWORD_FLOOR_MS, () =>
      deps.passwordRecovery.requestReset({ by: auditContext(request), email: parsed.data.email, locale: request.locale, ip: throttleKeyForIp(request.ip) }),
    );
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    return reply.type(HTML).send(resetLinkSentPage(pages.context(request, reply, 'page.recovery.title.forgot'), RESET_TOKEN_SECONDS / 60));
  });

  // ---- reset password -------------------------------------------------------------------

  const renderReset = (request: FastifyRequest, reply: FastifyReply, token: string, problems: { field?: string; message: string }[] = []) =>
    resetPasswordPage(pages.context(request, reply, 'page.recovery.title.reset', { withForm: true }), pages.meter, { token, problems });

  app.get('/reset-password', { config: { access: 'public' } }, async (request, reply) => {
    const fromLink = queryToken(request);
    if (fromLink !== undefined) {
      if (!isWellFormedRecoveryToken(fromLink)) return invalidLink(request, reply);
      return resetCookie.parkAndRedirect(reply, fromLink);
    }
    const token = resetCookie.read(request);
    if (!token) return invalidLink(request, reply);
    return reply.type(HTML).send(renderReset(request, reply, token));
  });

  app.post('/reset-password', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const sent = (request.body as Record<string, unknown> | undefined)?.token;
    if (!isWellFormedRecoveryToken(sent)) return invalidLink(request, reply);
    const parsed = resetForm.safeParse(request.body);
    if (!parsed.success) return reply.code(400).type(HTML).send(renderReset(request, reply, sent, formProblems(parsed.error, request.locale, RESET_REQUIRED)));
    const { token, password } = parsed.data;
    if (password === '') return reply.code(400).type(HTML).send(renderReset(request, reply, token, emptyFieldProblems(parsed.data, RESET_REQUIRED, request.locale)));
    const result = await deps.passwordRecovery.resetPassword({ by: auditContext(request), token, password, locale: request.locale });
    if (result.kind === 'invalid-token') return invalidLink(request, reply);
    if (result.kind === 'invalid') {
      const problems = problemLines(result.problems, request.locale).map((line) => ({ ...line, field: 'password' }));
      return reply.code(400).type(HTML).send(renderReset(request, reply, token, problems));
    }
    resetCookie.clear(reply);
    pages.flash(reply, 'password-reset');
    return reply.code(303).redirect('/login');
  });

  // ---- "this wasn't me" -----------------------------------------------------------------

  app.get('/secure-account', { config: { access: 'public' } }, async (request, reply) => {
    const fromLink = queryToken(request);
    if (fromLink !== undefined) {
      if (!isWellFormedRecoveryToken(fromLink)) return invalidLink(request, reply);
      return secureCookie.parkAndRedirect(reply, fromLink);
    }
    const token = secureCookie.read(request);
    if (!token) return invalidLink(request, reply);
    return reply.type(HTML).send(secureAccountPage(pages.context(request, reply, 'page.recovery.title.secure', { withForm: true }), { token }));
  });

  app.post('/secure-account', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = secureForm.safeParse(request.body);
    if (!parsed.success) return invalidLink(request, reply);
    const result = await deps.secureAccount.secureByToken({ by: auditContext(request), token: parsed.data.token, locale: request.locale, ip: throttleKeyForIp(request.ip) });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind !== 'secured') return invalidLink(request, reply);
    secureCookie.clear(reply);
    pages.flash(reply, 'account-secured');
    return reply.code(303).redirect('/login');
  });

  // ---- "secure my account" in the settings ------------------------------------------------

  const renderSettings = (request: FastifyRequest, reply: FastifyReply, problems: { field?: string; message: string }[] = []) =>
    secureSettingsPage({ ...pages.context(request, reply, 'page.recovery.title.secure'), user: request.auth!.user }, { problems });

  app.get('/settings/secure-account', { config: { access: 'signed-in' } }, async (request, reply) => reply.type(HTML).send(renderSettings(request, reply)));

  app.post('/settings/secure-account', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = secureSettingsForm.safeParse(request.body);
    if (!parsed.success) return reply.code(400).type(HTML).send(renderSettings(request, reply, formProblems(parsed.error, request.locale, SECURE_REQUIRED)));
    const empty = emptyFieldProblems(parsed.data, SECURE_REQUIRED, request.locale);
    if (empty.length > 0) return reply.code(400).type(HTML).send(renderSettings(request, reply, empty));
    const result = await deps.secureAccount.secureSignedIn({ by: auditContext(request),
      user: request.auth!.user,
      currentPassword: parsed.data.current_password,
      locale: request.locale,
      ip: throttleKeyForIp(request.ip),
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind !== 'secured') {
      return reply.code(400).type(HTML).send(renderSettings(request, reply, [{ field: 'current_password', message: formatMessage('detail.wrong_current_password', {}, request.locale) }]));
    }
    pages.flash(reply, 'account-secured');
    return reply.code(303).redirect('/login');
  });
}
