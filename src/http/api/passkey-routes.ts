/**
 * Passkeys as JSON (issue #12), the API twin of /settings/passkeys and of the passkey
 * sign-ins: registration and sign-in are each two calls, options then verify, carrying the
 * WebAuthn JSON forms (`PublicKeyCredential.parseCreationOptionsFromJSON` / `toJSON()`). A
 * challenge works once, for 5 minutes, and only with the session cookie (or, for the second
 * step, the pending sign-in's cookie) it was issued to. Adding and removing a passkey are
 * sensitive: `reauthentication_required` past SUDO_SECONDS (ASVS v5.0.0-7.5.1). Credential ids
 * travel in the body: another account's id renames or removes nothing (404; v5.0.0-8.2.2).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { AuthError } from '../../domain/errors.ts';
import { MAX_PASSKEYS_PER_USER } from '../../domain/passkeys/passkey-service.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import {
  type CeremonyDependencies,
  finishPasskeyRegistration,
  finishPasskeySecondFactor,
  finishPasskeySignIn,
  startPasskeyRegistration,
  startPasskeySecondFactor,
  startPasskeySignIn,
} from '../passkey-ceremonies.ts';
import { csrfTokenFor } from '../plugins/csrf.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';
import {
  authenticationCredential,
  creationOptionsJson,
  passkeyIdField,
  passkeyJson,
  passkeyNameField,
  registrationCredential,
  requestOptionsJson,
  toPasskeyJson,
} from './passkey-schemas.ts';
import { loginJson, toUserJson } from './schemas.ts';

const noBody = z.object({}).strict().optional().meta({ description: 'No fields: send `{}` or no body.' });
const BODY_ERRORS = { 400: true, 413: true, 415: true } as const;
const CHALLENGE_NOTE = 'The challenge is 32 random bytes, valid for 5 minutes, once, with this cookie only.';

export async function passkeyApiRoutes(
  parent: FastifyInstance,
  options: { deps: Pick<HttpDependencies, 'passkeys' | 'login' | 'keys'> & Pick<CeremonyDependencies, 'secondStep'>; cookie: SessionConfig },
) {
  const { deps, cookie } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['passkeys'];

  app.get(
    '/passkeys',
    {
      config: { access: 'signed-in' },
      schema: {
        operationId: 'listPasskeys',
        tags,
        summary: 'List my passkeys',
        description: 'Every passkey of the signed-in account, oldest first.',
        security: SECURITY.session,
        response: { 200: jsonResponse(z.object({ passkeys: z.array(passkeyJson) }), 'The passkeys of this account.'), ...errorResponses({ 401: true, ...ALWAYS }) },
      },
    },
    async (request) => ({ passkeys: (await deps.passkeys.listPasskeys(request.auth!.user.id)).map(toPasskeyJson) }),
  );

  app.post(
    '/passkeys/registration/options',
    {
      config: { access: 'signed-in', csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'startPasskeyRegistration',
        tags,
        summary: 'Start adding a passkey',
        description: `Creation options for a discoverable, user-verifying credential of this account (its passkeys excluded). ${CHALLENGE_NOTE} Sensitive: past SUDO_SECONDS, confirm the password first.`,
        security: SECURITY.sessionAndCsrf,
        body: noBody,
        response: {
          200: jsonResponse(creationOptionsJson, 'The options for `navigator.credentials.create`.'),
          ...errorResponses({
            ...BODY_ERRORS,
            401: true,
            403: 'The CSRF check failed (`csrf_failed`), or this session last authenticated more than SUDO_SECONDS ago (`reauthentication_required`: call POST /api/v1/sudo, then repeat).',
            409: `The account has ${MAX_PASSKEYS_PER_USER} passkeys, the most it may: \`conflict\`.`,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request) => startPasskeyRegistration(deps, request),
  );

  app.post(
    '/passkeys/registration/verify',
    {
      config: { access: 'signed-in', csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'finishPasskeyRegistration',
        tags,
        summary: 'Add a passkey',
        description: 'Verifies the new credential against the challenge of POST /api/v1/passkeys/registration/options (origin, RP id, user presence and verification) and stores it. The account is mailed a notice.',
        security: SECURITY.sessionAndCsrf,
        body: z.object({ name: passkeyNameField.optional(), response: registrationCredential }).strict(),
        response: {
          201: jsonResponse(passkeyJson, 'Added: the passkey signs in from now on.'),
          ...errorResponses({
            400: 'Invalid input, or the credential does not verify (an expired, used or foreign challenge, another origin or RP id, no user verification): `invalid_input`.',
            401: true,
            403: 'The CSRF check failed (`csrf_failed`), or this session last authenticated more than SUDO_SECONDS ago (`reauthentication_required`).',
            409: 'That credential is registered already, or the account has the most passkeys it may: `conflict`.',
            413: true,
            415: true,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request, reply) => reply.code(201).send(toPasskeyJson(await finishPasskeyRegistration(deps, request, request.body))),
  );

  app.post(
    '/passkeys/rename',
    {
      config: { access: 'signed-in', csrf: 'required' },
      schema: {
        operationId: 'renamePasskey',
        tags,
        summary: 'Rename a passkey',
        description: 'Renames one of this account’s passkeys.',
        security: SECURITY.sessionAndCsrf,
        body: z.object({ id: passkeyIdField, name: passkeyNameField }).strict(),
        response: {
          204: z.null().describe('Renamed: the new name is listed from now on.'),
          ...errorResponses({ 400: 'Invalid input, or a name that is empty once spaces and control characters are removed: `invalid_input`.', 401: true, 403: true, 404: 'This account has no passkey with that id: `not_found`.', 413: true, 415: true, ...ALWAYS }),
        },
      },
    },
    async (request, reply) => {
      const renamed = await deps.passkeys.renamePasskey({ user: request.auth!.user, credentialId: request.body.id, name: request.body.name, by: auditContext(request) });
      if (renamed === 'empty-name') throw new AuthError('invalid_input', { detail: 'page.passkeys.empty_name' });
      if (renamed === 'not-found') throw new AuthError('not_found', { detail: 'detail.passkey_not_found' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/passkeys/remove',
    {
      config: { access: 'signed-in', csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'removePasskey',
        tags,
        summary: 'Remove a passkey',
        description: 'Removes one of this account’s passkeys: it no longer signs in. The account is mailed a notice. Sensitive: past SUDO_SECONDS, confirm the password first.',
        security: SECURITY.sessionAndCsrf,
        body: z.object({ id: passkeyIdField }).strict(),
        response: {
          204: z.null().describe('Removed: the passkey no longer signs in.'),
          ...errorResponses({
            400: true,
            401: true,
            403: 'The CSRF check failed (`csrf_failed`), or this session last authenticated more than SUDO_SECONDS ago (`reauthentication_required`).',
            404: 'This account has no passkey with that id: `not_found`.',
            413: true,
            415: true,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request, reply) => {
      if (!(await deps.passkeys.removePasskey({ user: request.auth!.user, credentialId: request.body.id, locale: request.locale, by: auditContext(request) }))) {
        throw new AuthError('not_found', { detail: 'detail.passkey_not_found' });
      }
      return reply.code(204).send(null);
    },
  );

  const signedIn = jsonResponse(loginJson, 'Signed in: the new session cookie is in `Set-Cookie`, its CSRF token in `csrfToken`.');

  app.post(
    '/login/passkey/options',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'startPasskeySignIn',
        tags,
        summary: 'Start signing in with a passkey',
        description: `Request options for a usernameless sign-in: no credential list, the authenticator offers its passkeys for this site. ${CHALLENGE_NOTE} Call GET /api/v1/csrf first.`,
        security: SECURITY.sessionAndCsrf,
        body: noBody,
        response: { 200: jsonResponse(requestOptionsJson, 'The options for `navigator.credentials.get`.'), ...errorResponses({ ...BODY_ERRORS, 403: true, ...ALWAYS }) },
      },
    },
    async (request) => startPasskeySignIn(deps, request),
  );

  app.post(
    '/login/passkey/verify',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'signInWithPasskey',
        tags,
        summary: 'Sign in with a passkey',
        description: 'Verifies the assertion (challenge, origin, RP id, user verification, signature, a counter that moved forward) and signs in as a password and a second factor would: a new session cookie and CSRF token.',
        security: SECURITY.sessionAndCsrf,
        body: z.object({ response: authenticationCredential }).strict(),
        response: {
          200: signedIn,
          ...errorResponses({
            400: true,
            401: 'The passkey did not sign in (unknown, removed, a failed check, a disabled account; one answer for all): `invalid_credentials`.',
            403: 'The CSRF check failed (`csrf_failed`), or the account’s address is not confirmed and this server requires it (`email_unverified`).',
            413: true,
            415: true,
            ...ALWAYS,
          }),
        },
      },
    },
    async (request, reply) => {
      const { user, token } = await finishPasskeySignIn(deps, request, reply, cookie, request.body.response);
      return { user: toUserJson(user), csrfToken: csrfTokenFor(deps.keys.csrf, token) };
    },
  );

  const noPending = 'No pending sign-in (it expired after 5 minutes, was used, or the password step was never passed), or the passkey did not verify: `unauthenticated` or `invalid_credentials`.';

  app.post(
    '/login/two-factor/passkey/options',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'startPasskeySecondFactor',
        tags,
        summary: 'Start the second step with a passkey',
        description: `After a correct password on an account with two-factor sign-in (the pending sign-in's cookie): request options listing that account's passkeys. ${CHALLENGE_NOTE}`,
        security: SECURITY.sessionAndCsrf,
        body: noBody,
        response: {
          200: jsonResponse(requestOptionsJson, 'The options for `navigator.credentials.get`.'),
          ...errorResponses({ ...BODY_ERRORS, 401: 'No pending sign-in: `unauthenticated`. Start again with POST /api/v1/login.', 403: true, ...ALWAYS }),
        },
      },
    },
    async (request) => startPasskeySecondFactor(deps, request, cookie),
  );

  app.post(
    '/login/two-factor/passkey/verify',
    {
      config: { access: 'public', csrf: 'required' },
      schema: {
        operationId: 'finishPasskeySecondFactor',
        tags,
        summary: 'Finish the second step with a passkey',
        description: 'Verifies an assertion of one of the pending account’s passkeys and completes the sign-in: a new session cookie and CSRF token; the pending sign-in is used up.',
        security: SECURITY.sessionAndCsrf,
        body: z.object({ response: authenticationCredential }).strict(),
        response: { 200: signedIn, ...errorResponses({ 400: true, 401: noPending, 403: true, 413: true, 415: true, ...ALWAYS }) },
      },
    },
    async (request, reply) => {
      const { user, token } = await finishPasskeySecondFactor(deps, request, reply, cookie, request.body.response);
      return { user: toUserJson(user), csrfToken: csrfTokenFor(deps.keys.csrf, token) };
    },
  );
}
