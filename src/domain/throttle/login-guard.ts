/**
 * The login limiters behind the sign-in flow's LoginGuard, on any Throttle store.
 *
 * Three bounds, all on failures only (a correct password is never counted):
 * - `login-pair`: consecutive failures of one (account, IP). Reaching `loginMaxFailures`
 *   blocks the pair for 1 min, doubling on each repeat within a day up to 1 h; a success
 *   resets the pair and its history. While blocked even the right password is refused.
 * - `login-ip`: failures of one IP across all accounts (spraying; default 100 a day).
 * - `login-account`: failures of one account across all IPs (ASVS 2.2.1: at most 100 an
 *   hour). A window, not a lockout: the owner gets back in when it ends.
 *
 * `checkAttempt` only reads (three peeks), so a blocked client costs no hashing and no
 * writes. Peek-then-record is not atomic: requests already past `checkAttempt` when the
 * limit is reached are still verified and counted, so a burst of N parallel guesses may
 * overshoot a bound by up to N − 1 (the password hash queue bounds N).
 * Every method throws AuthError('service_unavailable') when the store cannot answer: the
 * guard fails closed.
 */
import type { LoginGuard, ThrottleDecision } from '../login/login.ts';
import { escalatingBlockSeconds, type LimiterDefinitions, type LimiterName } from './limits.ts';
import type { Throttle, ThrottleResult } from './throttle.ts';

/** One key per (account, IP); JSON keeps it unambiguous whatever the account key contains. */
export function loginPairKey(accountKey: string, ip: string): string {
  return JSON.stringify([accountKey, ip]);
}

/** The most restrictive of several decisions: refused if any refuses, for the longest wait. */
export function combineDecisions(results: readonly ThrottleResult[]): ThrottleDecision {
  let retryAfterSeconds = 0;
  for (const result of results) {
    if (!result.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, result.retryAfterSeconds);
  }
  return retryAfterSeconds > 0 ? { allowed: false, retryAfterSeconds } : { allowed: true };
}

export function createLoginGuard(throttle: Throttle, limits: LimiterDefinitions): LoginGuard {
  const pair = limits['login-pair'];

  /** Blocks the pair for its next escalation step; called once per time it reaches the limit. */
  async function blockPair(pairKey: string): Promise<void> {
    if (!pair?.blockSeconds) return;
    const blocks = await throttle.consume('login-pair-blocks', pairKey);
    const seconds = escalatingBlockSeconds(blocks.consumedPoints, pair.blockSeconds, pair.maxBlockSeconds ?? pair.blockSeconds);
    await throttle.block('login-pair', pairKey, seconds);
  }

  const keysOf = (accountKey: string, ip: string): Array<[LimiterName, string]> => [
    ['login-pair', loginPairKey(accountKey, ip)],
    ['login-ip', ip],
    ['login-account', accountKey],
  ];

  return {
    async checkAttempt(accountKey, ip) {
      const results = await Promise.all(keysOf(accountKey, ip).map(([limiter, key]) => throttle.peek(limiter, key)));
      return combineDecisions(results);
    },

    async recordFailure(accountKey, ip) {
      const [pairResult] = await Promise.all(keysOf(accountKey, ip).map(([limiter, key]) => throttle.consume(limiter, key)));
      // Exactly the failure that reaches the limit blocks, so concurrent failures past it
      // (already refused by the counter) do not escalate the block twice.
      if (pair && pairResult && pairResult.consumedPoints === pair.points) {
        await blockPair(loginPairKey(accountKey, ip));
      }
    },

    async recordSuccess(accountKey, ip) {
      const pairKey = loginPairKey(accountKey, ip);
      await Promise.all([throttle.reset('login-pair', pairKey), throttle.reset('login-pair-blocks', pairKey)]);
    },

    async clearAccount(accountKey, ips) {
      const pairKeys = ips.map((ip) => loginPairKey(accountKey, ip));
      await Promise.all([
        throttle.reset('login-account', accountKey),
        ...pairKeys.flatMap((pairKey) => [throttle.reset('login-pair', pairKey), throttle.reset('login-pair-blocks', pairKey)]),
      ]);
    },
  };
}
