/**
 * Two-factor sign-in as JSON (issue #12), the twin of two-factor-pages.ts: the second step of
 * a sign-in (`POST /login/two-factor`, after `POST /login` answered 202 with a pending state in
 * its cookie) and the settings (status, enrolment, confirmation with the recovery codes,
 * turning it off, new recovery codes). The settings calls are sensitive: sudo mode.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { errorResponse, sendError } from '../error-handler.ts';
import { csrfTokenFor } from '../plugins/csrf.ts';
import { finishSignIn, readPendingToken, signInClient } from '../sign-in.ts';
import { textField } from '../text-field.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';
import { type ErrorJson, loginJson, toUserJson } from './schemas.ts';

const codeBody = z.object({ code: textField(64).meta({ maxLength: 64, description: 'A current six-digit code from the authenticator app, or an unused recovery code.' }) }).strict();
const codeAndPassword = z
  .object({
    code: textField(64).meta({ maxLength: 64, description: 'A current six-digit code (or, to turn it off, a recovery code).' }),
    current_password: textField(4096).meta({ maxLength: 256, description: 'The signed-in user’s current password.' }),
  })
  .strict();
const statusJson = z.object({ enabled: z.boolean().describe('Two-factor sign-in is on.'), recoveryCodesLeft: z.number().int().describe('Unused recovery codes.') });
const enrolmentJson = z.object({
  secret: z.string().describe('The new TOTP secret in base32 (160 bits), shown once: put it in an authenticator app, then confirm with a code.'),
  otpauthUri: z.string().describe('The same secret as an otpauth:// URI (what the QR code on the page holds).'),
});
const codesJson = z.object({ recoveryCodes: z.array(z.string()).describe('Ten single-use recovery codes, shown only in this answer (stored hashed).') });
const SETTINGS_ERRORS = { 400: true, 401: true, 403: 'Not signed in recently enough (`reauthentication_required`: POST /api/v1/sudo first), or a CSRF failure.', 413: true, 415: true, ...ALWAYS } as const;

export async function twoFactorApiRoutes(parent: FastifyInstance, options: { deps: Pick<HttpDependencies, 'twoFactor' | 'secondStep' | 'keys'>; cookie: SessionConfig }) {
  const { deps, cookie } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const codeAndPasswordInput = (request: FastifyRequest, body: z.infer<typeof codeAndPassword>) => ({
    user: request.auth!.user,
    code: body.code,
    currentPassword: body.current_password,
    ip: throttleKeyForIp(request.ip),
    by: auditContext(request),
    locale: request.locale,
  });

  /** A refused enrolment or turning off: 429 when throttled, else a 400 naming the field that was wrong. */
  function refuse(request: FastifyRequest, reply: FastifyReply, result: { kind: string; retryAfterSeconds?: number }, wrongCode: 'page.second_step.wrong' | 'page.two_factor.wrong_code') {
    if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds ?? 60 });
    const refused = result.kind === 'wrong-current-password' ? invalid(request, 'detail.wrong_current_password', 'current_password') : invalid(request, wrongCode, 'code');
    sendError(request, reply, (_request, sent, failure) => sent.send({ error: failure.code, message: failure.message, field: refused.field } satisfies ErrorJson), refused.error);
    return reply;
  }

  /** A 400 naming the field that was wrong. */
  const invalid = (request: FastifyRequest, detail: 'page.second_step.wrong' | 'page.second_step.replayed' | 'page.two_factor.wrong_code' | 'detail.wrong_current_password', field: string) => ({
    error: errorResponse('invalid_input', { detail, locale: request.locale }),
    field,
  });

  app.post(
    '/login/two-factor',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'completeSecondFactor',
        tags: ['session'],
        summary: 'Finish a two-factor sign-in',
        description:
          'After `POST /api/v1/login` answered 202, send a current code from the authenticator app or an unused recovery code, with the `gatehouse_pending` cookie that answer set. Success starts the session exactly as a sign-in does. Each code works once; five wrong codes in 15 minutes throttle the pending sign-in and the account.',
        security: SECURITY.sessionAndCsrf,
        body: codeBody,
        response: {
          200: jsonResponse(loginJson, 'Signed in: the new session cookie is in `Set-Cookie`, its CSRF token in `csrfToken`.'),
          ...errorResponses({
            400: true,
            401: 'A wrong or already used code, or no pending sign-in (expired after 5 minutes, or used): `invalid_credentials`.',
            403: true,
            413: true,
            415: true,
            429: 'Too many wrong codes for this sign-in or this account: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const token = readPendingToken(request, cookie);
      if (!token) throw new AuthError('invalid_credentials');
      const result = await deps.secondStep.verifyCode({ token, code: request.body.code, client: signInClient(request, cookie), replacesToken: request.auth ? request.sessionToken : null });
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind !== 'signed-in') throw new AuthError('invalid_credentials', result.kind === 'replayed' ? { detail: 'page.second_step.replayed' } : {});
      finishSignIn(reply, cookie, result.completed);
      return { user: toUserJson(result.completed.user), csrfToken: csrfTokenFor(deps.keys.csrf, result.completed.token) };
    },
  );

  const sensitive = { access: 'signed-in' as const, sudo: 'required' as const };

  app.get(
    '/settings/two-factor',
    {
      config: sensitive,
      schema: {
        operationId: 'getTwoFactorStatus',
        tags: ['accounts'],
        summary: 'Two-factor status',
        description: 'Whether two-factor sign-in is on, and how many recovery codes are left.',
        security: SECURITY.session,
        response: { 200: jsonResponse(statusJson, 'Whether two-factor sign-in is on, and the recovery codes left.'), ...errorResponses({ 401: true, 403: SETTINGS_ERRORS[403], ...ALWAYS }) },
      },
    },
    async (request) => deps.twoFactor.status(request.auth!.user.id),
  );

  app.post(
    '/settings/two-factor/enrol',
    {
      config: { ...sensitive, csrf: 'required' },
      schema: {
        operationId: 'startTwoFactorEnrolment',
        tags: ['accounts'],
        summary: 'Start two-factor enrolment',
        description: 'Makes a fresh TOTP secret (replacing one not yet confirmed). Nothing changes at sign-in until it is confirmed with a code.',
        security: SECURITY.sessionAndCsrf,
        response: { 200: jsonResponse(enrolmentJson, 'The new secret, to put in an authenticator app.'), ...errorResponses({ 401: true, 403: SETTINGS_ERRORS[403], 409: 'Two-factor sign-in is already on: `conflict`.', ...ALWAYS }) },
      },
    },
    async (request) => {
      const started = await deps.twoFactor.beginEnrolment(request.auth!.user);
      if (!started) throw new AuthError('conflict');
      return { secret: started.secret, otpauthUri: started.uri };
    },
  );

  app.post(
    '/settings/two-factor/confirm',
    {
      config: { ...sensitive, csrf: 'required' },
      schema: {
        operationId: 'confirmTwoFactorEnrolment',
        tags: ['accounts'],
        summary: 'Turn two-factor sign-in on',
        description: 'A current code for the secret from `startTwoFactorEnrolment`, and the current password. The answer carries the ten recovery codes, once.',
        security: SECURITY.sessionAndCsrf,
        body: codeAndPassword,
        response: { 200: jsonResponse(codesJson, 'Two-factor sign-in is on: the recovery codes, shown once.'), ...errorResponses(SETTINGS_ERRORS) },
      },
    },
    async (request, reply) => {
      const result = await deps.twoFactor.confirmEnrolment(codeAndPasswordInput(request, request.body));
      if (result.kind !== 'enabled') return refuse(request, reply, result, 'page.two_factor.wrong_code');
      return { recoveryCodes: result.recoveryCodes };
    },
  );

  app.post(
    '/settings/two-factor/disable',
    {
      config: { ...sensitive, csrf: 'required' },
      schema: {
        operationId: 'disableTwoFactor',
        tags: ['accounts'],
        summary: 'Turn two-factor sign-in off',
        description: 'The current password and a current code or an unused recovery code.',
        security: SECURITY.sessionAndCsrf,
        body: codeAndPassword,
        response: { 204: z.null().describe('Two-factor sign-in is off now.'), ...errorResponses(SETTINGS_ERRORS) },
      },
    },
    async (request, reply) => {
      const result = await deps.twoFactor.disable(codeAndPasswordInput(request, request.body));
      if (result.kind !== 'disabled') return refuse(request, reply, result, 'page.second_step.wrong');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/settings/two-factor/recovery-codes',
    {
      config: { ...sensitive, csrf: 'required' },
      schema: {
        operationId: 'regenerateRecoveryCodes',
        tags: ['accounts'],
        summary: 'Make new recovery codes',
        description: 'Ten new recovery codes, shown once; the old ones stop working.',
        security: SECURITY.sessionAndCsrf,
        response: { 200: jsonResponse(codesJson, 'The ten new recovery codes, shown once.'), ...errorResponses({ 401: true, 403: SETTINGS_ERRORS[403], 409: 'Two-factor sign-in is off: `conflict`.', ...ALWAYS }) },
      },
    },
    async (request) => {
      const codes = await deps.twoFactor.regenerateRecoveryCodes(request.auth!.user, auditContext(request));
      if (!codes) throw new AuthError('conflict');
      return { recoveryCodes: codes };
    },
  );
}
