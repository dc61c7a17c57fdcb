/**
 * The admin console's OpenID Connect clients as JSON (issue #13), under
 * /api/v1/admin/oidc-clients: list, register, remove. Same rules as the pages
 * (admin-oidc-pages.ts): permission `oidc:clients` (administrators) on every route, checked on
 * the server against the role re-read on this request (v5.0.0-8.3.1); changes need the
 * `X-CSRF-Token` header and sudo mode. A new client's secret is in the answer to the call
 * that registered it and nowhere else, ever (v5.0.0-13.3.1); redirect URIs are checked by the
 * domain (v5.0.0-10.4.1): a refused one is 400 `invalid_input` naming its field.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import { clientRegistrationJson, OIDC_CLIENT_ALGS, OIDC_CLIENT_AUTH_METHODS, OIDC_CLIENT_NAME_MAX, OIDC_REDIRECT_URI_MAX, OIDC_REDIRECT_URIS_MAX } from '../../domain/oidc/clients.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { clientIdParams, OIDC_PROBLEMS } from '../pages/admin-oidc-pages.ts';
import { ALWAYS, errorResponses, jsonResponse, SECURITY } from './openapi.ts';

type AdminOidcApiDeps = Pick<HttpDependencies, 'oidc'>;

const dateTime = (description: string) => z.string().meta({ format: 'date-time', description });
const uris = (description: string) => z.array(z.string().max(OIDC_REDIRECT_URI_MAX)).max(OIDC_REDIRECT_URIS_MAX).describe(description);

export const oidcClientJson = z
  .object({
    client_id: z.string().describe('The client id (random, 128 bits, base64url).'),
    name: z.string().describe('The application’s name, shown on the consent page.'),
    redirect_uris: z.array(z.string()).describe('Where authorization responses may go; compared exactly.'),
    post_logout_redirect_uris: z.array(z.string()).describe('Where the provider may send the browser after signing out.'),
    first_party: z.boolean().describe('True when users are not asked to consent (the operator’s own application).'),
    public: z.boolean().describe('True for a public client: no secret, PKCE required (`token_endpoint_auth_method` `none`).'),
    id_token_signed_response_alg: z.enum(OIDC_CLIENT_ALGS as ['ES256', 'RS256']).describe('How its ID tokens are signed: ES256 unless registered as RS256.'),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).describe('How it authenticates at the token endpoint: `none` for a public client.'),
    created_at: dateTime('When it was registered (ISO 8601, UTC).'),
  })
  .meta({ id: 'OidcClient', description: 'A registered OpenID Connect client: never its secret.' });

const clientsJson = z.object({ clients: z.array(oidcClientJson).describe('Every registered client, oldest first.') });
const createdJson = z.object({
  client: oidcClientJson,
  client_secret: z.string().optional().describe('The client secret (256 bits), for a confidential client: returned this once, never again. Absent for a public client.'),
});
const addBody = z
  .object({
    name: z.string().min(1).max(OIDC_CLIENT_NAME_MAX).describe('The application’s name.'),
    redirect_uris: uris('Absolute `https://` URIs (`http://` only on 127.0.0.1, [::1] or localhost), without fragment or wildcard; at least one.').min(1),
    post_logout_redirect_uris: uris('Same rules; optional.').optional(),
    first_party: z.boolean().optional().describe('Skip the consent page (default false).'),
    public: z.boolean().optional().describe('A public client: no secret, PKCE required (default false).'),
    id_token_signed_response_alg: z.enum(OIDC_CLIENT_ALGS as ['ES256', 'RS256']).optional().describe('ES256 (default) or RS256 for an application that cannot verify ES256.'),
    token_endpoint_auth_method: z
      .enum(OIDC_CLIENT_AUTH_METHODS)
      .optional()
      .describe('For a confidential client: `client_secret_basic` (default) or `client_secret_post` (the secret in the body, e.g. Nextcloud’s user_oidc). Refused with `public`.'),
  })
  .strict()
  .meta({ description: 'The client to register. Unknown fields are refused.' });


const READ_ERRORS = { 401: true, 403: 'Signed in without the permission this needs (an administrator’s): `forbidden`, with no data.' } as const;
const WRITE_403 =
  'No permission (`forbidden`), the CSRF check failed (`csrf_failed`), or the last authentication is older than SUDO_SECONDS (`reauthentication_required`: confirm the password with `POST /api/v1/sudo`, then call again).';

export async function adminOidcApiRoutes(parent: FastifyInstance, options: { deps: AdminOidcApiDeps }) {
  const { deps } = options;
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const access = { permission: 'oidc:clients' } as const;

  app.get(
    '/admin/oidc-clients',
    {
      config: { access },
      schema: {
        operationId: 'listOidcClients',
        tags: ['admin'],
        summary: 'List the registered OpenID Connect clients',
        description: 'Every application registered to sign in with Gatehouse, without secrets. Needs `oidc:clients` (administrators).',
        security: SECURITY.session,
        response: { 200: jsonResponse(clientsJson, 'Every registered client, without secrets.'), ...errorResponses({ ...READ_ERRORS, ...ALWAYS }) },
      },
    },
    async () => ({ clients: (await deps.oidc.clients.list()).map(clientRegistrationJson) }),
  );

  app.post(
    '/admin/oidc-clients',
    {
      config: { access, csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'addOidcClient',
        tags: ['admin'],
        summary: 'Register an OpenID Connect client',
        description: 'Registers an application; the answer carries its client id and, for a confidential client, its secret, which is never shown again (store it now; for a new one, remove the client and register it again). Recorded as `oidc.client_added`. Needs `oidc:clients`.',
        security: SECURITY.sessionAndCsrf,
        body: addBody,
        response: { 201: jsonResponse(createdJson, 'Registered: the client, and its secret this once.'), ...errorResponses({ 400: true, 401: true, 403: WRITE_403, 413: true, 415: true, ...ALWAYS }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await deps.oidc.clients.add(
        {
          name: body.name,
          redirectUris: body.redirect_uris,
          postLogoutRedirectUris: body.post_logout_redirect_uris ?? [],
          firstParty: body.first_party === true,
          public: body.public === true,
          ...(body.id_token_signed_response_alg ? { idTokenSigningAlg: body.id_token_signed_response_alg } : {}),
          ...(body.token_endpoint_auth_method ? { tokenEndpointAuthMethod: body.token_endpoint_auth_method } : {}),
        },
        auditContext(request),
      );
      if (!result.ok) {
        // The sentence names the field and the refused value.
        throw new AuthError('invalid_input', { detail: OIDC_PROBLEMS[result.reason].key, params: { value: result.value ?? '' } });
      }
      return reply.code(201).send({ client: clientRegistrationJson(result.client), ...(result.clientSecret === undefined ? {} : { client_secret: result.clientSecret }) });
    },
  );

  app.delete(
    '/admin/oidc-clients/:id',
    {
      config: { access, csrf: 'required', sudo: 'required' },
      schema: {
        operationId: 'removeOidcClient',
        tags: ['admin'],
        summary: 'Remove an OpenID Connect client',
        description: 'Removes the application and revokes every grant, code and token issued to it: its users are signed out of it at once. Recorded as `oidc.client_removed`. Needs `oidc:clients`.',
        security: SECURITY.sessionAndCsrf,
        params: clientIdParams,
        response: { 204: z.null().describe('The client is removed.'), ...errorResponses({ 400: true, 401: true, 403: WRITE_403, 404: 'No client has that id: `not_found`.', ...ALWAYS }) },
      },
    },
    async (request, reply) => {
      const result = await deps.oidc.clients.remove(request.params.id, auditContext(request));
      if (!result.ok) throw new AuthError('not_found');
      return reply.code(204).send(null);
    },
  );
}
