/**
 * JSON API v1 (registered under the `/api/v1` prefix, its own context): csrf, register,
 * login, logout, me, the OpenAPI document and its reference page. Same rules as the pages:
 * each route declares its access rule and CSRF stance (the header `X-CSRF-Token`), one
 * generic sign-in failure, throttling. Errors are the one `Error` shape from this context's
 * own handlers, 404 and 405 included: `{"error","message"}`, with `problems` (every problem,
 * each with its field) for invalid input and `field` for a conflict.
 *
 * Bodies are JSON only: this context removes the urlencoded parser the pages use, so an
 * HTML form (the one request shape a foreign site can send without a CORS preflight) gets
 * 415 before anything runs, and the document's single content type is the truth.
 */
import { auditContext } from '../audit-context.ts';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { describeProblem } from '../../messages/problems.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { errorResponse, registerErrorHandlers, sendError, type ErrorResponder } from '../error-handler.ts';
import type { PageTools } from '../pages/page-tools.ts';
import { createCsrfCheck, csrfTokenFor } from '../plugins/csrf.ts';
import { ensureSessionToken } from '../plugins/session.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { ALWAYS, errorResponses, finishDocument, jsonResponse, SECURITY, swaggerOptions } from './openapi.ts';
import { apiReferenceRoute } from './reference-page.ts';
import { recoveryApiRoutes } from './recovery-routes.ts';
import { sessionApiRoutes } from './session-routes.ts';
import { passkeyApiRoutes } from './passkey-routes.ts';
import { twoFactorApiRoutes } from './two-factor-routes.ts';
import { adminApiRoutes } from './admin-routes.ts';
import { adminOidcApiRoutes } from './admin-oidc-routes.ts';
import { csrfJson, type ErrorJson, loginBody, loginJson, meJson, registerBody, registeredJson, secondFactorJson, toUserJson } from './schemas.ts';
import { addressApiRoutes } from './address-routes.ts';
import { diagnosticsApiRoutes } from './diagnostics-routes.ts';

export interface ApiRoutesOptions {
  deps: Pick<HttpDependencies, 'secondStep' | 'twoFactor' | 'registration' | 'login' | 'keys' | 'isDatabaseUp' | 'emailVerification' | 'emailChange' | 'passwordRecovery' | 'secureAccount' | 'sessions' | 'audit' | 'reauthentication' | 'users' | 'userService' | 'auditReader' | 'userDirectory' | 'adminOverview' | 'passkeys' | 'oidc'>;
  config: Pick<Config, 'sessions' | 'passwords'>;
  /** The public URL, read when the document is served (PORT=0 knows it only once listening). */
  baseUrl: () => string;
  /** The pages' tools, for the reference page's layout; made here from `config` when absent. */
  pages?: PageTools;
}

/** The JSON body of an error; a CSRF failure also says how an API client gets a token. */
const respondJson: ErrorResponder = (request, reply, error) => {
  const body: ErrorJson = {
    error: error.code,
    message: error.code === 'csrf_failed' ? formatMessage('api.csrf_failed', {}, request.locale) : error.message,
    ...(error.problems ? { problems: error.problems } : {}),
    ...(error.field ? { field: error.field } : {}),
  };
  return reply.send(body);
};

export async function apiRoutes(parent: FastifyInstance, options: ApiRoutesOptions) {
  const { deps, config } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const signIn = { login: deps.login, cookie: config.sessions, secondStep: deps.secondStep };
  registerErrorHandlers(app, respondJson, deps.isDatabaseUp);
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  await app.register(swagger, swaggerOptions(config.sessions.cookieName));
  const document = () => finishDocument(app.swagger(), { baseUrl: options.baseUrl(), passwordMinLength: config.passwords.minLength });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => document());
  await app.register(apiReferenceRoute, { document, pages: options.pages, config, csrfKey: deps.keys.csrf });
  await app.register(recoveryApiRoutes, { deps });
  await app.register(sessionApiRoutes, { deps, cookie: config.sessions });
  await app.register(passkeyApiRoutes, { deps, cookie: config.sessions });
  await app.register(twoFactorApiRoutes, { deps, cookie: config.sessions });
  await app.register(adminApiRoutes, { deps });
  await app.register(diagnosticsApiRoutes);
  await app.register(adminOidcApiRoutes, { deps });

  app.get(
    '/csrf',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCsrfToken',
        tags: ['session'],
        summary: 'Get the CSRF token of this session',
        description:
          'Answers the token to send as `X-CSRF-Token` with this session cookie. Without a cookie, sets a new anonymous one (a pre-session, stored nowhere) for the token to bind to: call this first, with a cookie jar.',
        security: [{}, ...SECURITY.session],
        response: {
          200: jsonResponse(csrfJson, 'The token for the cookie sent, or for the new cookie set in `Set-Cookie`.'),
          ...errorResponses({ ...ALWAYS }),
        },
      },
    },
    async (request, reply) => {
      const token = ensureSessionToken(request, reply, config.sessions);
      return { csrfToken: csrfTokenFor(deps.keys.csrf, token) };
    },
  );

  app.post(
    '/register',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'registerAccount',
        tags: ['accounts'],
        summary: 'Create an account',
        description:
          'Creates a `user` account and mails a link to confirm its address. Does not sign in: call `POST /api/v1/login` next. Every problem is reported at once, each with its field. An email already in use gets exactly the answer a new account gets (nothing is created; the address’s owner is told by mail): only a taken username is said.',
        security: SECURITY.sessionAndCsrf,
        body: registerBody,
        response: {
          201: jsonResponse(registeredJson, 'Registered (or the address already had an account, which was mailed): not signed in. The same body either way.'),
          ...errorResponses({
            400: 'Invalid input: `invalid_input`, with every problem in `problems` (each with `field`, a stable `code` and a `message`): the body’s shape, the username and email rules, the password policy.',
            403: 'The CSRF check failed (`csrf_failed`: get a token with `GET /api/v1/csrf`), or registration is closed on this server (`registration_closed`).',
            409: 'The username is taken: `conflict`, with `field` `username`. A taken email is never a conflict.',
            413: true,
            415: true,
            429: 'Too many registration attempts or accounts from this client: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.registration.register(request.body, throttleKeyForIp(request.ip), request.locale, auditContext(request));
      if (result.kind === 'closed') throw new AuthError('registration_closed');
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind === 'invalid') {
        const problems = result.problems.map((problem) => ({ field: problem.field, code: problem.code, message: describeProblem(problem, request.locale) }));
        const invalid = errorResponse('invalid_input', { locale: request.locale });
        return sendError(request, reply, respondJson, { ...invalid, message: problems.map((p) => p.message).join(' '), problems });
      }
      if (result.kind === 'conflict') {
        const conflict = errorResponse('conflict', { detail: `detail.conflict_${result.field}`, locale: request.locale });
        return sendError(request, reply, respondJson, { ...conflict, field: result.field });
      }
      // A new account and a taken email answer alike: the submitted values, canonical.
      const { username, email } = result.kind === 'registered' ? result.user : result;
      return reply.code(201).send({ username, email, message: formatMessage('page.address.registered', {}, request.locale) });
    },
  );

  app.post(
    '/login',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'signIn',
        tags: ['session'],
        summary: 'Sign in',
        description:
          'Checks the credentials and starts a new session: the answer sets a new session cookie and carries its `csrfToken`; the cookie and token from before stop working (session fixation). A wrong password and an unknown user get the same answer.',
        security: SECURITY.sessionAndCsrf,
        body: loginBody,
        response: {
          200: jsonResponse(loginJson, 'Signed in: the new session cookie is in `Set-Cookie`, its CSRF token in `csrfToken`.'),
          202: jsonResponse(
            secondFactorJson,
            'The password is right and the account has two-factor sign-in on: no session yet. A pending sign-in (5 minutes) is in the `gatehouse_pending` cookie; send the code to POST /api/v1/login/two-factor.',
          ),
          ...errorResponses({
            400: true,
            401: 'Wrong username or password, or a disabled account (one answer for all): `invalid_credentials`.',
            403: true,
            413: true,
            415: true,
            429: 'Too many failed sign-ins for this account from this client, for this account, or from this client: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const outcome = await signInFromRequest(request, reply, signIn, { identifier: request.body.username, password: request.body.password });
      if (outcome.kind === 'rejected') throw new AuthError('invalid_credentials');
      if (outcome.kind === 'second-factor') return reply.code(202).send({ secondFactorRequired: true as const, methods: ['totp', 'recovery_code'] });
      const { user, token } = outcome.completed;
      return { user: toUserJson(user), csrfToken: csrfTokenFor(deps.keys.csrf, token) };
    },
  );

  // Sign-out checks CSRF itself (hence `exempt` from the blanket check) so that signing out
  // twice is not an error:
  //  - with a live session, the full check runs first, as for every other call: a forged
  //    sign-out of a real session is refused with 403 and ends nothing (v5.0.0-3.5.1);
  //  - without one (no cookie: the second sign-out; a cookie whose session ended or
  //    expired; an anonymous pre-session) there is nothing to end, so the answer is 204
  //    with or without a token. Only a request that passes the same check also clears the
  //    stale cookie; a forged one changes nothing at all, not even a cookie.
  const checkCsrf = createCsrfCheck({
    key: deps.keys.csrf,
    get origin() {
      return new URL(options.baseUrl()).origin;
    },
  });
  const passesCsrf = (request: FastifyRequest) => checkCsrf(request).then(() => true, () => false);

  app.post(
    '/logout',
    {
      config: { access: 'public', csrf: 'exempt' },
      preValidation: async function checkCsrfWhileSignedIn(request: FastifyRequest) {
        if (request.auth) await checkCsrf(request);
      },
      schema: {
        operationId: 'signOut',
        tags: ['session'],
        summary: 'Sign out',
        description:
          'Ends this session on the server and clears the cookie. Signing out when already signed out (a second call, an expired session, no cookie) is not an error: 204, and a token is then not needed.',
        security: [...SECURITY.sessionAndCsrf, {}],
        response: {
          204: z.null().describe('Signed out, or there was no live session to end. The cookie is cleared.'),
          ...errorResponses({
            403: 'Signed in, and the CSRF check failed: `csrf_failed`. The session goes on. Get the token with `GET /api/v1/csrf`.',
            ...ALWAYS,
          }),
        },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.auth || (await passesCsrf(request))) await signOutFromRequest(request, reply, signIn);
      return reply.code(204).send(null);
    },
  );

  addressApiRoutes(app, deps, respondJson);

  app.get(
    '/me',
    {
      config: { access: 'signed-in' },
      schema: {
        operationId: 'getCurrentUser',
        tags: ['session'],
        summary: 'Get the signed-in user',
        description: 'The account of this session, re-read from storage (role and disabled state are current).',
        security: SECURITY.session,
        response: {
          200: jsonResponse(meJson, 'The account this session belongs to.'),
          ...errorResponses({ 401: true, ...ALWAYS }),
        },
      },
    },
    async (request) => ({ user: toUserJson(request.auth!.user) }),
  );
}
