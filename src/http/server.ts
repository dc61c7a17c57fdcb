/**
 * buildServer(deps, config): the Fastify application, fully wired, never listening (tests
 * call `inject` or `listen`; `main.ts` listens). Contexts: public pages, signed-in pages,
 * the API; plugins: security headers, cookies, form bodies, sessions, CSRF.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { loggerOptions } from '../logger.ts';
import { apiRoutes } from './api/auth-routes.ts';
import { loadAssets, PUBLIC_DIR } from './assets.ts';
import type { HttpDependencies } from './dependencies-types.ts';
import { registerErrorHandlers } from './error-handler.ts';
import { zodResponseSerializer } from './serializer.ts';
import { accountPages } from './pages/account-pages.ts';
import { createPageTools } from './pages/page-tools.ts';
import { publicPages } from './pages/public-pages.ts';
import { settingsPages } from './pages/settings-pages.ts';
import { errorPage } from './pages/views/pages.ts';
import csrf from './plugins/csrf.ts';
import securityHeaders from './plugins/security-headers.ts';
import session from './plugins/session.ts';
import throttle from './plugins/throttle.ts';

export interface BuildServerOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export async function buildServer(deps: HttpDependencies, config: Config, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
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

  const pages = createPageTools({
    csrfKey: deps.keys.csrf,
    sessions: config.sessions,
    passwords: config.passwords,
    assets: loadAssets(),
  });
  registerErrorHandlers(
    app,
    (request, reply, status, message) => errorPage(pages.context(request, reply, 'Error'), status, message),
    deps.isDatabaseUp,
  );

  await app.register(securityHeaders, { production: config.env === 'production' });
  await app.register(throttle, {
    requestThrottle: deps.requestThrottle,
    enabled: config.throttle.globalRateLimitPerMinute > 0,
  });
  await app.register(cookie, { secret: deps.keys.cookies.toString('hex') });
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/static/',
    immutable: true,
    maxAge: '365d',
    index: false,
    preCompressed: true,
    wildcard: false,
  });
  await app.register(session, { sessions: deps.sessions, config: config.sessions });
  await app.register(csrf, { key: deps.keys.csrf, origin: config.origin });

  await app.register(publicPages, { deps, config, pages });
  await app.register(accountPages, { deps, pages });
  await app.register(settingsPages, { deps, pages });
  await app.register(apiRoutes, { deps, config });
  return app;
}
