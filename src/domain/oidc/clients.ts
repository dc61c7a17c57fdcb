/**
 * Registered OpenID Connect clients (issue #13): what `gatehouse oidc-client`, the admin
 * console and the admin API share.
 *
 * - `add`: checks the input (codes, never sentences), makes a random client id (128 bits)
 *   and, unless public, a secret (256 bits) returned once; the secret is stored sealed
 *   (AES-256-GCM under `deriveKey(SECRET_KEY, 'oidc-clients:v1')`), because oidc-provider
 *   must compare it with what the client sends, so it cannot be a one-way hash.
 * - Redirect URIs (v5.0.0-10.4.1, exact match): absolute `https:`, or `http:` only on a
 *   loopback host (127.0.0.1, [::1], localhost) for native apps and development; no fragment,
 *   no wildcard, no user info, at most 10 each.
 * - `remove`: deletes the client and every grant and token issued to it.
 * Each change and its audit row commit together.
 */
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { generateToken, openText, sealText } from '../crypto.ts';
import type { OidcClient, OidcClientStore, OidcPayloadStore, OidcSigningAlg, OidcTokenEndpointAuthMethod, Transactor } from '../ports.ts';

export const OIDC_CLIENT_NAME_MAX = 100;
export const OIDC_REDIRECT_URI_MAX = 2000;
export const OIDC_REDIRECT_URIS_MAX = 10;
/** What a client may ask its ID tokens to be signed with (ES256 unless registered otherwise). */
export const OIDC_CLIENT_ALGS: readonly OidcSigningAlg[] = ['ES256', 'RS256'];
/** How a confidential client may authenticate at the token endpoint (a public one: `none`). */
export const OIDC_CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

export interface NewOidcClient {
  name: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  firstParty?: boolean;
  public?: boolean;
  idTokenSigningAlg?: string;
  /** `client_secret_basic` (default) or `client_secret_post`; not for a public client. */
  tokenEndpointAuthMethod?: string;
}

export type OidcClientProblem = 'invalid_name' | 'no_redirect_uri' | 'too_many_uris' | 'invalid_redirect_uri' | 'invalid_post_logout_redirect_uri' | 'invalid_alg' | 'invalid_auth_method';

export type AddOidcClientResult =
  | { ok: true; client: OidcClient; clientSecret?: string }
  | { ok: false; reason: OidcClientProblem; value?: string };

export interface OidcClientService {
  add(input: NewOidcClient, by: AuditContext): Promise<AddOidcClientResult>;
  list(): Promise<OidcClient[]>;
  find(clientId: string): Promise<OidcClient | undefined>;
  remove(clientId: string, by: AuditContext): Promise<{ ok: true; client: OidcClient } | { ok: false; reason: 'unknown_client' }>;
  /** The secret of a confidential client, opened for oidc-provider; undefined when unreadable. */
  openSecret(secretSealed: string): string | undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why `uri` cannot be a redirect URI, or undefined when it can. */
/**
 * A client's registration as the CLI's `--json` and the admin API show it: OAuth's own field
 * names (RFC 7591), never its secret. Only ES256 and RS256 are registered (OIDC_CLIENT_ALGS).
 */
export function clientRegistrationJson(client: OidcClient) {
  return {
    client_id: client.clientId,
    name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    first_party: client.firstParty,
    public: client.public,
    id_token_signed_response_alg: client.idTokenSigningAlg === 'RS256' ? ('RS256' as const) : ('ES256' as const),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    created_at: client.createdAt.toISOString(),
  };
}

export function redirectUriProblem(uri: string): 'invalid' | undefined {
  if (uri.length === 0 || uri.length > OIDC_REDIRECT_URI_MAX) return 'invalid';
  // Wildcards, fragments, spaces and control characters are refused as typed (before parsing
  // could percent-encode or drop them).
  if (/[*#\s\u0000-\u001f\u007f]/u.test(uri)) return 'invalid';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'invalid';
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return 'invalid';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'invalid';
}

function cleanName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > OIDC_CLIENT_NAME_MAX || /[\u0000-\u001f\u007f]/u.test(trimmed)) return undefined;
  return trimmed;
}

export function createOidcClientService(options: { transactor: Transactor; clients: OidcClientStore; payloads: OidcPayloadStore; sealKey: Buffer; clock: Clock }): OidcClientService {
  const { transactor, clients, payloads, sealKey, clock } = options;

  function check(input: NewOidcClient): { ok: false; reason: OidcClientProblem; value?: string } | { ok: true; name: string; alg: OidcSigningAlg; auth: OidcTokenEndpointAuthMethod } {
    const name = cleanName(input.name);
    if (name === undefined) return { ok: false, reason: 'invalid_name' };
    if (input.redirectUris.length === 0) return { ok: false, reason: 'no_redirect_uri' };
    const logout = input.postLogoutRedirectUris ?? [];
    if (input.redirectUris.length > OIDC_REDIRECT_URIS_MAX || logout.length > OIDC_REDIRECT_URIS_MAX) return { ok: false, reason: 'too_many_uris' };
    for (const uri of input.redirectUris) if (redirectUriProblem(uri)) return { ok: false, reason: 'invalid_redirect_uri', value: uri };
    for (const uri of logout) if (redirectUriProblem(uri)) return { ok: false, reason: 'invalid_post_logout_redirect_uri', value: uri };
    const alg = input.idTokenSigningAlg ?? 'ES256';
    if (!(OIDC_CLIENT_ALGS as readonly string[]).includes(alg)) return { ok: false, reason: 'invalid_alg', value: alg };
    const auth = input.tokenEndpointAuthMethod;
    if (auth !== undefined && (input.public === true || !(OIDC_CLIENT_AUTH_METHODS as readonly string[]).includes(auth))) return { ok: false, reason: 'invalid_auth_method', value: auth };
    return { ok: true, name, alg: alg as OidcSigningAlg, auth: input.public === true ? 'none' : ((auth ?? 'client_secret_basic') as OidcTokenEndpointAuthMethod) };
  }

  return {
    async add(input, by) {
      const checked = check(input);
      if (!checked.ok) return checked;
      const isPublic = input.public === true;
      const client: OidcClient = {
        clientId: generateToken(16),
        name: checked.name,
        redirectUris: [...new Set(input.redirectUris)],
        postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris ?? [])],
        firstParty: input.firstParty === true,
        public: isPublic,
        idTokenSigningAlg: checked.alg,
        tokenEndpointAuthMethod: checked.auth,
        createdAt: new Date(clock.now()),
      };
      const clientSecret = isPublic ? undefined : generateToken(32);
      const sealed = clientSecret === undefined ? null : sealText(sealKey, clientSecret);
      const outcome = await transactor.run(async (tx) => {
        const created = await tx.oidcClients.createClient(client, sealed);
        if (created === 'created') {
          await tx.audit.record(
            { type: 'oidc.client_added', outcome: 'success', targetUserId: null, details: { client_id: client.clientId, name: client.name, public: client.public, first_party: client.firstParty } },
            by,
          );
        }
        return created;
      });
      // 128 random bits colliding: never in practice; refused rather than overwritten.
      if (outcome === 'conflict') throw new Error('oidc_client_id_collision');
      return clientSecret === undefined ? { ok: true, client } : { ok: true, client, clientSecret };
    },
    list: () => clients.listClients(),
    async find(clientId) {
      return (await clients.findClient(clientId))?.client;
    },
    async remove(clientId, by) {
      const found = await clients.findClient(clientId);
      if (!found) return { ok: false, reason: 'unknown_client' };
      const removed = await transactor.run(async (tx) => {
        if (!(await tx.oidcClients.deleteClient(clientId))) return false;
        await tx.audit.record({ type: 'oidc.client_removed', outcome: 'success', targetUserId: null, details: { client_id: clientId, name: found.client.name } }, by);
        return true;
      });
      if (!removed) return { ok: false, reason: 'unknown_client' };
      // Payloads in Redis could not join the transaction (in SQL they are already gone).
      await payloads.revokeByClient(clientId);
      return { ok: true, client: found.client };
    },
    openSecret: (secretSealed) => openText(sealKey, secretSealed),
  };
}
