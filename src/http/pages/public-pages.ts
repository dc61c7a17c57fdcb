/** Pages anyone may open: home, register, sign-in, sign-out, health. Routes stay thin. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import { AuthError, ERROR_MESSAGES } from '../../domain/errors.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { throttleKeyForIp } from '../client-ip.ts';
import { consumeOrRefuse } from '../plugins/throttle.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { formProblems, loginForm, registerForm } from './forms.ts';
import type { PageTools } from './page-tools.ts';
import { safeNextPath } from './safe-redirect.ts';
import { homePage, loginPage, registerPage } from './views/pages.ts';
import { CONFLICT_MESSAGES } from '../../domain/users/user-service.ts';

export async function publicPages(app: FastifyInstance, options: { deps: HttpDependencies; config: Config; pages: PageTools }) {
  const { deps, config, pages } = options;
  const html = 'text/html; charset=utf-8';

  app.get('/', async (request, reply) => reply.type(html).send(homePage(pages.context(request, reply, 'Home'))));

  app.get('/healthz', async (_request, reply) => {
    const up = await deps.isDatabaseUp();
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable' });
  });

  app.get('/register', async (request, reply) => {
    const closed = config.registration === 'closed';
    return reply.type(html).send(registerPage(pages.context(request, reply, 'Register', { withForm: true, scripts: pages.meterScripts }), pages.meter, { closed }));
  });

  app.post('/register', async (request, reply) => {
    if (config.registration === 'closed') throw new AuthError('registration_closed');
    const page = () => pages.context(request, reply, 'Register', { withForm: true, scripts: pages.meterScripts });
    const parsed = registerForm.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).type(html).send(registerPage(page(), pages.meter, { problems: formProblems(parsed.error) }));
    }
    const { username, email } = parsed.data;
    await consumeOrRefuse(deps.throttle, 'register-ip', throttleKeyForIp(request.ip));
    const result = await deps.userService.registerUser(parsed.data);
    if (result.kind === 'invalid') {
      return reply.code(400).type(html).send(registerPage(page(), pages.meter, { username, email, problems: result.problems }));
    }
    if (result.kind === 'conflict') {
      const problems = [{ message: CONFLICT_MESSAGES[result.field] }];
      return reply.code(400).type(html).send(registerPage(page(), pages.meter, { username, email, problems }));
    }
    pages.flash(reply, 'registered');
    return reply.code(303).redirect('/login');
  });

  app.get('/login', async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, unknown>).next, '');
    return reply.type(html).send(loginPage(pages.context(request, reply, 'Sign in', { withForm: true }), { next }));
  });

  app.post('/login', async (request, reply) => {
    const parsed = loginForm.safeParse(request.body);
    const next = safeNextPath(parsed.success ? parsed.data.next : undefined);
    if (!parsed.success) {
      return reply.code(400).type(html).send(loginPage(pages.context(request, reply, 'Sign in', { withForm: true }), { error: formProblems(parsed.error)[0]!.message }));
    }
    const result = await signInFromRequest(request, reply, deps, config.sessions, {
      identifier: parsed.data.username,
      password: parsed.data.password,
    });
    if (result.kind === 'rejected') {
      const form = { username: parsed.data.username, next: parsed.data.next && next, error: ERROR_MESSAGES.invalid_credentials };
      return reply.code(401).type(html).send(loginPage(pages.context(request, reply, 'Sign in', { withForm: true }), form));
    }
    return reply.code(303).redirect(result.mustChangePassword ? '/settings/password' : next);
  });

  app.post('/logout', async (request, reply) => {
    await signOutFromRequest(request, reply, deps, config.sessions);
    pages.flash(reply, 'signed-out');
    return reply.code(303).redirect('/');
  });
}
