/**
 * buildServer(deps, config): the Fastify application, fully wired, never listening (tests
 * call `inject` or `listen`; `main.ts` listens). Root plugins, in order: security headers,
 * the request-rate limit, cookies, form bodies, sessions, route rules (every route declares
 * who may call it and its CSRF stance, enforced and checked at start-up). Then the contexts:
 * static files, public, account and settings pages (HTML errors), and the API under
 * /api/v1 (JSON errors).
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { lazyChildLogger, loggerOptions, wantsPrettyLogs } from '../logger.ts';
import { apiRoutes } from './api/auth-routes.ts';
import { loadAssets, PUBLIC_DIR } from './assets.ts';
import type { HttpDependencies } from './dependencies-types.ts';
import { registerErrorHandlers } from './error-handler.ts';
import { zodResponseSerializer } from './serializer.ts';
import { accountPages } from './pages/account-pages.ts';
import { createPageErrorResponder } from './pages/error-responder.ts';
import { createPageTools } from './pages/page-tools.ts';
import { publicPages } from './pages/public-pages.ts';
import { recoveryPages } from './pages/recovery-pages.ts';
import { addressPages, withUnverifiedSignInPage } from './pages/address-pages.ts';
import { settingsPages } from './pages/settings-pages.ts';
import { sessionPages } from './pages/session-pages.ts';
import { securityPages } from './pages/security-pages.ts';
import { twoFactorPages } from './pages/two-factor-pages.ts';
import { adminPages } from './pages/admin-pages.ts';
import { adminOidcPages } from './pages/admin-oidc-pages.ts';
import { passkeyPages } from './pages/passkey-pages.ts';
import { connectedAppsPages } from './pages/connected-apps-pages.ts';
import { oidcRoutes } from './oidc/oidc-routes.ts';
import securityHeaders from './plugins/security-headers.ts';
import session from './plugins/session.ts';
import throttle from './plugins/throttle.ts';
import { createPeerTrust } from './forward-auth/trusted-peer.ts';
import locale, { rememberAccountLocale } from './locale.ts';
import routeRules from './route-rules.ts';
import { staticRoute } from './static-route.ts';
import { forwardAuthRoutes } from './forward-auth/verify-routes.ts';

export interface BuildServerOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /**
   * The public URL and origin, read per request: with PORT=0 they are known only once the
   * server listens (main.ts). Default: the configuration's.
   */
  publicUrl?: () => { baseUrl: string; origin: string };
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export async function buildServer(deps: HttpDependencies, config: Config, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream, wantsPrettyLogs(config.env, options.logStream)),
    childLoggerFactory: lazyChildLogger,
    // A hop count means: trust that many proxies nearest to us (proxy-addr semantics).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // Slow clients (slowloris, a body that never finishes): the whole request, headers and
    // body, must arrive within REQUEST_TIMEOUT_SECONDS, else 408 and the socket is closed.
    // Node checks these deadlines on a timer (every 30 s by default); it runs every quarter of
    // the timeout here so the bound holds for short timeouts too. `keepAliveTimeout` stays Fastify's 72 s (idle between requests, and
    // longer than a proxy's idle timeout so the proxy never reuses a socket we are closing).
    requestTimeout: config.requestTimeoutSeconds * 1000,
    http: {
      requestTimeout: config.requestTimeoutSeconds * 1000,
      headersTimeout: config.requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, config.requestTimeoutSeconds * 250)),
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(zodResponseSerializer);
  // Only JSON and urlencoded bodies are accepted: text/plain (a classic CSRF vector) gets 415.
  app.removeContentTypeParser(['text/plain']);

  await app.register(securityHeaders, { production: config.env === 'production' });
  await app.register(throttle, {
    requestThrottle: deps.requestThrottle,
    enabled: config.throttle.globalRateLimitPerMinute > 0,
    isTrustedProxy: createPeerTrust(config.trustProxy),
  });
  await app.register(cookie, { secret: deps.keys.cookies.toString('hex') });
  await app.register(locale, { secureCookie: config.sessions.secureCookie });
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(session, { sessions: deps.sessions, config: config.sessions });
  app.addHook('preHandler', rememberAccountLocale(deps.users));
  // Every route below declares its access rule and CSRF stance; an undeclared one stops start-up.
  const publicUrl = options.publicUrl ?? (() => config);
  await app.register(routeRules, {
    csrf: {
      key: deps.keys.csrf,
      get origin() {
        return publicUrl().origin;
      },
    },
    secondFactor: {
      forAdmins: config.requireTwoFactorForAdmins,
      forAll: config.requireTwoFactorForAll,
      hasSecondFactor: async (userId) => (await deps.twoFactor.isEnabled(userId)) || (await deps.passkeys.hasPasskey(userId)),
    },
    sudo: {
      seconds: config.sudoSeconds,
      now: () => deps.clock.now(),
      get origin() {
        return publicUrl().origin;
      },
    },
  });

  const pages = createPageTools({
    csrfKey: deps.keys.csrf,
    sessions: config.sessions,
    passwords: config.passwords,
    assets: loadAssets(),
  });
  // Pages: HTML errors (this root context also answers what no route matched outside /api/v1).
  registerErrorHandlers(app, withUnverifiedSignInPage(createPageErrorResponder(pages), pages), deps.isDatabaseUp);
  app.decorate('signInRules', { requireEmailVerification: config.requireEmailVerification });
  // Where `rd` may send a browser after sign-in (forward-auth/return-target.ts).
  app.decorate('returnTargets', { domains: config.forwardAuth.domains, allowHttp: config.env === 'development' });
  await app.register(staticRoute, { root: PUBLIC_DIR });
  await app.register(publicPages, { deps, config, pages });
  await app.register(accountPages, { deps, pages });
  await app.register(settingsPages, { deps, pages });
  await app.register(recoveryPages, { deps, pages, sessions: config.sessions });
  await app.register(sessionPages, { deps, pages, cookie: config.sessions });
  await app.register(securityPages, { deps, pages, sudoSeconds: config.sudoSeconds });
  await app.register(twoFactorPages, { deps, pages, cookie: config.sessions, hasPasskeys: (userId) => deps.passkeys.hasPasskey(userId) });
  await app.register(adminPages, { deps, pages });
  await app.register(adminOidcPages, { deps, pages, baseUrl: () => publicUrl().baseUrl });
  await app.register(passkeyPages, { deps, pages, cookie: config.sessions });
  await app.register(addressPages, { deps, pages, sessions: config.sessions });
  await app.register(forwardAuthRoutes, {
    deps,
    forwardAuth: config.forwardAuth,
    cookie: config.sessions,
    trustProxy: config.trustProxy,
    allowHttp: config.env === 'development',
    requireSecondFactor: config.requireTwoFactorForAll,
    jwtSeed: deps.keys.forwardAuthJwt,
    baseUrl: () => publicUrl().baseUrl,
  });
  // The OpenID Connect provider under /oidc (issue #13) and the user's connected apps.
  await app.register(oidcRoutes, {
    deps,
    pages,
    cookie: config.sessions,
    baseUrl: () => publicUrl().baseUrl,
    sessionLifetimeSeconds: config.sessions.absoluteLifetimeSeconds,
    logError: (error) => app.log.error({ err: error }, 'OpenID Connect provider error'),
  });
  await app.register(connectedAppsPages, { deps, pages });
  // The API: its own context, with JSON errors and its own 404/405.
  await app.register(apiRoutes, { prefix: '/api/v1', deps, config, pages, baseUrl: () => publicUrl().baseUrl });
  return app;
}
