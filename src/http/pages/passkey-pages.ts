/**
 * Passkey pages (issue #12): `/settings/passkeys` lists the user's passkeys (name, added, last
 * used) with a rename and a remove form each, and an "Add a passkey" form the browser script
 * drives; the ceremony calls that script makes are JSON POSTs under the page paths:
 *
 *   POST /settings/passkeys/options, /settings/passkeys/verify      add (signed in, sudo)
 *   POST /login/passkey/options, /login/passkey/verify                usernameless sign-in
 *   POST /login/two-factor/passkey/options, …/verify                  the second step
 *
 * Each of those groups is its own context with JSON errors (`{"error","message"}`, the API's
 * shape), so the script can say what went wrong; a redirect it gets (sudo mode, a session
 * that ended) it follows. Every state-changing route declares CSRF; adding and removing a
 * passkey, and the page itself, are sensitive (`sudo: 'required'`, ASVS v5.0.0-7.5.1), as the
 * other sensitive settings pages are; renaming is not. Another user's credential id renames
 * or removes nothing: 404 (v5.0.0-8.2.2).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { MAX_PASSKEYS_PER_USER } from '../../domain/passkeys/passkey-service.ts';
import { formatMessage } from '../../messages/catalog.ts';
import { authenticationCredential, passkeyNameField, registrationCredential } from '../api/passkey-schemas.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { type ErrorResponder, registerErrorHandlers } from '../error-handler.ts';
import {
  type CeremonyDependencies,
  finishPasskeyRegistration,
  finishPasskeySecondFactor,
  finishPasskeySignIn,
  startPasskeyRegistration,
  startPasskeySecondFactor,
  startPasskeySignIn,
} from '../passkey-ceremonies.ts';
import { textField } from '../text-field.ts';
import { firstGatePage, requirePassedGates } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { DEFAULT_AFTER_LOGIN } from './safe-redirect.ts';
import { returnTarget } from '../forward-auth/return-target.ts';
import type { Problems } from './views/form-fields.ts';
import { passkeysPage } from './views/passkey-views.ts';

const HTML = 'text/html; charset=utf-8';

const renameForm = z.object({ passkey_id: textField(1400), name: textField(400) });
const removeForm = z.object({ passkey_id: textField(1400) });
const addBody = z.object({ name: passkeyNameField.optional(), response: registrationCredential }).strict();
const signInBody = z.object({ response: authenticationCredential, next: z.string().max(2048).optional() }).strict();
const secondFactorBody = z.object({ response: authenticationCredential }).strict();
const noBody = z.object({}).strict().optional();

/** The scripts a page embedding passkey controls needs (public/passkeys.js, when built). */
export function passkeyScripts(pages: PageTools): string[] {
  return pages.assets.passkeys ? [pages.assets.passkeys] : [];
}

const respondJson: ErrorResponder = (_request, reply, error) => reply.send({ error: error.code, message: error.message });

export interface PasskeyPagesOptions {
  deps: Pick<HttpDependencies, 'passkeys' | 'login' | 'isDatabaseUp'> & Pick<CeremonyDependencies, 'secondStep'>;
  pages: PageTools;
  cookie: SessionConfig;
}

export async function passkeyPages(app: FastifyInstance, options: PasskeyPagesOptions) {
  const { deps, pages, cookie } = options;

  async function renderPasskeys(request: FastifyRequest, reply: FastifyReply, problems: Problems = []) {
    const user = request.auth!.user;
    const passkeys = await deps.passkeys.listPasskeys(user.id);
    const page = { ...pages.context(request, reply, 'page.passkeys.title', { scripts: passkeyScripts(pages) }), user };
    return reply.type(HTML).send(passkeysPage(page, passkeys, { limit: MAX_PASSKEYS_PER_USER, problems }));
  }

  const problem = (request: FastifyRequest, key: 'page.passkeys.not_found' | 'page.passkeys.empty_name') => [{ message: formatMessage(key, {}, request.locale) }];

  app.get('/settings/passkeys', { config: { access: 'signed-in', sudo: 'required' }, preHandler: requirePassedGates }, (request, reply) => renderPasskeys(request, reply));

  app.post('/settings/passkeys/rename', { config: { access: 'signed-in', csrf: 'required' } }, async (request, reply) => {
    const parsed = renameForm.safeParse(request.body);
    if (!parsed.success) return renderPasskeys(request, reply.code(400), problem(request, 'page.passkeys.empty_name'));
    const renamed = await deps.passkeys.renamePasskey({ user: request.auth!.user, credentialId: parsed.data.passkey_id, name: parsed.data.name, by: auditContext(request) });
    if (renamed === 'empty-name') return renderPasskeys(request, reply.code(400), problem(request, 'page.passkeys.empty_name'));
    if (renamed === 'not-found') return renderPasskeys(request, reply.code(404), problem(request, 'page.passkeys.not_found'));
    pages.flash(reply, 'passkey-renamed');
    return reply.code(303).redirect('/settings/passkeys');
  });

  app.post('/settings/passkeys/remove', { config: { access: 'signed-in', csrf: 'required', sudo: 'required' } }, async (request, reply) => {
    const parsed = removeForm.safeParse(request.body);
    if (!parsed.success) return renderPasskeys(request, reply.code(400), problem(request, 'page.passkeys.not_found'));
    const removed = await deps.passkeys.removePasskey({ user: request.auth!.user, credentialId: parsed.data.passkey_id, locale: request.locale, by: auditContext(request) });
    if (!removed) return renderPasskeys(request, reply.code(404), problem(request, 'page.passkeys.not_found'));
    pages.flash(reply, 'passkey-removed');
    return reply.code(303).redirect('/settings/passkeys');
  });

  // The script's calls: JSON in, JSON out, JSON errors (each group its own context).
  await app.register(
    async function addCalls(json) {
      registerErrorHandlers(json, respondJson, deps.isDatabaseUp);
      const sensitive = { config: { access: 'signed-in' as const, csrf: 'required' as const, sudo: 'required' as const } };
      json.post('/options', { ...sensitive, schema: { body: noBody } }, async (request) => startPasskeyRegistration(deps, request));
      json.post('/verify', { ...sensitive, schema: { body: addBody } }, async (request, reply) => {
        await finishPasskeyRegistration(deps, request, request.body as z.infer<typeof addBody>);
        pages.flash(reply, 'passkey-added');
        return { redirect: '/settings/passkeys' };
      });
    },
    { prefix: '/settings/passkeys' },
  );

  await app.register(
    async function signInCalls(json) {
      registerErrorHandlers(json, respondJson, deps.isDatabaseUp);
      const open = { config: { access: 'public' as const, csrf: 'required' as const } };
      json.post('/options', { ...open, schema: { body: noBody } }, async (request) => startPasskeySignIn(deps, request));
      json.post('/verify', { ...open, schema: { body: signInBody } }, async (request, reply) => {
        const body = request.body as z.infer<typeof signInBody>;
        const completed = await finishPasskeySignIn(deps, request, reply, cookie, body.response);
        return { redirect: firstGatePage(completed.user) ?? returnTarget(request.server, body.next, DEFAULT_AFTER_LOGIN) };
      });
    },
    { prefix: '/login/passkey' },
  );

  await app.register(
    async function secondFactorCalls(json) {
      registerErrorHandlers(json, respondJson, deps.isDatabaseUp);
      const open = { config: { access: 'public' as const, csrf: 'required' as const } };
      json.post('/options', { ...open, schema: { body: noBody } }, async (request) => startPasskeySecondFactor(deps, request, cookie));
      json.post('/verify', { ...open, schema: { body: secondFactorBody } }, async (request, reply) => {
        const completed = await finishPasskeySecondFactor(deps, request, reply, cookie, (request.body as z.infer<typeof secondFactorBody>).response);
        // Where the sign-in was going before the password step (`next`, kept with the pending sign-in).
        return { redirect: firstGatePage(completed.user) ?? returnTarget(request.server, completed.next ?? undefined, DEFAULT_AFTER_LOGIN) };
      });
    },
    { prefix: '/login/two-factor/passkey' },
  );
}
