/**
 * Route rules: every route declares, where it is registered, who may call it and (when it
 * changes state) whether it needs the CSRF check. The server refuses to start on a route
 * that forgets, so a new route cannot silently ship unguarded.
 *
 *   app.get('/dashboard', { config: { access: 'signed-in' } }, handler)
 *   app.post('/settings/password', { config: { access: 'signed-in', csrf: 'required' } }, handler)
 *   app.get('/admin/audit', { config: { access: { permission: 'audit:read' } } }, handler)
 *
 * `access` — deny by default, every function-level rule explicit (v5.0.0-8.1.1, v5.0.0-8.2.1):
 *  - `'public'`: anyone; nothing is attached.
 *  - `'signed-in'`: a live session (`request.auth`, re-read from the store on every request).
 *    Without one a page answers 303 to `/login?next=<path+query>`; a route under `/api/`
 *    answers 401 `unauthenticated`.
 *  - `{ permission }`: signed in, and the user's role grants the permission (one table,
 *    domain/users/permissions.ts), else 403 `forbidden` with no data.
 *  The guards run at `onRequest`, on the server, before the body is read or any handler
 *  runs (v5.0.0-8.3.1).
 * `sudo` — `'required'` on a sensitive action (plugins/sudo.ts): the session must have
 *  authenticated within SUDO_SECONDS, else it is sent to /sudo first. Only on non-public routes.
 * `csrf` — every state-changing method (anything but GET, HEAD, OPTIONS) must declare
 *  `'required'` (the check of plugins/csrf.ts runs first in `preValidation`) or `'exempt'`
 *  (no check: for callers that are not browsers and authenticate otherwise, such as an OAuth
 *  token endpoint). It is a declaration rather than a default because an exemption must be
 *  visible where the route is written (v5.0.0-3.5.1). A safe method may not declare
 *  `'required'`: safe methods must not change state at all (v5.0.0-3.5.3).
 * Start-up: the `onRoute` hook throws an Error naming the method and URL, so `ready()` and
 *  `listen()` reject and no server runs with an undeclared route. Register once at the root,
 *  after the session plugin and before every route: a route registered earlier is not seen
 *  (test/http/route-table.test.ts compares the router's table with `app.declaredRoutes`).
 * Third-party routes get no exemption by URL prefix: @fastify/static is registered with
 *  `serve: false` behind the declared `GET /static/*` of static-route.ts, and @fastify/swagger
 *  adds no route (the OpenAPI document is our own declared route). A plugin that adds routes
 *  must be wrapped the same way, or start-up fails on its first undeclared route.
 * 405: `refuseWrongMethod`, called by the not-found handler, answers a known path asked with
 *  another method with 405 and `Allow` (v5.0.0-13.4.4: TRACE and friends are refused).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError } from '../domain/errors.ts';
import { isPermission, type Permission } from '../domain/users/permissions.ts';
import { createCsrfCheck, type CsrfOptions } from './plugins/csrf.ts';
import { requirePermission, requireSignedInApi, requireSignedInPage } from './plugins/guards.ts';
import { createSecondFactorCheck, type SecondFactorPolicy } from './plugins/second-factor-policy.ts';
import { createSudoCheck, type SudoOptions } from './plugins/sudo.ts';

export type AccessRule = 'public' | 'signed-in' | { permission: Permission };
export type CsrfStance = 'required' | 'exempt';

/** One (method, url) as registered, with its rule; what the route-table test walks. */
export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: AccessRule;
  /** Undefined for safe methods that declare nothing. */
  readonly csrf: CsrfStance | undefined;
  /** True when the route is a sensitive action behind sudo mode. */
  readonly sudo: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
    csrf?: CsrfStance;
    /** `'required'`: a sensitive action, open only within SUDO_SECONDS of the last authentication (plugins/sudo.ts). */
    sudo?: 'required';
  }
  interface FastifyInstance {
    readonly declaredRoutes: readonly DeclaredRoute[];
  }
}

export interface RouteRulesOptions {
  csrf: CsrfOptions;
  sudo: SudoOptions;
  /** REQUIRE_2FA_FOR_ADMINS / REQUIRE_2FA_FOR_ALL (plugins/second-factor-policy.ts); none: no policy. */
  secondFactor?: SecondFactorPolicy;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function readAccess(value: unknown, where: string): AccessRule {
  if (value === 'public' || value === 'signed-in') return value;
  if (value === undefined) throw new Error(`${where} declares no access rule: add config.access ('public', 'signed-in' or { permission })`);
  if (typeof value === 'object' && value !== null && 'permission' in value) {
    if (isPermission(value.permission)) return Object.freeze({ permission: value.permission });
    throw new Error(`${where} names an unknown permission ${JSON.stringify(value.permission)} (see domain/users/permissions.ts)`);
  }
  throw new Error(`${where}: config.access ${JSON.stringify(value)} is not 'public', 'signed-in' or { permission }`);
}

function readCsrf(value: unknown, methods: readonly string[], where: string): CsrfStance | undefined {
  const changesState = methods.some((method) => !SAFE_METHODS.has(method));
  if (changesState && methods.some((method) => SAFE_METHODS.has(method))) {
    throw new Error(`${where} mixes safe and state-changing methods: declare them as separate routes`);
  }
  if (value === undefined) {
    if (changesState) throw new Error(`${where} changes state but declares no CSRF stance: add config.csrf ('required' or 'exempt')`);
    return undefined;
  }
  if (value !== 'required' && value !== 'exempt') throw new Error(`${where}: config.csrf ${JSON.stringify(value)} is not 'required' or 'exempt'`);
  if (value === 'required' && !changesState) throw new Error(`${where}: csrf 'required' is meaningless on a safe method, which must not change state`);
  return value;
}

function readSudo(value: unknown, access: AccessRule, where: string): boolean {
  if (value === undefined) return false;
  if (value !== 'required') throw new Error(`${where}: config.sudo ${JSON.stringify(value)} is not 'required'`);
  if (access === 'public') throw new Error(`${where}: sudo 'required' needs a signed-in access rule`);
  return true;
}

function accessHooks(access: AccessRule, url: string) {
  if (access === 'public') return [];
  const signedIn = url.startsWith('/api/') ? requireSignedInApi : requireSignedInPage;
  return access === 'signed-in' ? [signedIn] : [signedIn, requirePermission(access.permission)];
}

/** A fresh array (the auto-added HEAD route shares the caller's option arrays). */
function asArray<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? [...hooks] : [hooks];
}

async function routeRulesPlugin(app: FastifyInstance, options: RouteRulesOptions) {
  const checkCsrf = createCsrfCheck(options.csrf);
  const checkSudo = createSudoCheck(options.sudo);
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);

  app.addHook('onRoute', function enforceRouteRules(route) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const where = `route ${methods.join(',')} ${route.url}`;
    const access = readAccess(route.config?.access, where);
    const csrf = readCsrf(route.config?.csrf, methods, where);
    const sudo = readSudo(route.config?.sudo, access, where);
    const policy = options.secondFactor && access !== 'public' && (options.secondFactor.forAll || (options.secondFactor.forAdmins && access !== 'signed-in'));
    const secondFactorHooks = policy ? [createSecondFactorCheck(options.secondFactor!, route.url, access !== 'signed-in')] : [];
    route.onRequest = [...accessHooks(access, route.url), ...secondFactorHooks, ...asArray(route.onRequest)];
    if (csrf === 'required') route.preValidation = [checkCsrf, ...asArray(route.preValidation)];
    // After the CSRF check (a forged post is refused, not redirected), before any handler.
    if (sudo) route.preHandler = [checkSudo, ...asArray(route.preHandler)];
    for (const method of methods) declared.push(Object.freeze({ method, url: route.url, access, csrf, sudo }));
  });
}

export default fp(routeRulesPlugin, { name: 'route-rules', dependencies: ['session'] });

function byMethodOrder(a: string, b: string): number {
  const rank = (method: string) => (METHOD_ORDER.includes(method) ? METHOD_ORDER.indexOf(method) : METHOD_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * The methods `path` (no query string) answers to, asked of Fastify's own router, so
 * parametric and wildcard routes (`/static/*`) match as they do for a request. HEAD is there
 * wherever GET is (Fastify adds a HEAD route to every GET unless `exposeHeadRoute: false`),
 * OPTIONS only where registered: Allow lists only what is served. Empty for an unknown path.
 * Never throws.
 */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  const known = new Set(app.hasDecorator('declaredRoutes') ? app.declaredRoutes.map((route) => route.method) : []);
  const allowed = [...known].filter((method) => app.findRoute({ method: method as 'GET', url: path }) !== null);
  return allowed.sort(byMethodOrder);
}

/**
 * For the not-found handler: when the request's path is a known route under other methods,
 * sets `Allow` and throws `AuthError('method_not_allowed')` (405). Returns when the path is
 * unknown, or known under this very method (a handler's own `callNotFound`): a 404 then.
 */
export function refuseWrongMethod(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?', 1)[0] ?? request.url;
  const allowed = allowedMethods(request.server, path);
  if (allowed.length === 0 || allowed.includes(request.method)) return;
  reply.header('allow', allowed.join(', '));
  throw new AuthError('method_not_allowed');
}
