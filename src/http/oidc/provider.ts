/**
 * The OpenID Connect provider (issue #13): `oidc-provider` 9 (the certified library),
 * configured for Gatehouse and nothing more.
 *
 * - Authorization code flow only (`response_types: ['code']`, grants code + refresh:
 *   v5.0.0-10.4.4), PKCE S256 required of every client (`plain` is not offered:
 *   v5.0.0-10.4.6), no dynamic registration, no introspection, no device flow. The library
 *   always offers `form_post`; its page's one fixed script is allowed by its SHA-256 hash,
 *   which the library appends to our CSP for that response only (no 'unsafe-inline'). The development login
 *   pages are off: Gatehouse's own sign-in is the login UI (src/http/oidc/oidc-routes.ts).
 * - Lifetimes: authorization codes 60 s (v5.0.0-10.4.3: ≤ 10 min), access tokens 10 min, ID
 *   tokens 1 h, refresh tokens rotate on every use (`rotateRefreshToken`) inside an absolute
 *   14-day lifetime counted from the first one; replaying a rotated refresh token revokes
 *   the whole grant (oidc-provider's reuse detection, v5.0.0-10.4.8).
 * - ID tokens ES256 by default, RS256 only for a client registered for it (v5.0.0-11.6.1);
 *   keys from the key service (encrypted at rest), the provider rebuilt when they rotate.
 * - `findAccount` reads the user on every call and answers undefined for a disabled or
 *   deleted one, so userinfo and refresh stop at once (v5.0.0-7.4.2).
 * - The issuer is `<BASE_URL>/oidc`; every URL the provider prints is built on BASE_URL
 *   (the forwarded headers it reads are set by the mount from BASE_URL, never from the
 *   request's Host), so a forged Host cannot change an endpoint.
 */
import type { IncomingMessage } from 'node:http';
import Provider, { errors, interactionPolicy, type AdapterConstructor, type Configuration, type KoaContextWithOIDC, type JWK } from 'oidc-provider';
import { ACR_VALUES, OIDC_SCOPE_CLAIMS, OIDC_SCOPES, claimsFor } from '../../domain/oidc/claims.ts';
import type { OidcSessionLinks } from '../../domain/oidc/interaction-links.ts';
import type { OidcSubjects } from '../../domain/oidc/subjects.ts';
import type { RequestAuth } from '../plugins/session.ts';

export const OIDC_PREFIX = '/oidc';

/** The interaction result field holding when a `prompt=login` request began (ms, domain clock). */
export const LOGIN_FROM = 'gatehouseLoginFrom';

/** What the Fastify mount hands the provider with each request (set on the raw request). */
export interface GatehouseRequestState {
  auth: RequestAuth | null;
  /** Renders one of our pages into the Koa context (error, logout confirmation, signed out). */
  render(page: OidcRenderedPage): string;
  /**
   * RP-initiated logout was confirmed: ends this browser's Gatehouse session too (it is the
   * single sign-on session) and returns the Set-Cookie line that clears its cookie.
   */
  signOut(): Promise<string | undefined>;
}

export type OidcRenderedPage =
  | { kind: 'error'; error: string; description?: string; status: number }
  | { kind: 'logout'; form: string; clientName?: string }
  | { kind: 'signed-out'; clientName?: string };

const STATE = Symbol.for('gatehouse.oidc.request');

export function attachRequestState(raw: IncomingMessage, state: GatehouseRequestState): void {
  (raw as unknown as Record<symbol, GatehouseRequestState>)[STATE] = state;
}

export function requestStateOf(raw: IncomingMessage): GatehouseRequestState | undefined {
  return (raw as unknown as Record<symbol, GatehouseRequestState | undefined>)[STATE];
}

export interface OidcProviderOptions {
  issuer: string;
  adapter?: AdapterConstructor;
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  subjects: OidcSubjects;
  links: OidcSessionLinks;
  /** Gatehouse's absolute session lifetime: the provider session and a link live no longer. */
  sessionLifetimeSeconds: number;
  /** The domain clock (sessions' times are on it). */
  now: () => number;
  /** Where the provider's unexpected errors are logged (never its tokens: the error alone). */
  logError?: (error: unknown) => void;
}

export const OIDC_TTL = {
  AuthorizationCode: 60,
  AccessToken: 600,
  IdToken: 3600,
  RefreshToken: 14 * 24 * 3600,
  Interaction: 600,
  Grant: 14 * 24 * 3600,
} as const;

const { Check } = interactionPolicy;

/** The login prompt's extra check: a provider session counts only while the Gatehouse session that made it lives. */
function gatehouseSessionCheck(options: Pick<OidcProviderOptions, 'subjects' | 'links'>) {
  return new Check('gatehouse_session', 'The Gatehouse sign-in behind this session has ended', async (ctx) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT; // `no_session` asks already
    if (oidc.result?.login) return Check.NO_NEED_TO_PROMPT; // just verified by our interaction
    const auth = requestStateOf(ctx.req)?.auth;
    const publicId = auth?.session.publicId;
    if (!auth || !publicId) return Check.REQUEST_PROMPT;
    if ((await options.subjects.subjectFor(auth.user.id)) !== oidc.session.accountId) return Check.REQUEST_PROMPT;
    if (!(await options.links.madeSession(publicId, oidc.session.uid))) return Check.REQUEST_PROMPT;
    return Check.NO_NEED_TO_PROMPT;
  });
}

function interactionPolicyWithGatehouse(options: Pick<OidcProviderOptions, 'subjects' | 'links'>) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(gatehouseSessionCheck(options), 1);
  return policy;
}

function renderInto(ctx: KoaContextWithOIDC, page: OidcRenderedPage): void {
  const state = requestStateOf(ctx.req);
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = state ? state.render(page) : '<!doctype html><title>Gatehouse</title><p>Gatehouse</p>';
}

function clientNameOf(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc?.client;
  return client ? (client.clientName ?? client.clientId) : undefined;
}

export function createOidcProvider(options: OidcProviderOptions): Provider {
  const { subjects, links } = options;
  const configuration: Configuration = {
    ...(options.adapter ? { adapter: options.adapter } : {}),
    jwks: options.jwks,
    cookies: {
      keys: options.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    scopes: [...OIDC_SCOPES],
    // Every ID token says how the sign-in was proven (acr, amr) and when (auth_time): the
    // library releases them only when asked, so they ride on the `openid` scope.
    claims: { sid: null, iss: null, ...OIDC_SCOPE_CLAIMS, openid: ['sub', 'acr', 'amr', 'auth_time'] } as Configuration['claims'],
    acrValues: [...ACR_VALUES],
    // Profile and email claims in the ID token too: many applications read only that.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256'],
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      claimsParameter: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => renderInto(ctx, { kind: 'logout', form, clientName: clientNameOf(ctx) }),
        postLogoutSuccessSource: async (ctx) => renderInto(ctx, { kind: 'signed-out', clientName: clientNameOf(ctx) }),
      },
    },
    // A refresh token for every client allowed the refresh grant (all of ours); without
    // `offline_access` it ends with the provider session, which ends with the Gatehouse one.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AuthorizationCode: OIDC_TTL.AuthorizationCode,
      AccessToken: OIDC_TTL.AccessToken,
      IdToken: OIDC_TTL.IdToken,
      Interaction: OIDC_TTL.Interaction,
      Grant: OIDC_TTL.Grant,
      Session: options.sessionLifetimeSeconds,
      // Absolute: a rotated token inherits what is left of the first one's lifetime.
      RefreshToken: (ctx) => ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? OIDC_TTL.RefreshToken,
    },
    interactions: {
      async url(_ctx, interaction) {
        // prompt=login: only an authentication after this moment counts (oidc-routes.ts). The
        // moment is kept in the interaction itself, server side, on the domain clock.
        if (interaction.prompt.name === 'login' && interaction.prompt.reasons.includes('login_prompt')) {
          interaction.result = { ...interaction.result, [LOGIN_FROM]: options.now() };
          await interaction.save(Math.max(1, (interaction.exp ?? 0) - Math.floor(Date.now() / 1000)));
        }
        return `${OIDC_PREFIX}/interaction/${interaction.uid}`;
      },
      policy: interactionPolicyWithGatehouse(options),
    },
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
      const grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      // Right after our interaction signed this provider session in: tie it (and the grant it
      // reuses) to the Gatehouse session, so signing that out ends both.
      const publicId = requestStateOf(ctx.req)?.auth?.session.publicId;
      if (oidc.result?.login && oidc.session?.accountId && publicId) {
        await links.link(publicId, { accountId: oidc.session.accountId, providerSessionUid: oidc.session.uid, grantId: grant?.jti }, options.sessionLifetimeSeconds);
      }
      return grant;
    },
    async findAccount(_ctx, sub) {
      const user = await subjects.accountFor(sub);
      if (!user || user.disabled) return undefined;
      return {
        accountId: sub,
        claims: (_use: string, scope: string) => claimsFor(user, sub, new Set(scope.split(' '))) as { sub: string },
      };
    },
    async renderError(ctx, out, error) {
      const status = error instanceof errors.OIDCProviderError ? error.statusCode : 500;
      renderInto(ctx, { kind: 'error', error: String(out.error ?? 'server_error'), description: typeof out.error_description === 'string' ? out.error_description : undefined, status });
    },
    discovery: { service_documentation: undefined },
  };
  const provider = new Provider(options.issuer, configuration);
  // A confirmed RP-initiated logout (the provider session is gone by now) also signs this
  // browser out of Gatehouse: otherwise the next sign-in at the application would go through
  // silently on the Gatehouse session, which is the single sign-on session.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status >= 400 || !ctx.oidc.params?.logout) return;
    const cookie = await requestStateOf(ctx.req)?.signOut();
    if (cookie) ctx.append('set-cookie', cookie);
  });
  // Every request reaches the provider through the mount, which sets X-Forwarded-Proto/Host
  // from BASE_URL and X-Forwarded-For from Fastify's TRUST_PROXY-aware client address.
  provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, error: unknown) => options.logError?.(error));
  return provider;
}
