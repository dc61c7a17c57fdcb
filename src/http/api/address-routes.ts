/**
 * The API's address operations (issue #10), the equivalents of the address pages: confirm a
 * link's token, ask for a new verification link, and request a change of address (current
 * password required; it takes effect when the link mailed to the new address is followed).
 * Registered inside the API context by auth-routes.ts, so its rules, error shape and
 * OpenAPI document apply.
 */
import { auditContext } from '../audit-context.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { EMAIL_MAX_LENGTH } from '../../domain/users/user.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { type ErrorResponder, errorResponse, sendError } from '../error-handler.ts';
import { textField } from '../text-field.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';

const tokenBody = z
  .object({ token: textField(200).meta({ description: 'The `token` query parameter of the link in the mail.', examples: ['k3J…'] }) })
  .strict()
  .meta({ description: 'A verification link’s token. Unknown fields are refused.' });
const resendBody = z
  .object({
    email: textField(320)
      .optional()
      .meta({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'Signed out: the address to send a new link to. Ignored when signed in (the account’s own address is used).' }),
  })
  .strict();
const changeEmailBody = z
  .object({
    email: textField(320).meta({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'The new address.', examples: ['alice@example.org'] }),
    current_password: textField(4096).meta({ description: 'The account’s current password.' }),
  })
  .strict();
const verifiedJson = z.object({
  result: z.enum(['verified', 'email_changed']).describe('`verified`: the address is confirmed; `email_changed`: the account’s address is now the new one, confirmed.'),
});
const acceptedJson = z.object({ message: z.string().describe('What happens next, in the request’s language.') });

export function addressApiRoutes(parent: FastifyInstance, deps: Pick<HttpDependencies, 'emailVerification' | 'emailChange'>, respond: ErrorResponder) {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/verify-email',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'verifyEmail',
        tags: ['accounts'],
        summary: 'Confirm an address',
        description: 'Follows the link mailed at registration, on request, or for a change of address. Each token works once, for 24 hours.',
        security: SECURITY.sessionAndCsrf,
        body: tokenBody,
        response: {
          200: jsonResponse(verifiedJson, 'The address is confirmed (or the changed address took effect).'),
          ...errorResponses({
            400: 'The token is unknown, used or expired (`invalid_input`), or the body failed validation.',
            403: true,
            409: 'A changed address was registered by another account meanwhile: `conflict` with `field` `email`. Nothing changed.',
            413: true,
            415: true,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.emailVerification.confirm(request.body.token, auditContext(request));
      if (result.kind === 'invalid') throw new AuthError('invalid_input', { detail: 'page.address.link_invalid' });
      if (result.kind === 'address-taken') {
        const conflict = errorResponse('conflict', { detail: 'page.address.address_taken', locale: request.locale });
        return sendError(request, reply, respond, { ...conflict, field: 'email' });
      }
      return { result: result.kind === 'verified' ? ('verified' as const) : ('email_changed' as const) };
    },
  );

  app.post(
    '/verify-email/resend',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'resendVerificationEmail',
        tags: ['accounts'],
        summary: 'Send a new verification link',
        description:
          'Signed in: mails a new link to the account’s address (older links stop working). Signed out: give `email`; the answer is the same whether or not an unconfirmed account uses it.',
        security: SECURITY.sessionAndCsrf,
        body: resendBody,
        response: {
          202: jsonResponse(acceptedJson, 'A link is on its way if there is anything to confirm.'),
          ...errorResponses({ 400: true, 403: true, 413: true, 415: true, 429: 'Too many links asked for, from this client or for this account: `too_many_requests`.', 500: true, 503: true }),
        },
      },
    },
    async (request, reply) => {
      const ipKey = throttleKeyForIp(request.ip);
      const user = request.auth?.user;
      const email = request.body.email ?? '';
      if (!user && email === '') throw new AuthError('invalid_input');
      const result = user
        ? await deps.emailVerification.resendForUser(user, request.locale, ipKey)
        : await deps.emailVerification.resendForAddress(email, request.locale, ipKey);
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      return reply.code(202).send({ message: formatMessage('page.address.resend_sent', {}, request.locale) });
    },
  );

  app.post(
    '/settings/email',
    {
      config: { access: 'signed-in', csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'changeEmail',
        tags: ['accounts'],
        summary: 'Change the email address',
        description:
          'Mails a link to the new address and a notice (with a “this wasn’t me” link) to the current one. The address changes only when the link is followed (`POST /api/v1/verify-email`).',
        security: SECURITY.sessionAndCsrf,
        body: changeEmailBody,
        response: {
          202: jsonResponse(acceptedJson, 'The link was mailed to the new address; nothing changed yet.'),
          ...errorResponses({
            400: 'The new address is not valid, or is the current one: `invalid_input`.',
            401: true,
            403: 'The current password is wrong (`forbidden`; nothing was sent), or the CSRF check failed (`csrf_failed`).',
            413: true,
            415: true,
            429: 'Too many changes asked for this account: `too_many_requests`.',
            500: true,
            503: true,
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await deps.emailChange.requestEmailChange({ by: auditContext(request),
        user: request.auth!.user,
        newEmail: request.body.email,
        currentPassword: request.body.current_password,
        locale: request.locale,
      });
      if (result.kind === 'throttled') throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
      if (result.kind === 'wrong-current-password') throw new AuthError('forbidden', { detail: 'detail.wrong_current_password' });
      if (result.kind === 'invalid') throw new AuthError('invalid_input', { detail: `page.address.${result.code}` });
      return reply.code(202).send({ message: formatMessage('page.address.change_sent', {}, request.locale) });
    },
  );
}
