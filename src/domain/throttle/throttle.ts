/**
 * The Throttle port: named counters with fixed windows, behind which memory, SQL or Redis
 * keep the state (storage/throttle.ts). Every store has the same semantics:
 *
 * - `consume` records events and says whether they fitted in the window (`points` of them do);
 * - `peek` says whether one more event would fit, without recording anything, so a refused
 *   client costs one read and no password hashing;
 * - `block` refuses a key for a while whatever its count; `reset` forgets the key.
 *
 * Fails closed: when the store cannot answer (Redis down, database gone, a timeout) every
 * method throws `AuthError('service_unavailable')` instead of allowing unthrottled
 * guessing (ASVS 2.2.1). A limiter defined as `null` (off) allows everything and never throws.
 */
import type { ThrottleDecision } from '../login/login.ts';
import type { LimiterName } from './limits.ts';

/** A decision plus the key's count in the current window (0 when unknown or expired). */
export type ThrottleResult = ThrottleDecision & { consumedPoints: number };

export interface Throttle {
  /**
   * Adds `points` (default 1) to the key's count; `allowed` when the count is still within
   * the limiter's `points`. Refused when over the limit or blocked, with the seconds until
   * the window or block ends (at least 1). Throws AuthError('service_unavailable').
   */
  consume(limiter: LimiterName, key: string, points?: number): Promise<ThrottleResult>;
  /** Whether one more event would be allowed now; records nothing. Throws like `consume`. */
  peek(limiter: LimiterName, key: string): Promise<ThrottleResult>;
  /** Refuses the key for `seconds` (a whole number), replacing its count. */
  block(limiter: LimiterName, key: string, seconds: number): Promise<void>;
  /** Forgets the key: its count and any block. */
  reset(limiter: LimiterName, key: string): Promise<void>;
}

/** Retry-After in whole seconds, at least 1, from a remaining time in milliseconds. */
export function retryAfterSecondsOf(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
