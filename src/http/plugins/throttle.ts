/**
 * Request-level throttling: the global per-IP request rate on every request (before the
 * body is read or a session looked up), and `consumeOrRefuse` for per-action limiters such
 * as registration. Refusals are 429 with Retry-After; a store that cannot answer is 503.
 *
 * A route declaring `requestRate: 'not-for-trusted-proxies'` (the forward-auth endpoints) is
 * not counted when the socket peer is a TRUST_PROXY address. Such a call is a proxy asking on
 * behalf of a page load of another application, with the end user's address in
 * X-Forwarded-For: one page of a protected app can make 50 of them, and an office behind one
 * NAT address would share GLOBAL_RATE_LIMIT (1 200 a minute) across every app it uses; nginx
 * would turn each 429 into a 500. Flooding a protected app is the proxy's to limit. From any
 * other peer the call is counted (and refused by the endpoint anyway).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError } from '../../domain/errors.ts';
import type { LimiterName } from '../../domain/throttle/limits.ts';
import type { Throttle } from '../../domain/throttle/throttle.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `'not-for-trusted-proxies'`: a call from a TRUST_PROXY peer skips the global per-IP request rate. */
    requestRate?: 'not-for-trusted-proxies';
  }
}

/** Counts one event for `key` on `limiter`; throws too_many_requests when over the limit. */
export async function consumeOrRefuse(throttle: Throttle, limiter: LimiterName, key: string): Promise<void> {
  const result = await throttle.consume(limiter, key);
  if (!result.allowed) throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
}

async function throttlePlugin(app: FastifyInstance, options: { requestThrottle: Throttle; enabled: boolean; isTrustedProxy: (peerAddress: string | undefined) => boolean }) {
  // GLOBAL_RATE_LIMIT=0: no hook at all, rather than a hook that asks a disabled limiter.
  if (!options.enabled) return;
  app.addHook('onRequest', async function limitRequestRate(request: FastifyRequest) {
    if (request.url === '/healthz') return;
    if (request.routeOptions.config?.requestRate === 'not-for-trusted-proxies' && options.isTrustedProxy(request.socket.remoteAddress)) return;
    await consumeOrRefuse(options.requestThrottle, 'global-ip', throttleKeyForIp(request.ip));
  });
}

export default fp(throttlePlugin, { name: 'throttle' });
