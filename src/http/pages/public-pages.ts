/**
 * Pages anyone may open: home, register, sign-in, sign-out, health. Routes stay thin: parse,
 * one domain call, render or redirect; each declares its access rule and CSRF stance.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../client-ip.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { formProblems, loginForm, registerForm } from './forms.ts';
import { firstGatePage } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { problemLines } from './problems.ts';
import { safeNextPath } from './safe-redirect.ts';
import { homePage, loginPage, registerPage } from './views/pages.ts';

export interface PublicPagesOptions {
  deps: Pick<HttpDependencies, 'registration' | 'login' | 'isDatabaseUp'>;
  config: Pick<Config, 'registration' | 'sessions'>;
  pages: PageTools;
}

export async function publicPages(app: FastifyInstance, options: PublicPagesOptions) {
  const { deps, config, pages } = options;
  const html = 'text/html; charset=utf-8';
  const signIn = { login: deps.login, cookie: config.sessions };
  const registerContext = (request: Parameters<PageTools['context']>[0], reply: Parameters<PageTools['context']>[1]) =>
    pages.context(request, reply, 'Register', { withForm: true, scripts: pages.meterScripts });

  app.get('/', { config: { access: 'public' } }, async (request, reply) => reply.type(html).send(homePage(pages.context(request, reply, 'Home'))));

  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => {
    const up = await deps.isDatabaseUp();
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable' });
  });

  app.get('/register', { config: { access: 'public' } }, async (request, reply) => {
    const closed = config.registration === 'closed';
    return reply.type(html).send(registerPage(registerContext(request, reply), pages.meter, { closed }));
  });

  app.post('/register', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = registerForm.safeParse(request.body);
    if (!parsed.success) {
      if (config.registration === 'closed') throw new AuthError('registration_closed');
      return reply.code(400).type(html).send(registerPage(registerContext(request, reply), pages.meter, { problems: formProblems(parsed.error, request.locale) }));
    }
    const { username, email } = parsed.data;
    const result = await deps.registration.register(parsed.data, throttleKeyForIp(request.ip));
    if (result.kind === 'closed') throw new AuthError('registration_closed');
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
    if (result.kind === 'invalid') {
      return reply.code(400).type(html).send(registerPage(registerContext(request, reply), pages.meter, { username, email, problems: problemLines(result.problems, request.locale) }));
    }
    if (result.kind === 'conflict') {
      const problems = [{ field: result.field, message: formatMessage(`detail.conflict_${result.field}`, {}, request.locale) }];
      return reply.code(400).type(html).send(registerPage(registerContext(request, reply), pages.meter, { username, email, problems }));
    }
    pages.flash(reply, 'registered');
    return reply.code(303).redirect('/login');
  });

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, unknown>).next, '');
    return reply.type(html).send(loginPage(pages.context(request, reply, 'Sign in', { withForm: true }), { next }));
  });

  app.post('/login', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    const parsed = loginForm.safeParse(request.body);
    const next = safeNextPath(parsed.success ? parsed.data.next : undefined);
    const page = () => pages.context(request, reply, 'Sign in', { withForm: true });
    if (!parsed.success) {
      return reply.code(400).type(html).send(loginPage(page(), { error: formProblems(parsed.error, request.locale)[0]!.message }));
    }
    const outcome = await signInFromRequest(request, reply, signIn, { identifier: parsed.data.username, password: parsed.data.password });
    if (outcome.kind === 'rejected') {
      const form = { username: parsed.data.username, next: parsed.data.next && next, error: formatMessage('error.invalid_credentials', {}, request.locale) };
      return reply.code(401).type(html).send(loginPage(page(), form));
    }
    return reply.code(303).redirect(firstGatePage(outcome.completed.user) ?? next);
  });

  app.post('/logout', { config: { access: 'public', csrf: 'required' } }, async (request, reply) => {
    await signOutFromRequest(request, reply, signIn);
    pages.flash(reply, 'signed-out');
    return reply.code(303).redirect('/');
  });
}
