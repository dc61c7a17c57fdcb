/**
 * Forward-auth for reverse proxies (issue #13): one decision, two dialects (Authelia's split,
 * authelia/authelia:internal/handlers/handler_authz_builder.go).
 *   GET /auth/verify        Traefik ForwardAuth, Caddy forward_auth: the target from
 *                           X-Forwarded-Proto, -Host, -Uri (-Method for 302 against 303).
 *   GET /auth/verify/nginx  nginx auth_request: the target from X-Original-URL (-Method);
 *                           never 3xx (nginx turns anything but 2xx/401/403 into a 500), so a
 *                           signed-out visitor gets 401 with `Location` for `error_page`.
 *   GET /auth/jwks.json     the public key of X-Gatehouse-Jwt.
 * Order of checks: the socket peer must be a TRUST_PROXY address (else 403, JSON), the rules
 * (`?group=`, `?mfa=1`, `?max_age=N`) must parse (else 403), the target must pass the
 * FORWARD_AUTH_DOMAINS allowlist (else 403); then the session, from the Gatehouse session
 * cookie (read by the session plugin) or the proxy cookie, checked against the store on every
 * call (ASVS v5.0.0-7.2.1: one indexed read, a touch at most once per touch interval).
 * Allowed: 200, empty body, `Cache-Control: no-store`, Remote-User/-Email/-Name/-Groups always
 * set (the proxy copies them over whatever the client sent) and X-Gatehouse-Jwt. Signed in but
 * refused by a rule: 403, JSON, or for a browser navigation on /auth/verify a page saying what
 * to do (refusal-page.ts; max_age: confirm the password at /sudo, which returns to the target).
 * Hot path: no CSRF (a GET that changes nothing), no HTML, no locale write, and from a trusted
 * proxy no global request-rate count (plugins/throttle.ts). Refusals (403)
 * are audited, coalesced per minute; every decision is counted in memory and the counts are
 * logged every COUNTS_LOG_INTERVAL_MS (and at shutdown) as `forward-auth decisions`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ForwardAuthConfig, SessionConfig } from '../../config.ts';
import { createDenialRecorder, type DenialReason } from '../../domain/forward-auth/denials.ts';
import { type AccessRules, decideAccess, groupsOf } from '../../domain/forward-auth/rules.ts';
import { signingKeyFromSeed } from '../../domain/forward-auth/signing-key.ts';
import { checkTarget, type TargetCheck, targetFromForwarded, type TargetPolicy } from '../../domain/forward-auth/target.ts';
import { lastAuthenticatedAt } from '../../domain/sessions/session.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';
import { formatMessage, type MessageKey } from '../../messages/catalog.ts';
import { auditContext } from '../audit-context.ts';
import type { HttpDependencies } from '../dependencies-types.ts';
import type { RequestAuth } from '../plugins/session.ts';
import { createProxyJwtSigner } from './jwt.ts';
import { type AccountRefusal, REFUSAL_STYLE_SOURCE, refusalPage } from './refusal-page.ts';
import { createPeerTrust, type TrustProxySetting } from './trusted-peer.ts';

export interface ForwardAuthRoutesOptions {
  deps: Pick<HttpDependencies, 'sessions' | 'audit' | 'clock'>;
  forwardAuth: ForwardAuthConfig;
  cookie: SessionConfig;
  trustProxy: TrustProxySetting;
  /** NODE_ENV=development: plain http targets are accepted. */
  allowHttp: boolean;
  /** REQUIRE_2FA_FOR_ALL: a session without a second factor opens nothing here either. */
  requireSecondFactor: boolean;
  /** 32 bytes from SECRET_KEY for the JWT signing key (deriveKey(…, 'forward-auth-jwt')). */
  jwtSeed: Buffer;
  baseUrl: () => string;
}

export const COUNTS_LOG_INTERVAL_MS = 5 * 60_000;

/**
 * The rules of the verify URL. Other parameters are ignored: Caddy's forward_auth keeps the
 * original request's query string on `uri /auth/verify`. A rule given twice (the operator's
 * and one a client appended) is invalid, so a client can never loosen a location's rule.
 */
const rulesQuery = z.object({
  group: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional(),
  mfa: z.enum(['0', '1']).optional(),
  max_age: z.string().regex(/^\d{1,9}$/).optional(),
});

type Dialect = 'forwarded' | 'nginx';

/** Header values are one line of visible ASCII; anything else is percent-encoded (UTF-8). */
function headerValue(value: string): string {
  return /^[\u0020-\u007e]*$/.test(value) ? value : encodeURIComponent(value);
}

/** A browser navigation asks for HTML (fetch's and curl's default `*\/*` does not). */
function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && /\btext\/html\b/i.test(accept);
}

function wantsJson(request: FastifyRequest): boolean {
  if (request.headers['x-requested-with'] === 'XMLHttpRequest') return true;
  const accept = request.headers.accept;
  return typeof accept === 'string' && /\bapplication\/json\b/i.test(accept);
}

export async function forwardAuthRoutes(app: FastifyInstance, options: ForwardAuthRoutesOptions) {
  const { deps, forwardAuth, cookie } = options;
  const policy: TargetPolicy = { domains: forwardAuth.domains, allowHttp: options.allowHttp };
  const peerIsTrusted = createPeerTrust(options.trustProxy);
  const signer = await createProxyJwtSigner(signingKeyFromSeed(options.jwtSeed));
  const denials = createDenialRecorder({ audit: deps.audit, clock: deps.clock, onError: (error) => app.log.error({ err: error }, 'forward-auth: audit write failed') });
  const counts = { allowed: 0, unauthenticated: 0, denied: 0 };

  function logCounts() {
    if (counts.allowed + counts.unauthenticated + counts.denied === 0) return;
    app.log.info({ forwardAuth: { ...counts } }, 'forward-auth decisions');
    counts.allowed = 0;
    counts.unauthenticated = 0;
    counts.denied = 0;
  }
  const timer = setInterval(logCounts, COUNTS_LOG_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    logCounts();
  });

  function recordRefusal(request: FastifyRequest, reason: DenialReason, host: string | null, auth: RequestAuth | null) {
    counts.denied += 1;
    denials.record({ reason, userId: auth?.user.id ?? null, host, clientKey: throttleKeyForIp(request.ip) }, { ...auditContext(request), actorUserId: auth?.user.id ?? null });
  }

  function refuse(request: FastifyRequest, reply: FastifyReply, reason: DenialReason, host: string | null, auth: RequestAuth | null) {
    recordRefusal(request, reason, host, auth);
    return reply
      .code(403)
      .header('cache-control', 'no-store')
      .send({ error: 'forbidden', reason, message: formatMessage(`forward_auth.${reason}` as MessageKey, {}, request.locale) });
  }

  /** A signed-in visitor refused by a rule: the same 403 and audit row; a browser gets the page that says what to do. */
  function refuseAccount(request: FastifyRequest, reply: FastifyReply, dialect: Dialect, reason: AccountRefusal, target: { url: string; host: string }, auth: RequestAuth) {
    if (dialect === 'nginx' || wantsJson(request) || !acceptsHtml(request)) return refuse(request, reply, reason, target.host, auth);
    recordRefusal(request, reason, target.host, auth);
    const page = refusalPage({ locale: request.locale, reason, username: auth.user.username, baseUrl: options.baseUrl(), targetUrl: target.url });
    // The usual policy, but styles only from the page's own style element (by its hash).
    const csp = String(reply.getHeader('content-security-policy') ?? '').replace("style-src 'self'", `style-src ${REFUSAL_STYLE_SOURCE}`);
    return reply.code(403).header('cache-control', 'no-store').header('content-security-policy', csp).type('text/html; charset=utf-8').send(page);
  }

  /** The session of the Gatehouse cookie, else of the proxy cookie; null when neither is live. */
  async function sessionOf(request: FastifyRequest): Promise<RequestAuth | null> {
    if (request.auth) return request.auth;
    const proxyToken = cookie.proxyCookie ? request.cookies[cookie.proxyCookie.name] : undefined;
    return proxyToken ? ((await deps.sessions.validateProxyToken(proxyToken)) ?? null) : null;
  }

  function targetOf(request: FastifyRequest, dialect: Dialect): TargetCheck {
    const h = request.headers;
    if (dialect === 'nginx') return checkTarget(h['x-original-url'], policy);
    return targetFromForwarded({ proto: h['x-forwarded-proto'], host: h['x-forwarded-host'], uri: h['x-forwarded-uri'] }, policy);
  }

  function originalMethod(request: FastifyRequest, dialect: Dialect): string {
    const value = request.headers[dialect === 'nginx' ? 'x-original-method' : 'x-forwarded-method'];
    return typeof value === 'string' ? value.toUpperCase() : 'GET';
  }

  // The peer and the rules are checked before any handler work.
  async function checkPeerAndRules(request: FastifyRequest, reply: FastifyReply) {
    if (!peerIsTrusted(request.socket.remoteAddress)) return refuse(request, reply, 'untrusted_peer', null, null);
    if (!rulesQuery.safeParse(request.query ?? {}).success) return refuse(request, reply, 'rules_invalid', null, null);
  }

  async function verify(request: FastifyRequest, reply: FastifyReply, dialect: Dialect) {
    const query = rulesQuery.parse(request.query ?? {});
    const rules: AccessRules = {
      mfa: query.mfa === '1',
      ...(query.group === undefined ? {} : { group: query.group }),
      ...(query.max_age === undefined ? {} : { maxAgeSeconds: Number(query.max_age) }),
    };
    const target = targetOf(request, dialect);
    if (!target.ok) return refuse(request, reply, 'target_refused', null, null);
    const auth = await sessionOf(request);
    if (!auth) {
      counts.unauthenticated += 1;
      const location = `${options.baseUrl()}/login?rd=${encodeURIComponent(target.url)}`;
      reply.header('cache-control', 'no-store');
      if (dialect === 'nginx' || wantsJson(request)) {
        if (dialect === 'nginx') reply.header('location', location);
        return reply.code(401).send({ error: 'unauthenticated', message: formatMessage('forward_auth.unauthenticated', {}, request.locale) });
      }
      const method = originalMethod(request, dialect);
      return reply.code(method === 'GET' || method === 'HEAD' ? 302 : 303).header('location', location).send();
    }
    const nowMs = deps.clock.now();
    const decision = decideAccess({ user: auth.user, session: auth.session, rules, nowMs, requireSecondFactor: options.requireSecondFactor });
    if (decision !== 'allowed') return refuseAccount(request, reply, dialect, decision, target, auth);
    counts.allowed += 1;
    const groups = groupsOf(auth.user);
    const jwt = await signer.sign({
      sessionKey: auth.session.idHash,
      user: auth.user,
      groups,
      issuer: options.baseUrl(),
      audience: target.origin,
      nowMs,
      authTime: lastAuthenticatedAt(auth.session),
      amr: auth.session.authMethods ?? ['pwd'],
    });
    return reply
      .code(200)
      .header('cache-control', 'no-store')
      .header('remote-user', headerValue(auth.user.username))
      .header('remote-email', headerValue(auth.user.email))
      .header('remote-name', headerValue(auth.user.username))
      .header('remote-groups', headerValue(groups.join(',')))
      .header('x-gatehouse-jwt', jwt)
      .send();
  }

  // GET only (HEAD follows): nothing here changes state, so there is no CSRF token to check;
  // `exempt` says so where the route is written (route-rules.ts). A trusted proxy's calls are
  // not counted by the global per-IP request rate (plugins/throttle.ts says why).
  const routeConfig = { access: 'public', csrf: 'exempt', requestRate: 'not-for-trusted-proxies' } as const;
  app.get('/auth/verify', { config: routeConfig, preValidation: checkPeerAndRules }, (request, reply) => verify(request, reply, 'forwarded'));
  app.get('/auth/verify/nginx', { config: routeConfig, preValidation: checkPeerAndRules }, (request, reply) => verify(request, reply, 'nginx'));
  app.get('/auth/jwks.json', { config: { access: 'public' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(signer.jwks),
  );
}
