/**
 * The Throttle port on rate-limiter-flexible, with one behaviour whatever the store:
 * memory (one process), SQL (survives restarts; shared by instances on one database) or
 * Redis (shared by instances, atomic). See domain/throttle/throttle.ts for the semantics.
 *
 * Invariants:
 * - Keys are stored as `<prefix><limiter>:<SHA-256 of the key, 128 bits hex>`: fixed length
 *   whatever the client sent, ASCII for every column collation, and no IPs or usernames at
 *   rest or in driver error messages.
 * - Fails closed (ASVS 2.2.1): the library rejects with a RateLimiterRes for a limit and with
 *   an Error for a store failure; a store failure, or no answer within `timeoutMs`, becomes
 *   AuthError('service_unavailable') and never an "allowed".
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { AuthError } from '../domain/errors.ts';
import type { LimiterDefinitions } from '../domain/throttle/limits.ts';
import { retryAfterSecondsOf, type Throttle, type ThrottleResult } from '../domain/throttle/throttle.ts';
import type { DatabaseHandle } from './database.ts';
import {
  buildMemoryLimiters,
  buildRedisLimiters,
  buildSqlLimiters,
  countMemoryKeys,
  deleteExpiredCounters,
  type Limiters,
} from './throttle/limiters.ts';

/** Added after the client's own ioredis `keyPrefix` (the deployment's, e.g. `gatehouse:`). */
export const DEFAULT_REDIS_KEY_PREFIX = 'throttle:';
/** A shared store slower than this is treated as down: the request gets 503, not a free guess. */
export const DEFAULT_STORE_TIMEOUT_MS = 2000;
/** How often the SQL store deletes rows whose window ended (reads ignore them meanwhile). */
const SQL_CLEANUP_INTERVAL_MS = 5 * 60_000;

export type CreateThrottleOptions =
  | { limits: LimiterDefinitions; store: 'memory' }
  | { limits: LimiterDefinitions; store: 'sql'; database: DatabaseHandle; keyPrefix?: string; timeoutMs?: number }
  | { limits: LimiterDefinitions; store: 'redis'; redis: Redis; keyPrefix?: string; timeoutMs?: number };

export interface ThrottleStore extends Throttle {
  readonly store: CreateThrottleOptions['store'];
  /** Stops background work; never closes the database or Redis client it was given. */
  close(): Promise<void>;
}

export interface MemoryThrottleStore extends ThrottleStore {
  /** Keys currently held in memory, across all limiters (for tests and diagnostics). */
  trackedKeyCount(): number;
}

export function createThrottle(options: CreateThrottleOptions & { store: 'memory' }): Promise<MemoryThrottleStore>;
export function createThrottle(options: CreateThrottleOptions): Promise<ThrottleStore>;
export async function createThrottle(options: CreateThrottleOptions): Promise<ThrottleStore> {
  if (options.store === 'memory') return createMemoryThrottle(options.limits);
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (options.store === 'redis') {
    const limiters = buildRedisLimiters(options.limits, options.redis, options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX);
    return { store: 'redis', ...throttleOn(limiters, timeoutMs), close: async () => {} };
  }
  const { database } = options;
  const limiters = await buildSqlLimiters(options.limits, database, options.keyPrefix ?? '');
  const cleanup = setInterval(() => {
    deleteExpiredCounters(database, Date.now()).catch(() => {});
  }, SQL_CLEANUP_INTERVAL_MS);
  cleanup.unref();
  return { store: 'sql', ...throttleOn(limiters, timeoutMs), close: async () => clearInterval(cleanup) };
}

export function createMemoryThrottle(limits: LimiterDefinitions): MemoryThrottleStore {
  const limiters = buildMemoryLimiters(limits);
  return { store: 'memory', ...throttleOn(limiters, undefined), close: async () => {}, trackedKeyCount: () => countMemoryKeys(limiters) };
}

function storedKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
}

type Settled<T> = { ok: true; value: T } | { ok: false; limited: RateLimiterRes };

/** Runs one store call: a limit comes back as `limited`, anything else fails closed. */
async function settle<T>(operation: Promise<T>, timeoutMs: number | undefined): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout =
      timeoutMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`throttle store gave no answer in ${timeoutMs} ms`)), timeoutMs);
          });
    return { ok: true, value: await (timeout ? Promise.race([operation, timeout]) : operation) };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, limited: error };
    throw Object.assign(new AuthError('service_unavailable'), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

const ALLOWED: ThrottleResult = Object.freeze({ allowed: true, consumedPoints: 0 });

function throttleOn(limiters: Limiters, timeoutMs: number | undefined): Throttle {
  return {
    async consume(name, key, points = 1) {
      const entry = limiters[name];
      if (!entry) return ALLOWED;
      const outcome = await settle(entry.limiter.consume(storedKey(key), points), timeoutMs);
      if (outcome.ok) return { allowed: true, consumedPoints: outcome.value.consumedPoints };
      const { consumedPoints, msBeforeNext } = outcome.limited;
      return { allowed: false, consumedPoints, retryAfterSeconds: retryAfterSecondsOf(msBeforeNext) };
    },

    async peek(name, key) {
      const entry = limiters[name];
      if (!entry) return ALLOWED;
      const outcome = await settle(entry.limiter.get(storedKey(key)), timeoutMs);
      const res = outcome.ok ? outcome.value : outcome.limited;
      // A memory record past its end may wait a moment for its timer: it counts as gone.
      // -1 is the library's "no expiry", which our limiters never write.
      if (!res || (res.msBeforeNext <= 0 && res.msBeforeNext !== -1)) return ALLOWED;
      if (res.consumedPoints < entry.definition.points) return { allowed: true, consumedPoints: res.consumedPoints };
      return { allowed: false, consumedPoints: res.consumedPoints, retryAfterSeconds: retryAfterSecondsOf(res.msBeforeNext) };
    },

    async block(name, key, seconds) {
      const entry = limiters[name];
      if (!entry) return;
      await settle(entry.limiter.block(storedKey(key), Math.max(1, Math.ceil(seconds))), timeoutMs);
    },

    async reset(name, key) {
      const entry = limiters[name];
      if (!entry) return;
      await settle(entry.limiter.delete(storedKey(key)), timeoutMs);
    },
  };
}
