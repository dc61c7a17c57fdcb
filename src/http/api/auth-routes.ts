/**
 * JSON API v1 (registered under the `/api/v1` prefix, its own context): csrf, register,
 * login, logout, me. Same rules as the pages: each route declares its access rule and CSRF
 * stance (the header `X-CSRF-Token`), one generic sign-in failure, throttling. Errors are
 * `{"error","message"}` from this context's own handlers, 404 and 405 included. The OpenAPI
 * document is built from these routes' zod schemas.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../client-ip.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { csrfTokenFor } from '../plugins/csrf.ts';
import { ensureSessionToken } from '../plugins/session.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { registerErrorHandlers } from '../error-handler.ts';
import { describeProblem } from '../../messages/problems.ts';
import { csrfJson, errorJson, loginBody, loginJson, meJson, registerBody, toUserJson } from './schemas.ts';

export interface ApiRoutesOptions {
  deps: Pick<HttpDependencies, 'registration' | 'login' | 'keys' | 'isDatabaseUp'>;
  config: Pick<Config, 'sessions'>;
  /** The public URL, read when the document is served (PORT=0 knows it only once listening). */
  baseUrl: () => string;
}

export async function apiRoutes(parent: FastifyInstance, options: ApiRoutesOptions) {
  const { deps, config } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const signIn = { login: deps.login, cookie: config.sessions };
  registerErrorHandlers(app, (_request, reply, error) => reply.send({ error: error.code, message: error.message }), deps.isDatabaseUp);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse API', version: '1.0.0', description: 'Authentication API. State-changing calls send X-CSRF-Token.' },
      servers: [{ url: options.baseUrl() }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: config.sessions.cookieName },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  const errors = { 400: errorJson, 401: errorJson, 403: errorJson, 409: errorJson, 413: errorJson, 415: errorJson, 429: errorJson };

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ ...app.swagger(), servers: [{ url: options.baseUrl() }] }));

  app.get('/csrf', { config: { access: 'public' }, schema: { summary: 'CSRF token for this session', response: { 200: csrfJson } } }, async (request, reply) => {
    const token = ensureSessionToken(request, reply, config.sessions);
    return { csrfToken: csrfTokenFor(deps.keys.csrf, token) };
  });

  app.post(
    '/register',
    {
      config: { access: 'public', csrf: 'required' },
      schema: { summary: 'Create an account', body: registerBody, response: { 201: meJson, ...errors } },
    },
    async (request, reply) => {
      const result = await deps.registration.register(request.body, throttleKeyForIp(request.ip));
      if (result.kind === 'closed') throw new AuthError('registration_closed');
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind === 'invalid') {
        const problems = result.problems.map((problem) => ({ field: problem.field, code: problem.code, message: describeProblem(problem, request.locale) }));
        return reply.code(400).send({ error: 'invalid_input', message: problems.map((p) => p.message).join(' '), problems });
      }
      if (result.kind === 'conflict') throw new AuthError('conflict', { detail: `detail.conflict_${result.field}` });
      return reply.code(201).send({ user: toUserJson(result.user) });
    },
  );

  app.post(
    '/login',
    {
      config: { access: 'public', csrf: 'required' },
      schema: { summary: 'Sign in; sets a new session cookie', body: loginBody, response: { 200: loginJson, ...errors } },
    },
    async (request, reply) => {
      const outcome = await signInFromRequest(request, reply, signIn, { identifier: request.body.username, password: request.body.password });
      if (outcome.kind === 'rejected') throw new AuthError('invalid_credentials');
      const { user, token } = outcome.completed;
      return { user: toUserJson(user), csrfToken: csrfTokenFor(deps.keys.csrf, token) };
    },
  );

  app.post(
    '/logout',
    { config: { access: 'public', csrf: 'required' }, schema: { summary: 'End this session', response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await signOutFromRequest(request, reply, signIn);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { config: { access: 'signed-in' }, schema: { summary: 'The signed-in user', response: { 200: meJson, 401: errorJson } } },
    async (request) => ({ user: toUserJson(request.auth!.user) }),
  );
}
