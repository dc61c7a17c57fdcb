/**
 * The admin console's "Applications (OIDC)" pages (issue #13): `/admin/oidc-clients` lists
 * the registered OpenID Connect clients and adds one; `/admin/oidc-clients/:id/remove`
 * confirms and removes one. Administrators only (permission `oidc:clients`, checked against
 * the role re-read on this request; others 403, visitors the sign-in page; v5.0.0-8.2.1).
 *
 * Adding and removing are POST forms with their CSRF token (v5.0.0-3.5.1) in sudo mode, as
 * every admin action. A new client's secret is shown on the answer to the POST that made it,
 * once (`no-store`, never in a redirect or a flash); afterwards only its id is shown
 * anywhere (v5.0.0-13.3.1). Redirect URIs are checked by the domain (absolute https, http
 * only on loopback, no fragment, no wildcard; v5.0.0-10.4.1): a refused one is a 400 with the
 * form again, as typed. Removal needs `confirm=yes` (only its confirmation page sends it) and
 * revokes every grant and token issued to the client. Each change is audited by the domain.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import type { OidcClientProblem } from '../../domain/oidc/clients.ts';
import type { OidcClient } from '../../domain/ports.ts';
import { formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { requirePassedGates } from './gates.ts';
import type { PageTools } from './page-tools.ts';
import { EMPTY_OIDC_CLIENT_FORM, oidcClientCreatedPage, type OidcClientForm, oidcClientRemovePage, oidcClientsPage } from './views/admin-oidc-views.ts';
import type { Problems } from './views/form-fields.ts';

const HTML = 'text/html; charset=utf-8';

export type AdminOidcPageDeps = Pick<HttpDependencies, 'oidc'>;

/** Only these fields are read from the add form; anything else is ignored (v5.0.0-15.3.3). */
const addForm = z.object({
  name: z.string().max(200).default(''),
  redirect_uris: z.string().max(25_000).default(''),
  post_logout_redirect_uris: z.string().max(25_000).default(''),
  first_party: z.literal('yes').optional(),
  public: z.literal('yes').optional(),
  alg: z.string().max(16).default('ES256'),
  auth_method: z.string().max(32).default('client_secret_basic'),
});
const removeForm = z.object({ confirm: z.literal('yes').optional() });
export const clientIdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

/** One URI a line (blank lines and surrounding spaces dropped). */
export const uriLines = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);

/** Which form field a domain refusal belongs to, and its sentence. */
export const OIDC_PROBLEMS: Readonly<Record<OidcClientProblem, { field: string; key: MessageKey }>> = {
  invalid_name: { field: 'name', key: 'admin.oidc.problem.invalid_name' },
  no_redirect_uri: { field: 'redirect_uris', key: 'admin.oidc.problem.no_redirect_uri' },
  too_many_uris: { field: 'redirect_uris', key: 'admin.oidc.problem.too_many_uris' },
  invalid_redirect_uri: { field: 'redirect_uris', key: 'admin.oidc.problem.invalid_redirect_uri' },
  invalid_post_logout_redirect_uri: { field: 'post_logout_redirect_uris', key: 'admin.oidc.problem.invalid_post_logout_redirect_uri' },
  invalid_alg: { field: 'alg', key: 'admin.oidc.problem.invalid_alg' },
  invalid_auth_method: { field: 'auth_method', key: 'admin.oidc.problem.invalid_auth_method' },
};

export async function adminOidcPages(app: FastifyInstance, options: { deps: AdminOidcPageDeps; pages: PageTools; baseUrl: () => string }) {
  const { deps, pages } = options;
  const access = { permission: 'oidc:clients' } as const;
  const read = { config: { access }, preHandler: requirePassedGates };
  const write = { config: { access, csrf: 'required' as const, sudo: 'required' as const }, preHandler: requirePassedGates };
  const context = (request: FastifyRequest, reply: FastifyReply, title: MessageKey) => ({ ...pages.context(request, reply, title), user: request.auth!.user });
  const issuer = () => `${options.baseUrl().replace(/\/$/, '')}/oidc`;

  async function renderList(request: FastifyRequest, reply: FastifyReply, form: OidcClientForm = EMPTY_OIDC_CLIENT_FORM, problems: Problems = []) {
    const clients = await deps.oidc.clients.list();
    return reply.type(HTML).send(oidcClientsPage(context(request, reply, 'page.admin.oidc.title'), { clients, form, problems }));
  }

  async function clientOf(request: FastifyRequest): Promise<OidcClient> {
    const params = clientIdParams.safeParse(request.params);
    const client = params.success ? await deps.oidc.clients.find(params.data.id) : undefined;
    if (!client) throw new AuthError('not_found');
    return client;
  }

  app.get('/admin/oidc-clients', read, async (request, reply) => renderList(request, reply));

  app.post('/admin/oidc-clients', write, async (request, reply) => {
    const parsed = addForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderList(request, reply.code(400), EMPTY_OIDC_CLIENT_FORM, [{ message: formatMessage('error.invalid_input', {}, request.locale) }]);
    }
    const body = parsed.data;
    const form: OidcClientForm = {
      name: body.name,
      redirectUris: body.redirect_uris,
      postLogoutRedirectUris: body.post_logout_redirect_uris,
      firstParty: body.first_party === 'yes',
      public: body.public === 'yes',
      alg: body.alg,
      authMethod: body.auth_method,
    };
    const result = await deps.oidc.clients.add(
      {
        name: body.name,
        redirectUris: uriLines(body.redirect_uris),
        postLogoutRedirectUris: uriLines(body.post_logout_redirect_uris),
        firstParty: form.firstParty,
        public: form.public,
        idTokenSigningAlg: body.alg,
        // A public client has no secret to send: the method is not asked then.
        ...(form.public ? {} : { tokenEndpointAuthMethod: body.auth_method }),
      },
      auditContext(request),
    );
    if (!result.ok) {
      const { field, key } = OIDC_PROBLEMS[result.reason];
      return renderList(request, reply.code(400), form, [{ field, message: formatMessage(key, { value: result.value ?? '' }, request.locale) }]);
    }
    const page = context(request, reply, 'page.admin.oidc.created_title');
    return reply.code(201).type(HTML).send(oidcClientCreatedPage(page, result.client, result.clientSecret, issuer()));
  });

  // The confirmation page changes nothing; in sudo mode too, so a stale sign-in confirms its
  // password before the form is shown rather than after it is sent.
  app.get('/admin/oidc-clients/:id/remove', { ...read, config: { access, sudo: 'required' } }, async (request, reply) => {
    const client = await clientOf(request);
    return reply.type(HTML).send(oidcClientRemovePage(context(request, reply, 'page.admin.oidc.remove_title'), client));
  });

  app.post('/admin/oidc-clients/:id/remove', write, async (request, reply) => {
    const client = await clientOf(request);
    const form = removeForm.safeParse(request.body ?? {});
    if (!form.success || form.data.confirm !== 'yes') {
      return reply.type(HTML).send(oidcClientRemovePage(context(request, reply, 'page.admin.oidc.remove_title'), client));
    }
    const result = await deps.oidc.clients.remove(client.clientId, auditContext(request));
    if (!result.ok) throw new AuthError('not_found');
    pages.flash(reply, 'admin-oidc-client-removed');
    return reply.code(303).redirect('/admin/oidc-clients');
  });
}
