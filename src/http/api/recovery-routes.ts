/**
 * Password recovery in the JSON API (issue #10), registered inside the `/api/v1` context of
 * auth-routes.ts (its JSON error handler, JSON-only bodies, the OpenAPI document):
 *  - `POST /forgot-password`: 202 for every well-formed address, known or not, after the
 *    same time floor as the page; throttled per client and per address;
 *  - `POST /reset-password`: the token from the mail and a new password (the full policy);
 *  - `POST /secure-account`: "this wasn't me" with the token of a security notice;
 *  - `POST /settings/secure-account`: the same for the signed-in user, with the password.
 * A used, expired, unknown or forged token is `invalid_input` (400) with `field: token`.
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { RESET_TOKEN_SECONDS } from '../../domain/recovery/password-reset.ts';
import { FORGOT_PASSWORD_FLOOR_MS, withTimeFloor } from '../../domain/recovery/steady-timing.ts';
import { describeProblem } from '../../messages/problems.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { errorResponse, type ErrorResponse, sendError } from '../error-handler.ts';
import { textField } from '../text-field.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';
import type { ErrorJson } from './schemas.ts';

const tokenField = textField(100).meta({ minLength: 43, maxLength: 43, description: 'The token of the link in the mail (the `token` query parameter): 43 base64url characters.' });
const passwordField = textField(4096).meta({
  maxLength: 256,
  description: 'The new password: the full password policy applies (PASSWORD_MIN_LENGTH to 256 characters, not common, not containing the username or email).',
  examples: ['velvet thunder marmalade oscillates quietly'],
});

const forgotBody = z
  .object({ email: textField(320).meta({ maxLength: 254, format: 'email', description: 'The address of the account.', examples: ['alice@example.com'] }) })
  .strict()
  .meta({ description: 'Who forgot a password. Unknown fields are refused.' });
const resetBody = z.object({ token: tokenField, password: passwordField }).strict().meta({ description: 'A reset link’s token and the new password.' });
const secureBody = z.object({ token: tokenField }).strict().meta({ description: 'The token of a “this wasn’t me” link.' });
const secureSettingsBody = z
  .object({ current_password: textField(4096).meta({ maxLength: 256, description: 'The signed-in user’s current password.' }) })
  .strict()
  .meta({ description: 'The current password, to secure the signed-in account.' });
const acceptedJson = z.object({
  expiresInMinutes: z.number().int().describe('How long a link sent now works, in minutes. Said for every address, known or not.'),
});

type RecoveryApiDeps = Pick<HttpDependencies, 'passwordRecovery' | 'secureAccount'>;

/** A 400 in the one Error shape, with `problems` or `field` beside code and message. */
function refuse(request: FastifyRequest, reply: FastifyReply, error: ErrorResponse, extra: Pick<ErrorJson, 'problems' | 'field'>): void {
  sendError(request, reply, (_request, sent, failure) => sent.send({ error: failure.code, message: failure.message, ...extra } satisfies ErrorJson), error);
}

function invalidToken(request: FastifyRequest, reply: FastifyReply): void {
  refuse(request, reply, errorResponse('invalid_input', { detail: 'api.recovery.invalid_token', locale: request.locale }), { field: 'token' });
}

const INVALID_TOKEN = 'The token was already used, expired, was replaced by a newer one, or never existed: `invalid_input` with `field: token`.';

export async function recoveryApiRoutes(parent: FastifyInstance, options: { deps: RecoveryApiDeps }) {
  const { deps } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/forgot-password',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'requestPasswordReset',
        tags: ['accounts'],
        summary: 'Ask for a password reset link',
        description:
          'Mails a link to choose a new password (`/reset-password?token=…`, 30 minutes, single-use) when the address belongs to an account. The answer is the same, and takes the same time, whether or not it does.',
        security: SECURITY.sessionAndCsrf,
        body: forgotBody,
        response: {
          202: jsonResponse(acceptedJson, 'Accepted: a link is on its way if the address belongs to an account.'),
          ...errorResponses({
            400: true,
            403: true,
            413: true,
            415: true,
            429: 'Too many reset requests from this client or for this address (known or not): `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await withTimeFloor(FORGOT_PASSWORD_FLOOR_MS, () =>
        deps.passwordRecovery.requestReset({ by: auditContext(request), email: request.body.email, locale: request.locale, ip: throttleKeyForIp(request.ip) }),
      );
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      return reply.code(202).send({ expiresInMinutes: RESET_TOKEN_SECONDS / 60 });
    },
  );

  app.post(
    '/reset-password',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'resetPassword',
        tags: ['accounts'],
        summary: 'Choose a new password with a reset link',
        description:
          'Consumes the token and replaces the password; every session of the account ends (sign in again) and a “your password was changed” notice is mailed. A password the policy refuses leaves the token usable.',
        security: SECURITY.sessionAndCsrf,
        body: resetBody,
        response: {
          204: z.null().describe('The password was changed and every session of the account ended.'),
          ...errorResponses({
            400: `Invalid input: \`invalid_input\`, with every policy problem in \`problems\` (field \`password\`). ${INVALID_TOKEN}`,
            403: true,
            413: true,
            415: true,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.passwordRecovery.resetPassword({ by: auditContext(request), token: request.body.token, password: request.body.password, locale: request.locale });
      if (result.kind === 'invalid-token') return invalidToken(request, reply);
      if (result.kind === 'invalid') {
        const problems = result.problems.map((problem) => ({ field: 'password', code: problem.code, message: describeProblem(problem, request.locale) }));
        const invalid = errorResponse('invalid_input', { locale: request.locale });
        return refuse(request, reply, { ...invalid, message: problems.map((p) => p.message).join(' ') }, { problems });
      }
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/secure-account',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'secureAccount',
        tags: ['accounts'],
        summary: 'Secure the account with a “this wasn’t me” link',
        description:
          'Consumes the token of a security notice: every session of the account ends, every outstanding link is voided, the password stops working, and a fresh reset link is mailed to the address on file.',
        security: SECURITY.sessionAndCsrf,
        body: secureBody,
        response: {
          204: z.null().describe('The account is secured.'),
          ...errorResponses({
            400: INVALID_TOKEN,
            403: true,
            413: true,
            415: true,
            429: 'Too many uses from this client: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.secureAccount.secureByToken({ by: auditContext(request), token: request.body.token, locale: request.locale, ip: throttleKeyForIp(request.ip) });
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind !== 'secured') return invalidToken(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/settings/secure-account',
    {
      config: { access: 'signed-in', csrf: 'required' },
      schema: {
        operationId: 'secureSignedInAccount',
        tags: ['accounts'],
        summary: 'Secure the signed-in account',
        description: 'The “this wasn’t me” action for the signed-in user, who confirms with the current password. This session ends too.',
        security: SECURITY.sessionAndCsrf,
        body: secureSettingsBody,
        response: {
          204: z.null().describe('The account is secured; this session has ended.'),
          ...errorResponses({
            400: 'Invalid input, or the current password is wrong: `invalid_input` (with `field: current_password` for a wrong password).',
            401: true,
            403: true,
            413: true,
            415: true,
            429: 'Too many attempts from this client, or too many wrong passwords for this account: `too_many_requests`. Wait the seconds in `Retry-After`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.secureAccount.secureSignedIn({ by: auditContext(request),
        user: request.auth!.user,
        currentPassword: request.body.current_password,
        locale: request.locale,
        ip: throttleKeyForIp(request.ip),
      });
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind !== 'secured') {
        const wrong = errorResponse('invalid_input', { detail: 'detail.wrong_current_password', locale: request.locale });
        return refuse(request, reply, wrong, { field: 'current_password' });
      }
      return reply.code(204).send(null);
    },
  );
}
