/**
 * The signed-in user's sessions, as JSON (the API twin of /settings/sessions): list them by
 * public id (never the token or its hash) with a readable device, and end one of one's own.
 * Another user's public id is 404 and ends nothing (ASVS v5.0.0-7.5.2, v5.0.0-8.2.2).
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deviceName } from '../../domain/devices/device-name.ts';
import { AuthError } from '../../domain/errors.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { clearSessionCookie } from '../plugins/session.ts';
import type { SessionConfig } from '../../config.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import { errorResponse, sendError } from '../error-handler.ts';
import { textField } from '../text-field.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';
import type { ErrorJson } from './schemas.ts';

const sessionJson = z
  .object({
    id: z.string().describe('The public id of the session: neither its token nor the hash of the token.'),
    current: z.boolean().describe('True for the session that made this request.'),
    createdAt: z.string().meta({ format: 'date-time' }).describe('When the session began (its sign-in).'),
    lastSeenAt: z.string().meta({ format: 'date-time' }).describe('Its last request, to within a minute.'),
    ip: z.string().describe('The client address the session was started from.'),
    browser: z.string().nullable().describe('Browser and major version, from the user agent (null when unknown).'),
    os: z.string().nullable().describe('Operating system, from the user agent (null when unknown).'),
  })
  .meta({ id: 'Session' });

const sessionsJson = z.object({ sessions: z.array(sessionJson) });
const sudoBody = z
  .object({ current_password: textField(4096).meta({ maxLength: 256, description: 'The signed-in user’s current password.' }) })
  .strict()
  .meta({ description: 'The current password, confirming that the holder of this session is its owner.' });
const sessionParams = z.object({ id: z.string().min(1).max(64).describe('A public session id from GET /api/v1/sessions.') });

export async function sessionApiRoutes(parent: FastifyInstance, options: { deps: Pick<HttpDependencies, 'sessions' | 'audit' | 'reauthentication'>; cookie: SessionConfig }) {
  const { deps, cookie } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/sessions',
    {
      config: { access: 'signed-in' },
      schema: {
        operationId: 'listSessions',
        tags: ['session'],
        summary: 'List my sessions',
        description: 'Every live session of the signed-in user, newest first; the current one is marked.',
        security: SECURITY.session,
        response: { 200: jsonResponse(sessionsJson, 'The live sessions of this account.'), ...errorResponses({ 401: true, ...ALWAYS }) },
      },
    },
    async (request) => {
      const listed = await deps.sessions.listSessions(request.auth!.user, request.sessionToken);
      return {
        sessions: listed.map((session) => ({
          id: session.publicId,
          current: session.current,
          createdAt: session.createdAt.toISOString(),
          lastSeenAt: session.lastSeenAt.toISOString(),
          ip: session.ip,
          ...deviceName(session.userAgent),
        })),
      };
    },
  );

  app.post(
    '/sudo',
    {
      config: { access: 'signed-in', csrf: 'required' },
      schema: {
        operationId: 'confirmPassword',
        tags: ['session'],
        summary: 'Confirm the password (sudo mode)',
        description:
          'Sensitive calls (changing the email address, and every admin action on accounts) answer 403 `reauthentication_required` when this session last authenticated more than SUDO_SECONDS ago (10 minutes by default). Confirm the password here, then repeat the call.',
        security: SECURITY.sessionAndCsrf,
        body: sudoBody,
        response: {
          204: z.null().describe('Confirmed: sensitive calls are open to this session for SUDO_SECONDS.'),
          ...errorResponses({
            400: 'Invalid input, or the password is wrong: `invalid_input` (with `field: current_password` for a wrong password).',
            401: true,
            403: true,
            413: true,
            415: true,
            429: 'Too many wrong passwords for this account: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.reauthentication.reauthenticate({
        user: request.auth!.user,
        sessionToken: request.sessionToken!,
        currentPassword: request.body.current_password,
        ip: throttleKeyForIp(request.ip),
        by: auditContext(request),
      });
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind === 'wrong-current-password') {
        const wrong = errorResponse('invalid_input', { detail: 'detail.wrong_current_password', locale: request.locale });
        sendError(request, reply, (_request, sent, failure) => sent.send({ error: failure.code, message: failure.message, field: 'current_password' } satisfies ErrorJson), wrong);
        return reply;
      }
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/sessions/:id',
    {
      config: { access: 'signed-in', csrf: 'required' },
      schema: {
        operationId: 'endSession',
        tags: ['session'],
        summary: 'End one of my sessions',
        description: 'Ends the session with that public id, if it is one of the signed-in user\u2019s own; ending the current one signs this client out.',
        security: SECURITY.sessionAndCsrf,
        params: sessionParams,
        response: {
          204: z.null().describe('The session is ended.'),
          ...errorResponses({ 401: true, 403: true, 404: 'No session of this account has that id: `not_found`.', ...ALWAYS }),
        },
      },
    },
    async (request, reply) => {
      const { user, session } = request.auth!;
      if (!(await deps.sessions.endSessionByPublicId(user.id, request.params.id))) throw new AuthError('not_found');
      await deps.audit.record({ type: 'session.revoked', outcome: 'success', targetUserId: user.id, details: { scope: 'one' } }, auditContext(request));
      if (session.publicId === request.params.id) clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );
}
