/**
 * Request-level throttling: the global per-IP request rate on every request (before the
 * body is read or a session looked up), and `consumeOrRefuse` for per-action limiters such
 * as registration. Refusals are 429 with Retry-After; a store that cannot answer is 503.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError } from '../../domain/errors.ts';
import type { LimiterName } from '../../domain/throttle/limits.ts';
import type { Throttle } from '../../domain/throttle/throttle.ts';
import { throttleKeyForIp } from '../../domain/throttle/ip-key.ts';

/** Counts one event for `key` on `limiter`; throws too_many_requests when over the limit. */
export async function consumeOrRefuse(throttle: Throttle, limiter: LimiterName, key: string): Promise<void> {
  const result = await throttle.consume(limiter, key);
  if (!result.allowed) throw new AuthError('too_many_requests', { retryAfterSeconds: result.retryAfterSeconds });
}

async function throttlePlugin(app: FastifyInstance, options: { requestThrottle: Throttle; enabled: boolean }) {
  // GLOBAL_RATE_LIMIT=0: no hook at all, rather than a hook that asks a disabled limiter.
  if (!options.enabled) return;
  app.addHook('onRequest', async function limitRequestRate(request: FastifyRequest) {
    if (request.url === '/healthz') return;
    await consumeOrRefuse(options.requestThrottle, 'global-ip', throttleKeyForIp(request.ip));
  });
}

export default fp(throttlePlugin, { name: 'throttle' });
