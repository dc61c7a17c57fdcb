/**
 * Pages anyone may open: home, register, sign-in, sign-out, health, and the password
 * managers' `/.well-known/change-password`. Routes stay thin: parse, one domain call, render
 * or redirect; each declares its access rule and CSRF stance. A signed-in user asking for the
 * sign-in or register form goes to the dashboard instead (CONTRACT).
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { emptyFieldProblems, formProblems, LOGIN_REQUIRED, loginForm, REGISTER_REQUIRED, registerForm, withEmptyFieldsAsked } from './forms.ts';
import { firstGatePage } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { problemLines } from './problems.ts';
import { DEFAULT_AFTER_LOGIN, safeNextPath } from './safe-redirect.ts';
import { type LoginForm, loginPage, type RegisterForm, registerPage } from './views/form-views.ts';
import { homePage } from './views/home-view.ts';
import { signOutPage } from './views/session-views.ts';
import { passkeyScripts } from './passkey-pages.ts';
import { allowedReturnUrl, returnTarget } from '../forward-auth/return-target.ts';
import { setProxyCookie } from '../plugins/session.ts';

export interface PublicPagesOptions {
  deps: Pick<HttpDependencies, 'registration' | 'login' | 'isDatabaseUp' | 'secondStep' | 'sessions'>;
  config: Pick<Config, 'registration' | 'sessions'>;
  pages: PageTools;
}

const HTML = 'text/html; charset=utf-8';

/** `rd` of the sign-out link and form: followed only inside FORWARD_AUTH_DOMAINS (return-target.ts). */
const signOutReturn = z.object({ rd: z.string().max(4096).optional() });

function signOutReturnUrl(request: FastifyRequest, value: unknown): string | undefined {
  const parsed = signOutReturn.safeParse(value);
  return parsed.success ? allowedReturnUrl(request.server, parsed.data.rd) : undefined;
}

/** The register page with `form` (also what the error responder re-renders). */
export function renderRegister(pages: PageTools, request: FastifyRequest, reply: FastifyReply, form: RegisterForm): string {
  return registerPage(pages.context(request, reply, 'page.title.register', { withForm: true, scripts: pages.meterScripts }), pages.meter, form);
}

/** The sign-in page with `form` (also what the error responder re-renders). */
export function renderLogin(pages: PageTools, request: FastifyRequest, reply: FastifyReply, form: LoginForm): string {
  return loginPage(pages.context(request, reply, 'page.title.login', { withForm: true, scripts: passkeyScripts(pages) }), form);
}

/** A string field of the parsed body, if it is one (what a re-rendered form keeps). */
export function typed(body: unknown, name: string): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value.length <= 320 ? value : undefined;
}

export async function publicPages(app: FastifyInstance, options: PublicPagesOptions) {
  const { deps, config, pages } = options;
  const signIn = { login: deps.login, cookie: config.sessions, secondStep: deps.secondStep };

  app.get('/', { config: { access: 'public' } }, async (request, reply) =>
    reply.type(HTML).send(homePage(pages.context(request, reply, 'page.title.home'), pages.meter)),
  );

  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => {
    const up = await deps.isDatabaseUp();
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable' });
  });

  // Password managers look here for the change-password page (W3C "A Well-Known URL for
  // Changing Passwords"); signed out, the page itself sends the visitor to sign in first.
  app.get('/.well-known/change-password', { config: { access: 'public' } }, async (_request, reply) => reply.code(303).redirect('/settings/password'));

  app.get('/register', { config: { access: 'public' } }, async (request, reply) => {
    if (request.auth) return reply.code(303).redirect(DEFAULT_AFTER_LOGIN);
    return reply.type(HTML).send(renderRegister(pages, request, reply, { closed: config.registration === 'closed' }));
  });

  app.post('/register', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = registerForm.safeParse(request.body);
    const kept = { username: typed(request.body, 'username'), email: typed(request.body, 'email') };
    if (!parsed.success) {
      if (config.registration === 'closed') throw new AuthError('registration_closed');
      const problems = formProblems(parsed.error, request.locale, REGISTER_REQUIRED);
      return reply.code(400).type(HTML).send(renderRegister(pages, request, reply, { ...kept, problems }));
    }
    const result = await deps.registration.register(parsed.data, throttleKeyForIp(request.ip), request.locale, auditContext(request));
    if (result.kind === 'closed') throw new AuthError('registration_closed');
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'invalid') {
      const problems = withEmptyFieldsAsked(problemLines(result.problems, request.locale), parsed.data, REGISTER_REQUIRED, request.locale);
      return reply.code(400).type(HTML).send(renderRegister(pages, request, reply, { ...kept, problems }));
    }
    if (result.kind === 'conflict') {
      const problems = [{ field: result.field, message: formatMessage(`detail.conflict_${result.field}`, {}, request.locale) }];
      return reply.code(400).type(HTML).send(renderRegister(pages, request, reply, { ...kept, problems }));
    }
    pages.flash(reply, 'registered');
    return reply.code(303).redirect('/login');
  });

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    // `rd` (forward-auth): an absolute URL inside FORWARD_AUTH_DOMAINS, carried as `next`.
    const rd = allowedReturnUrl(request.server, query.rd);
    if (request.auth) {
      // Signed in already: straight on to the allowed `rd`, with a fresh proxy cookie (issue #13).
      if (rd === undefined) return reply.code(303).redirect(DEFAULT_AFTER_LOGIN);
      const proxyToken = config.sessions.proxyCookie && request.sessionToken ? await deps.sessions.mintProxyToken(request.sessionToken) : undefined;
      if (proxyToken) setProxyCookie(reply, config.sessions, proxyToken);
      return reply.code(303).redirect(rd);
    }
    const next = rd ?? safeNextPath(query.next, '');
    return reply.type(HTML).send(renderLogin(pages, request, reply, { next }));
  });

  app.post('/login', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = loginForm.safeParse(request.body);
    const next = returnTarget(request.server, parsed.success ? (parsed.data.rd ?? parsed.data.next) : undefined);
    if (!parsed.success) {
      const problems = formProblems(parsed.error, request.locale, LOGIN_REQUIRED);
      return reply.code(400).type(HTML).send(renderLogin(pages, request, reply, { username: typed(request.body, 'username'), problems }));
    }
    const form = { username: parsed.data.username, next: (parsed.data.next || parsed.data.rd) && next };
    // Nothing to check yet: no attempt is counted for a form sent half-empty.
    const empty = emptyFieldProblems(parsed.data, LOGIN_REQUIRED, request.locale);
    if (empty.length > 0) return reply.code(400).type(HTML).send(renderLogin(pages, request, reply, { ...form, problems: empty }));
    const outcome = await signInFromRequest(request, reply, signIn, { identifier: parsed.data.username, password: parsed.data.password, next: parsed.data.next || parsed.data.rd ? next : null });
    // Two-factor on: the password was right; the code comes next (two-factor-pages.ts).
    if (outcome.kind === 'second-factor') return reply.code(303).redirect('/login/two-factor');
    if (outcome.kind === 'rejected') {
      // One sentence for every refusal, not tied to a field: which one was wrong stays unsaid.
      const problems = [{ message: formatMessage('error.invalid_credentials', {}, request.locale) }];
      return reply.code(401).type(HTML).send(renderLogin(pages, request, reply, { ...form, problems }));
    }
    return reply.code(303).redirect(firstGatePage(outcome.completed.user) ?? next);
  });

  /*
   * Sign-out keeps `csrf: 'required'`. With a live session a forged cross-site POST would
   * sign the user out (logout CSRF: a nuisance, and a step in session-swapping attacks), and
   * the check costs a legitimate tab nothing. Without a live session there is nothing to
   * protect: a stale tab, or a second click, fails the check (its token is bound to a session
   * that is gone) and the pages' error responder answers 303 to `/` instead of a 403, having
   * changed nothing (error-responder.ts). Signing out an absent session is harmless, so that
   * path needs no token; the signed-in path always does.
   */
  app.post('/logout', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const rd = signOutReturnUrl(request, request.body);
    await signOutFromRequest(request, reply, signIn);
    if (rd) return reply.code(303).redirect(rd);
    pages.flash(reply, 'signed-out');
    return reply.code(303).redirect('/');
  });

  /*
   * GET /logout?rd=<url>: the sign-out link an application behind forward-auth can offer (as
   * Authelia's /logout?rd=). A GET changes nothing, so it is a confirmation page whose form is
   * the POST above; after it the browser goes to `rd` when that is inside FORWARD_AUTH_DOMAINS,
   * else home. Signed out already: straight on.
   */
  app.get('/logout', { config: { access: 'public' } }, async (request, reply) => {
    const rd = signOutReturnUrl(request, request.query);
    if (!request.auth) return reply.code(303).redirect(rd ?? '/');
    const page = { ...pages.context(request, reply, 'page.logout.title'), user: request.auth.user };
    return reply.type(HTML).send(signOutPage(page, { rd }));
  });
}
