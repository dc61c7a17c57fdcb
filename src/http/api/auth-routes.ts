/**
 * JSON API v1: csrf, register, login, logout, me. Same rules as the pages: CSRF header on
 * every state-changing call, one generic sign-in failure, throttling, errors as
 * `{"error","message"}`. The OpenAPI document is built from these routes' zod schemas.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../client-ip.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { requireSignedInApi } from '../plugins/guards.ts';
import { csrfTokenFor } from '../plugins/csrf.ts';
import { ensureSessionToken } from '../plugins/session.ts';
import { consumeOrRefuse } from '../plugins/throttle.ts';
import { signInFromRequest, signOutFromRequest } from '../sign-in.ts';
import { csrfJson, errorJson, loginBody, loginJson, meJson, registerBody, toUserJson } from './schemas.ts';
import { CONFLICT_MESSAGES } from '../../domain/users/user-service.ts';

export async function apiRoutes(parent: FastifyInstance, options: { deps: HttpDependencies; config: Config }) {
  const { deps, config } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse API', version: '1.0.0', description: 'Authentication API. State-changing calls send X-CSRF-Token.' },
      servers: [{ url: config.baseUrl }],
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

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/api/v1/csrf', { schema: { summary: 'CSRF token for this session', response: { 200: csrfJson } } }, async (request, reply) => {
    const token = ensureSessionToken(request, reply, config.sessions);
    return { csrfToken: csrfTokenFor(deps.keys.csrf, token) };
  });

  app.post(
    '/api/v1/register',
    { schema: { summary: 'Create an account', body: registerBody, response: { 201: meJson, ...errors } } },
    async (request, reply) => {
      if (config.registration === 'closed') throw new AuthError('registration_closed');
      await consumeOrRefuse(deps.throttle, 'register-ip', throttleKeyForIp(request.ip));
      const result = await deps.userService.registerUser(request.body);
      if (result.kind === 'invalid') {
        return reply.code(400).send({ error: 'invalid_input', message: result.problems.map((p) => p.message).join(' '), problems: result.problems });
      }
      if (result.kind === 'conflict') {
        throw new AuthError('conflict', { message: CONFLICT_MESSAGES[result.field] });
      }
      return reply.code(201).send({ user: toUserJson(result.user) });
    },
  );

  app.post(
    '/api/v1/login',
    { schema: { summary: 'Sign in; sets a new session cookie', body: loginBody, response: { 200: loginJson, ...errors } } },
    async (request, reply) => {
      const result = await signInFromRequest(request, reply, deps, config.sessions, {
        identifier: request.body.username,
        password: request.body.password,
      });
      if (result.kind === 'rejected') throw new AuthError('invalid_credentials');
      return { user: toUserJson(result.user), csrfToken: csrfTokenFor(deps.keys.csrf, result.token) };
    },
  );

  app.post('/api/v1/logout', { schema: { summary: 'End this session', response: { 204: z.null(), ...errors } } }, async (request, reply) => {
    await signOutFromRequest(request, reply, deps, config.sessions);
    return reply.code(204).send(null);
  });

  app.get(
    '/api/v1/me',
    { preHandler: requireSignedInApi, schema: { summary: 'The signed-in user', response: { 200: meJson, 401: errorJson } } },
    async (request) => ({ user: toUserJson(request.auth!.user) }),
  );
}
