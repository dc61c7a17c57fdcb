/**
 * Every named limiter, defined once from the deployment's throttle options. A limiter counts events per key (a client
 * IP, an account, an (account, IP) pair) in a fixed window that starts with the key's first
 * event; `points` events fit in one window. `null` means the limiter is off: it allows
 * everything and stores nothing.
 *
 * Invariants: names are stable (they prefix stored keys, so renaming one forgets its
 * counters); every window and block is a whole number of seconds (Redis TTLs are).
 */
export const LIMITER_NAMES = [
  'global-ip',
  'login-pair',
  'login-pair-blocks',
  'login-ip',
  'login-account',
  'register-ip',
  'register-attempt-ip',
  'password-reset-ip',
  'password-reset-account',
  'second-factor',
  'verify-resend-account',
  'verify-resend-ip',
  'email-change-account',
  'secure-account-ip',
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

/**
 * Failed sign-ins per account per hour across all IPs (LOGIN_MAX_FAILURES_PER_ACCOUNT). ASVS
 * 4.0.3's 2.2.1 number; 5.0 (v5.0.0-6.1.1 / 6.3.1) asks for a documented bound that stops
 * brute force without letting anyone lock an owner out, and a window does that.
 */
export const DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR = 100;
/**
 * Registration attempts per IP per hour, successful or not (REGISTER_MAX_ATTEMPTS_PER_HOUR):
 * generous, since `register-ip` bounds the accounts created; this bounds the hashing and
 * probing a client can cause through the form.
 */
export const DEFAULT_REGISTER_ATTEMPTS_PER_HOUR = 200;
/** The pair's first block; it doubles on each repeat, up to an hour. */
export const DEFAULT_LOGIN_FIRST_BLOCK_SECONDS = 60;
export const DEFAULT_LOGIN_MAX_BLOCK_SECONDS = 3600;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * The numbers a deployment chooses (config.ts's `throttle` slice satisfies this type; the
 * domain does not read configuration itself). The two optional ones default to the constants
 * above.
 */
export interface ThrottleOptions {
  /** Consecutive failures of one (account, IP) pair before it is blocked. */
  readonly loginMaxFailures: number;
  /** Failed sign-ins per client IP per day, across all accounts. */
  readonly loginMaxFailuresPerIp: number;
  /** Failed sign-ins per account per hour, across all IPs. */
  readonly loginMaxFailuresPerAccount?: number;
  /** Accounts created per client IP per hour. */
  readonly registerMaxPerHour: number;
  /** Registration attempts per client IP per hour, successful or not. */
  readonly registerMaxAttemptsPerHour?: number;
  /** Requests per client IP per minute; 0 turns this one limiter off. */
  readonly globalRateLimitPerMinute: number;
}

/** The limiters of a deployment, from its throttle options. */
export function defineLimits(config: ThrottleOptions): LimiterDefinitions {
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
    'login-account': { points: config.loginMaxFailuresPerAccount ?? DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR, durationSeconds: HOUR },
    // Accounts created per IP, and (far more) attempts per IP, successful or not.
    'register-ip': { points: config.registerMaxPerHour, durationSeconds: HOUR },
    'register-attempt-ip': { points: config.registerMaxAttemptsPerHour ?? DEFAULT_REGISTER_ATTEMPTS_PER_HOUR, durationSeconds: HOUR },
    // Reset mail is a side channel to a third party's inbox: few per address, more per IP.
    'password-reset-ip': { points: 20, durationSeconds: HOUR },
    'password-reset-account': { points: 5, durationSeconds: HOUR },
    // 6-digit codes, 3 valid at a time (±1 step): 480 guesses a day succeed with p ≈ 0.14 % a day,
    // after the password was already right (RFC 6238 §5.2, NIST SP 800-63B §5.2.2).
    'second-factor': { points: 5, durationSeconds: 15 * MINUTE },
    // A new verification link: a few per account, more per IP (each sends a mail to a third party's inbox).
    'verify-resend-account': { points: 5, durationSeconds: HOUR },
    'verify-resend-ip': { points: 20, durationSeconds: HOUR },
    // Email change requests (each mails the old and the new address).
    'email-change-account': { points: 5, durationSeconds: HOUR },
    // "This wasn't me" links and the settings button: each ends sessions and mails a reset link.
    'secure-account-ip': { points: 10, durationSeconds: HOUR },
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
