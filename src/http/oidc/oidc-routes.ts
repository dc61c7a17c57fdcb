/**
 * The OpenID Connect provider under /oidc (issue #13; CONTRACT row `/oidc/…`).
 *
 * Mounting: oidc-provider is a Koa application. It gets every `/oidc/*` request that no
 * route of ours answers, through one declared catch-all per method family (GET/HEAD and
 * OPTIONS public; POST public and CSRF-exempt: the token, revocation and userinfo endpoints
 * authenticate clients their own way, and the provider's own forms carry its own
 * anti-forgery field). In this encapsulated context Fastify parses no body (the provider
 * reads the stream itself), the reply is hijacked, the `/oidc` prefix is stripped (with
 * `originalUrl` kept, which is how the provider learns where it is mounted), and the
 * security headers computed for the request (CSP without inline script, framing denied,
 * no-store) are copied onto the raw response first, so the provider's HTML gets them too.
 * X-Forwarded-Proto/Host are set from BASE_URL and X-Forwarded-For from Fastify's
 * TRUST_PROXY-aware client address (`provider.proxy` is on): the provider builds every URL
 * on BASE_URL and sees the real client, whatever a client sends. Nothing here redirects
 * HTTP to HTTPS (v5.0.0-4.1.2).
 *
 * Interactions (our pages, `GET /oidc/interaction/:uid`):
 * - login: a Gatehouse session whose last authentication is recent enough (`max_age`, and
 *   after the request began for `prompt=login`) finishes the step with the user's subject,
 *   `acr`/`amr` from the session and its authentication time. Otherwise the browser goes to
 *   `/login?next=…` (not signed in: the route's `signed-in` rule) or `/sudo?next=…` (signed in,
 *   authentication too old), signs in there (second factor included) and comes back. The
 *   second-factor policy and the sign-in gates hold here as on every account page.
 * - consent: first-party clients skip it (v5.0.0-10.7.1); others get a page naming the
 *   client, the scopes in words and the lifetime, with Allow/Deny forms carrying the CSRF
 *   token (v5.0.0-10.7.2). Each grant is recorded against the Gatehouse session that gave it
 *   (domain/oidc/interaction-links.ts), so signing out ends it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AdapterConstructor, JWK } from 'oidc-provider';
import { z } from 'zod';
import type { SessionConfig } from '../../config.ts';
import { auditContext } from '../audit-context.ts';
import { authenticationContext, knownScopes } from '../../domain/oidc/claims.ts';
import type { OidcSessionLinks } from '../../domain/oidc/interaction-links.ts';
import type { OidcClientStore, OidcPayloadStore } from '../../domain/ports.ts';
import type { OidcSubjects } from '../../domain/oidc/subjects.ts';
import { lastAuthenticatedAt } from '../../domain/sessions/session.ts';
import type { MessageKey } from '../../messages/catalog.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import { requirePassedGates } from '../pages/gates.ts';
import type { PageTools } from '../pages/page-tools.ts';
import { sudoPath } from '../plugins/sudo.ts';
import { textField } from '../text-field.ts';
import { attachRequestState, createOidcProvider, LOGIN_FROM, OIDC_PREFIX, OIDC_TTL, type OidcRenderedPage } from './provider.ts';
import { consentPage, logoutConfirmPage, oidcErrorPage, signedOutPage } from './oidc-views.ts';

const HTML = 'text/html; charset=utf-8';

/** What the provider needs from the application (AppDependencies.oidc, plus the adapter class). */
export interface OidcHttpDependencies {
  /** oidc-provider's Adapter class over the stores (src/storage/oidc/adapter.ts); none: the library's in-memory one (development only). */
  adapter?: AdapterConstructor;
  clientStore: Pick<OidcClientStore, 'findClient'>;
  signingKeys: { privateJwks(): Promise<{ keys: JWK[] }>; version(): Promise<string> };
  payloads: OidcPayloadStore;
  subjects: OidcSubjects;
  links: OidcSessionLinks;
}

export interface OidcRoutesOptions {
  deps: Pick<HttpDependencies, 'clock' | 'audit' | 'keys' | 'login'> & { oidc: OidcHttpDependencies };
  /** The Gatehouse session cookie (a confirmed RP-initiated logout clears it). */
  cookie: SessionConfig;
  pages: PageTools;
  /** BASE_URL, read per request (PORT=0 is known only once listening). */
  baseUrl: () => string;
  sessionLifetimeSeconds: number;
  /** How often at most the key version is asked for, on the domain clock (a rotation by another process is picked up within this; 30 s). */
  keyCheckSeconds?: number;
  logError?: (error: unknown) => void;
}

/** The provider for the current issuer and key set, rebuilt when either changes. */
export function createProviderHolder(options: OidcRoutesOptions) {
  const { deps } = options;
  const checkMs = (options.keyCheckSeconds ?? 30) * 1000;
  let current: { issuer: string; version: string; provider: Provider; handler: ReturnType<Provider['callback']> } | undefined;
  let checkedAt = 0;
  let pending: Promise<void> | undefined;

  async function refresh(issuer: string) {
    const version = await deps.oidc.signingKeys.version();
    checkedAt = deps.clock.now();
    if (current && current.issuer === issuer && current.version === version) return;
    const jwks = await deps.oidc.signingKeys.privateJwks();
    const provider = createOidcProvider({
      issuer,
      adapter: deps.oidc.adapter,
      jwks,
      cookieKeys: [deps.keys.cookies.toString('base64url')],
      subjects: deps.oidc.subjects,
      links: deps.oidc.links,
      sessionLifetimeSeconds: options.sessionLifetimeSeconds,
      now: () => deps.clock.now(),
      logError: options.logError,
    });
    current = { issuer, version, provider, handler: provider.callback() };
  }

  return {
    issuer: () => `${options.baseUrl().replace(/\/+$/, '')}${OIDC_PREFIX}`,
    async get(): Promise<{ provider: Provider; handler: ReturnType<Provider['callback']> }> {
      const issuer = this.issuer();
      if (!current || current.issuer !== issuer || deps.clock.now() - checkedAt > checkMs) {
        pending ??= refresh(issuer).finally(() => (pending = undefined));
        await pending;
      }
      return current!;
    },
  };
}

/** Sets what the provider reads from the raw request: forwarded headers from BASE_URL, the mount path, our state. */
function prepareRaw(request: FastifyRequest, reply: FastifyReply, baseUrl: string, pages: PageTools, signOut: () => Promise<string | undefined> = async () => undefined) {
  const raw = request.raw;
  const base = new URL(baseUrl);
  raw.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
  raw.headers['x-forwarded-host'] = base.host;
  raw.headers['x-forwarded-for'] = request.ip;
  delete raw.headers.forwarded;
  attachRequestState(raw, {
    auth: request.auth,
    render: (page) => renderPage(request, reply, pages, page),
    signOut,
  });
}

const TITLES: Readonly<Record<OidcRenderedPage['kind'], MessageKey>> = {
  error: 'page.oidc.error.title',
  logout: 'page.oidc.logout.title',
  'signed-out': 'page.oidc.signed_out.title',
};

function renderPage(request: FastifyRequest, reply: FastifyReply, pages: PageTools, view: OidcRenderedPage): string {
  const page = pages.context(request, reply, TITLES[view.kind]);
  if (view.kind === 'error') return oidcErrorPage(page, view);
  if (view.kind === 'logout') return logoutConfirmPage(page, view);
  return signedOutPage(page, view);
}

const uidParams = z.object({ uid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const consentForm = z.object({ decision: z.enum(['approve', 'deny']), csrf_token: textField(200).optional() });

export async function oidcRoutes(app: FastifyInstance, options: OidcRoutesOptions) {
  const { deps, pages } = options;
  const { oidc } = deps;
  const providers = createProviderHolder(options);

  /** Ends this request's Gatehouse session (audited as a sign-out) and says how to clear its cookie. */
  function signOutOf(request: FastifyRequest) {
    return async () => {
      if (!request.sessionToken) return undefined;
      await deps.login.signOut(request.sessionToken, request.auth ? { userId: request.auth.user.id, by: auditContext(request) } : undefined);
      const { cookie } = options;
      return `${cookie.cookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${cookie.secureCookie ? '; Secure' : ''}`;
    };
  }

  async function mount(request: FastifyRequest, reply: FastifyReply) {
    const { handler } = await providers.get();
    const raw = request.raw;
    const url = raw.url ?? '/';
    const basePath = new URL(options.baseUrl()).pathname.replace(/\/+$/, '');
    prepareRaw(request, reply, options.baseUrl(), pages, signOutOf(request));
    (raw as unknown as { originalUrl: string }).originalUrl = `${basePath}${url}`;
    raw.url = url.slice(OIDC_PREFIX.length) || '/';
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | string[]);
    }
    reply.hijack();
    await handler(raw, reply.raw);
  }

  // The mount: its own context, where the provider reads its own bodies (no parser consumes
  // the stream); our interaction routes below keep the form parser and the CSRF check.
  await app.register(async function oidcMount(mountContext) {
    mountContext.removeAllContentTypeParsers();
    mountContext.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    mountContext.route({ method: 'GET', url: `${OIDC_PREFIX}/*`, config: { access: 'public' }, handler: mount });
    mountContext.route({ method: 'OPTIONS', url: `${OIDC_PREFIX}/*`, config: { access: 'public' }, handler: mount });
    mountContext.route({ method: 'POST', url: `${OIDC_PREFIX}/*`, config: { access: 'public', csrf: 'exempt' }, handler: mount });
  });

  function showError(request: FastifyRequest, reply: FastifyReply, status: number, error: string) {
    return reply.code(status).type(HTML).send(renderPage(request, reply, pages, { kind: 'error', error, status }));
  }

  /** The interaction of this browser named `uid`, or undefined (expired, used, another browser's). */
  async function interactionOf(request: FastifyRequest, reply: FastifyReply, provider: Provider, uid: string) {
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      return details.uid === uid ? details : undefined;
    } catch {
      return undefined;
    }
  }

  // Signed in: without a session the route rules answer 303 to /login?next=<this page>, and
  // REQUIRE_2FA_FOR_ALL/ADMINS apply as on every account page; a standing gate (a password to
  // change) is passed first.
  app.get(`${OIDC_PREFIX}/interaction/:uid`, { config: { access: 'signed-in' }, preHandler: requirePassedGates }, async (request, reply) => {
    const params = uidParams.safeParse(request.params);
    // An interaction is this browser's (a signed cookie names it): another's uid, an expired or
    // a finished one is not found here.
    if (!params.success) return showError(request, reply, 404, 'session_not_found');
    const { provider } = await providers.get();
    prepareRaw(request, reply, options.baseUrl(), pages);
    const details = await interactionOf(request, reply, provider, params.data.uid);
    if (!details) return showError(request, reply, 404, 'session_not_found');
    const here = `${OIDC_PREFIX}/interaction/${details.uid}`;
    // prompt=login: only an authentication after the request began counts; the provider kept
    // when in the interaction (provider.ts, `interactions.url`). Missing: not before now.
    const loginRequested = details.prompt.name === 'login' && details.prompt.reasons.includes('login_prompt');
    const recorded = Number((details.result as Record<string, unknown> | undefined)?.[LOGIN_FROM]);
    const reauthFrom = Number.isFinite(recorded) ? recorded : deps.clock.now();
    const auth = request.auth;
    if (!auth) return reply.code(303).redirect(`/login?next=${encodeURIComponent(here)}`);
    const subject = await oidc.subjects.subjectFor(auth.user.id);
    if (!subject) return showError(request, reply, 403, 'access_denied');

    if (details.prompt.name === 'login') {
      const authenticatedAt = lastAuthenticatedAt(auth.session).getTime();
      const maxAge = Number(details.params.max_age);
      const forced = loginRequested && authenticatedAt <= reauthFrom;
      const tooOld = Number.isFinite(maxAge) && deps.clock.now() - authenticatedAt > maxAge * 1000;
      // Signed in, but not recently enough: confirm the password again (sudo), then back here.
      if (forced || tooOld) return reply.code(303).redirect(sudoPath(here));
      const { acr, amr } = authenticationContext(auth.session.authMethods);
      const returnTo = await provider.interactionResult(
        request.raw,
        reply.raw,
        { login: { accountId: subject, acr, amr, ts: Math.floor(authenticatedAt / 1000), remember: true } },
        { mergeWithLastSubmission: false },
      );
      return reply.code(303).redirect(returnTo);
    }

    if (details.prompt.name === 'consent') {
      if (details.session?.accountId !== subject) return showError(request, reply, 403, 'wrong_account');
      const clientId = String(details.params.client_id ?? '');
      const registered = await oidc.clientStore.findClient(clientId);
      if (!registered) return showError(request, reply, 400, 'invalid_client');
      if (registered.client.firstParty) return finishConsent(request, reply, provider, details, subject);
      const page = { ...pages.context(request, reply, 'page.oidc.consent.title') };
      const scopes = knownScopes(String(details.params.scope ?? ''));
      return reply.type(HTML).send(consentPage(page, { uid: details.uid, clientName: registered.client.name, scopes, lifetimeDays: Math.round(OIDC_TTL.Grant / 86_400) }));
    }
    return showError(request, reply, 400, 'invalid_request');
  });

  type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

  async function finishConsent(request: FastifyRequest, reply: FastifyReply, provider: Provider, details: Details, accountId: string) {
    const clientId = String(details.params.client_id);
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const publicId = request.auth!.session.publicId;
    if (publicId) await oidc.links.link(publicId, { accountId, grantId, providerSessionUid: details.session?.uid }, options.sessionLifetimeSeconds);
    if (!existing) {
      await deps.audit.record(
        { type: 'oidc.consent_granted', outcome: 'success', targetUserId: request.auth!.user.id, details: { client_id: clientId, scopes: (missing.missingOIDCScope ?? []).join(' ') } },
        auditContext(request),
      );
    }
    const returnTo = await provider.interactionResult(request.raw, reply.raw, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
    return reply.code(303).redirect(returnTo);
  }

  app.post(`${OIDC_PREFIX}/interaction/:uid/consent`, { config: { access: 'signed-in', csrf: 'required' }, preHandler: requirePassedGates }, async (request, reply) => {
    const params = uidParams.safeParse(request.params);
    if (!params.success) return showError(request, reply, 404, 'session_not_found');
    const { provider } = await providers.get();
    prepareRaw(request, reply, options.baseUrl(), pages);
    const details = await interactionOf(request, reply, provider, params.data.uid);
    if (!details || details.prompt.name !== 'consent') return showError(request, reply, 404, 'session_not_found');
    const form = consentForm.safeParse(request.body);
    if (!form.success) return showError(request, reply, 400, 'invalid_request');
    const subject = await oidc.subjects.subjectFor(request.auth!.user.id);
    if (!subject || details.session?.accountId !== subject) return showError(request, reply, 403, 'wrong_account');
    if (form.data.decision === 'deny') {
      const returnTo = await provider.interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'End-User denied the request' }, { mergeWithLastSubmission: false });
      return reply.code(303).redirect(returnTo);
    }
    return finishConsent(request, reply, provider, details, subject);
  });
}
