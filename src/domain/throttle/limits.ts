/**
 * Every named limiter, defined once from Config. A limiter counts events per key (a client
 * IP, an account, an (account, IP) pair) in a fixed window that starts with the key's first
 * event; `points` events fit in one window. `null` means the limiter is off: it allows
 * everything and stores nothing.
 *
 * Invariants: names are stable (they prefix stored keys, so renaming one forgets its
 * counters); every window and block is a whole number of seconds (Redis TTLs are).
 */
import type { Config } from '../../config.ts';

export const LIMITER_NAMES = [
  'global-ip',
  'login-pair',
  'login-pair-blocks',
  'login-ip',
  'login-account',
  'register-ip',
  'password-reset-ip',
  'password-reset-account',
  'second-factor',
] as const;

export type LimiterName = (typeof LIMITER_NAMES)[number];

export interface LimiterDefinition {
  /** Events allowed per window for one key. */
  readonly points: number;
  /** Window length, counted from the key's first event. */
  readonly durationSeconds: number;
  /**
   * Optional escalation for callers that block a key once it reaches `points`: the first
   * block lasts `blockSeconds`, each further one within a day twice as long, capped at
   * `maxBlockSeconds` (used by the login guard for the (account, IP) pair).
   */
  readonly blockSeconds?: number;
  readonly maxBlockSeconds?: number;
}

export type LimiterDefinitions = { readonly [N in LimiterName]: LimiterDefinition | null };

/** ASVS 2.2.1: no more than 100 failed attempts per hour on a single account. */
export const DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR = 100;
/** The pair's first block; it doubles on each repeat, up to an hour. */
export const DEFAULT_LOGIN_FIRST_BLOCK_SECONDS = 60;
export const DEFAULT_LOGIN_MAX_BLOCK_SECONDS = 3600;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** The limiters of a deployment, from `config.throttle`. */
export function defineLimits(config: Omit<Config['throttle'], 'store'>): LimiterDefinitions {
  return Object.freeze({
    // Requests per client IP across the whole app; GLOBAL_RATE_LIMIT=0 turns only this one off.
    'global-ip': config.globalRateLimitPerMinute > 0 ? { points: config.globalRateLimitPerMinute, durationSeconds: MINUTE } : null,
    // Consecutive failures of one (account, IP) pair; a success resets it (NIST SP 800-63B §5.2.2).
    'login-pair': {
      points: config.loginMaxFailures,
      durationSeconds: DAY,
      blockSeconds: DEFAULT_LOGIN_FIRST_BLOCK_SECONDS,
      maxBlockSeconds: DEFAULT_LOGIN_MAX_BLOCK_SECONDS,
    },
    // How often the pair was blocked in the last day: the exponent of its next block.
    'login-pair-blocks': { points: 1000, durationSeconds: DAY },
    // One IP guessing across many accounts (password spraying, credential stuffing).
    'login-ip': { points: config.loginMaxFailuresPerIp, durationSeconds: DAY },
    // Many IPs guessing one account (ASVS 2.2.1); a window, not a lockout, so its owner gets back in.
    'login-account': { points: DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR, durationSeconds: HOUR },
    'register-ip': { points: config.registerMaxPerHour, durationSeconds: HOUR },
    // Reset mail is a side channel to a third party's inbox: few per address, more per IP.
    'password-reset-ip': { points: 20, durationSeconds: HOUR },
    'password-reset-account': { points: 5, durationSeconds: HOUR },
    // 6-digit codes, 3 valid at a time (±1 step): 480 guesses a day succeed with p ≈ 0.14 % a day,
    // after the password was already right (RFC 6238 §5.2, NIST SP 800-63B §5.2.2).
    'second-factor': { points: 5, durationSeconds: 15 * MINUTE },
  });
}

/**
 * Length of the `blockNumber`-th block (1-based): `firstSeconds` doubling each time, at most
 * `maxSeconds`.
 */
export function escalatingBlockSeconds(blockNumber: number, firstSeconds: number, maxSeconds: number): number {
  const exponent = Math.min(Math.max(blockNumber - 1, 0), 30);
  return Math.min(firstSeconds * 2 ** exponent, maxSeconds);
}
