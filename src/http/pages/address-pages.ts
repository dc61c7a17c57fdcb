/**
 * The address pages (issue #10): `/verify-email` (GET shows a confirm button and changes
 * nothing, since mail scanners open links; POST `token` acts), `/verify-email/resend` (a new
 * link: the signed-in user's, or by address with one answer for every address), and
 * `/settings/email` (a change needs the current password; it takes effect when the link
 * mailed to the new address is followed). A link's token leaves the URL at once
 * (link-token.ts: a page-scoped cookie and a 303 under `no-referrer`), so it never leaves in
 * a `Referer`, and the confirm form is posted with a real Origin.
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import type { ErrorResponder } from '../error-handler.ts';
import { textField } from '../text-field.ts';
import { emptyFieldProblems, formProblems, type RequiredMessages } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import { typed } from './public-pages.ts';
import { changeEmailPage, type ChangeEmailForm, confirmEmailPage, linkProblemPage, resendPage, unverifiedSignInPage } from './views/address-views.ts';
import { VERIFY_EMAIL_TOKEN_SECONDS } from '../../domain/users/email-verification.ts';
import { isWellFormedLinkToken, linkCookie, queryToken } from './link-token.ts';
import type { SessionConfig } from '../../config.ts';

const HTML = 'text/html; charset=utf-8';


const tokenForm = z.object({ token: textField(200) });
const resendFormSchema = z.object({ email: textField(320).optional() });
const changeEmailForm = z.object({ email: textField(320), current_password: textField(4096), username: textField(320).optional() });
const CHANGE_EMAIL_REQUIRED: RequiredMessages = { email: 'page.form.required.email', current_password: 'page.form.required.current_password' };

function noReferrer(reply: FastifyReply): FastifyReply {
  return reply.header('referrer-policy', 'no-referrer');
}

/** The pages' error responder, with the unverified sign-in's own 403 page (server.ts wraps it). */
export function withUnverifiedSignInPage(responder: ErrorResponder, pages: PageTools): ErrorResponder {
  return (request, reply, error) => {
    if (error.code !== 'email_unverified') return responder(request, reply, error);
    return reply.type(HTML).send(unverifiedSignInPage(pages.context(request, reply, 'page.address.unverified_title', { withForm: true }), error.message));
  };
}

export function renderChangeEmail(pages: PageTools, request: FastifyRequest, reply: FastifyReply, form: ChangeEmailForm = {}): string {
  const page = { ...pages.context(request, reply, 'page.address.change_title'), user: request.auth!.user };
  return changeEmailPage(page, form);
}

export async function addressPages(
  app: FastifyInstance,
  options: { deps: Pick<HttpDependencies, 'emailVerification' | 'emailChange'>; pages: PageTools; sessions: SessionConfig },
) {
  const { deps, pages } = options;
  const verifyCookie = linkCookie('/verify-email', options.sessions, VERIFY_EMAIL_TOKEN_SECONDS);
  const invalidVerifyLink = (request: FastifyRequest, reply: FastifyReply) =>
    noReferrer(reply)
      .code(400)
      .type(HTML)
      .send(linkProblemPage(pages.context(request, reply, 'page.address.link_problem_title'), formatMessage('page.address.link_invalid', {}, request.locale)));

  // The link's token leaves the URL first (link-token.ts): with `no-referrer` on the form
  // page itself, browsers would post `Origin: null` and the CSRF check would refuse it.
  app.get('/verify-email', { config: { access: 'public' } }, async (request, reply) => {
    const fromLink = queryToken(request);
    if (fromLink !== undefined) {
      if (!isWellFormedLinkToken(fromLink)) return invalidVerifyLink(request, reply);
      return verifyCookie.parkAndRedirect(reply, fromLink);
    }
    const token = verifyCookie.read(request);
    if (!token) return invalidVerifyLink(request, reply);
    return reply.type(HTML).send(confirmEmailPage(pages.context(request, reply, 'page.address.confirm_title', { withForm: true }), token));
  });

  app.post('/verify-email', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    noReferrer(reply);
    const parsed = tokenForm.safeParse(request.body);
    const result = parsed.success && parsed.data.token !== '' ? await deps.emailVerification.confirm(parsed.data.token, auditContext(request)) : { kind: 'invalid' as const };
    if (result.kind === 'invalid' || result.kind === 'address-taken') {
      const message = formatMessage(result.kind === 'invalid' ? 'page.address.link_invalid' : 'page.address.address_taken', {}, request.locale);
      return reply
        .code(result.kind === 'invalid' ? 400 : 409)
        .type(HTML)
        .send(linkProblemPage(pages.context(request, reply, 'page.address.link_problem_title'), message));
    }
    verifyCookie.clear(reply);
    pages.flash(reply, result.kind === 'verified' ? 'email-verified' : 'email-changed');
    return reply.code(303).redirect(request.auth ? '/dashboard' : '/login');
  });

  app.get('/verify-email/resend', { config: { access: 'public' } }, async (request, reply) =>
    reply.type(HTML).send(resendPage(pages.context(request, reply, 'page.address.resend_title', { withForm: true }), {})),
  );

  app.post('/verify-email/resend', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const ipKey = throttleKeyForIp(request.ip);
    if (request.auth) {
      const result = await deps.emailVerification.resendForUser(request.auth.user, request.locale, ipKey);
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      pages.flash(reply, result.kind === 'sent' ? 'verification-sent' : 'email-verified');
      return reply.code(303).redirect('/dashboard');
    }
    const parsed = resendFormSchema.safeParse(request.body);
    const email = parsed.success ? (parsed.data.email ?? '') : '';
    const context = () => pages.context(request, reply, 'page.address.resend_title', { withForm: true });
    if (!parsed.success || email === '') {
      const problems = parsed.success ? emptyFieldProblems({ email }, { email: 'page.form.required.email' }, request.locale) : formProblems(parsed.error, request.locale);
      return reply.code(400).type(HTML).send(resendPage(context(), { email: typed(request.body, 'email'), problems }));
    }
    const result = await deps.emailVerification.resendForAddress(email, request.locale, ipKey);
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    return reply.type(HTML).send(resendPage(context(), { sent: true }));
  });

  app.get('/settings/email', { config: { access: 'signed-in', sudo: 'required' } }, async (request, reply) => reply.type(HTML).send(renderChangeEmail(pages, request, reply)));

  app.post('/settings/email', { config: { access: 'signed-in', csrf: 'required', sudo: 'required' } }, async (request, reply) => {
    const kept = typed(request.body, 'email');
    const refuse = (status: number, problems: { field?: string; message: string }[]) =>
      reply.code(status).type(HTML).send(renderChangeEmail(pages, request, reply, { email: kept, problems }));
    const parsed = changeEmailForm.safeParse(request.body);
    if (!parsed.success) return refuse(400, formProblems(parsed.error, request.locale, CHANGE_EMAIL_REQUIRED));
    const empty = emptyFieldProblems(parsed.data, CHANGE_EMAIL_REQUIRED, request.locale);
    if (empty.length > 0) return refuse(400, empty);
    const result = await deps.emailChange.requestEmailChange({ by: auditContext(request),
      user: request.auth!.user,
      newEmail: parsed.data.email,
      currentPassword: parsed.data.current_password,
      locale: request.locale,
    });
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'wrong-current-password') {
      return refuse(400, [{ field: 'current_password', message: formatMessage('detail.wrong_current_password', {}, request.locale) }]);
    }
    if (result.kind === 'invalid') return refuse(400, [{ field: 'email', message: formatMessage(`page.address.${result.code}`, {}, request.locale) }]);
    pages.flash(reply, 'email-change-sent');
    return reply.code(303).redirect('/settings/email');
  });
}
