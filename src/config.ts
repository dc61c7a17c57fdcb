/**
 * Configuration: the only module that reads the environment.
 *
 * `loadConfig(env)` validates every setting with zod and returns a frozen object; each
 * problem is reported as one line naming the variable, so a bad deployment fails at start
 * rather than on the first request. Modules receive only their slice (`config.sessions`, …).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatMessage, isMessageKey, type Locale, type MessageKey, type MessageParams } from './messages/catalog.ts';

/** zod's own Spanish messages, for the settings' type and range problems. */
const SPANISH_ZOD = z.locales.es();
import {
  DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR,
  DEFAULT_REGISTER_ATTEMPTS_PER_HOUR,
  type ThrottleOptions,
} from './domain/throttle/limits.ts';
import { isHostUnder, normalizeHostname } from './domain/forward-auth/hostnames.ts';

export type Environment = 'development' | 'production' | 'test';

export interface SessionConfig {
  /** Sliding idle timeout (ASVS 3.3.2: at most 30 minutes idle at level 2 is our default). */
  idleTimeoutSeconds: number;
  /** Absolute lifetime from sign-in, whatever the activity (ASVS 3.3.2, 12 h default). */
  absoluteLifetimeSeconds: number;
  /** How often at most `last_seen_at` is written for one session (idle expiry precision). */
  touchIntervalSeconds: number;
  cookieName: string;
  secureCookie: boolean;
  /**
   * The forward-auth proxy cookie (FORWARD_AUTH_COOKIE_DOMAIN set): its own random token tied
   * to the session, for the verify endpoints only. Absent: no proxy cookie is minted.
   */
  proxyCookie?: { name: string; domain: string };
}

/** Forward-auth for reverse proxies (issue #13). */
export interface ForwardAuthConfig {
  /** FORWARD_AUTH_DOMAINS: hosts (with their subdomains) the verify endpoints and `rd` accept, lower case. Empty: off. */
  domains: readonly string[];
  /** FORWARD_AUTH_COOKIE_DOMAIN: the proxy cookie's `Domain`, a parent of (or equal to) BASE_URL's host. */
  cookieDomain?: string;
}

export interface PasswordConfig {
  /** argon2id memory in KiB, iterations and lanes (OWASP: m=19456, t=2, p=1). */
  memoryCostKib: number;
  timeCost: number;
  parallelism: number;
  minLength: number;
  maxLength: number;
  /** Opt-in composition rule (PASSWORD_REQUIRE_CLASSES=1): upper, lower, digit, symbol. Absent: off. */
  requireClasses?: boolean;
  /** zxcvbn score 0–4 a password must reach (PASSWORD_MIN_SCORE). Absent: 3. */
  minScore?: number;
  /**
   * argon2id `secret` input (PASSWORD_PEPPER), kept out of the database and apart from
   * SECRET_KEY, so a stolen database alone cannot be cracked offline. Absent: no pepper.
   */
  pepper?: string;
  /** Recorded in every hash made with `pepper` (PASSWORD_PEPPER_VERSION, 1–255). Absent: 1. */
  pepperVersion?: number;
  /** Retired peppers by version, still verified and re-hashed at sign-in (PASSWORD_PEPPER_PREVIOUS). */
  previousPeppers?: Readonly<Record<number, string>>;
  /** Hashes running at once; beyond it requests queue (`hashQueueLimit`) then get 503. */
  hashConcurrency: number;
  hashQueueLimit: number;
}

/** The limiters' numbers (the domain's ThrottleOptions, each one given) and the counter store. */
export interface ThrottleConfig extends ThrottleOptions {
  /** Where counters live without Redis: `sql` survives restarts, `memory` is per process. */
  readonly store: 'sql' | 'memory';
  /** LOGIN_MAX_FAILURES_PER_ACCOUNT (default 100). */
  readonly loginMaxFailuresPerAccount: number;
  /** REGISTER_MAX_ATTEMPTS_PER_HOUR (default 200). */
  readonly registerMaxAttemptsPerHour: number;
}

export interface Config {
  env: Environment;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  /** Connections per process to PostgreSQL or MySQL. */
  databasePoolSize: number;
  baseUrl: string;
  /** Origin (scheme://host:port) of BASE_URL: the only origin allowed to post to us. */
  origin: string;
  /** True when BASE_URL was given; false when it is derived from HOST and PORT. */
  baseUrlGiven: boolean;
  trustProxy: boolean | number | string[];
  logLevel: string;
  registration: 'open' | 'closed';
  /** REQUIRE_2FA_FOR_ADMINS: an account holding any permission must enrol a second factor before a permission route opens. */
  requireTwoFactorForAdmins: boolean;
  /** REQUIRE_2FA_FOR_ALL: every account must enrol a second factor before any signed-in page but the enrolment opens. */
  requireTwoFactorForAll: boolean;
  /** REQUIRE_EMAIL_VERIFICATION=1: an unverified account's correct sign-in gets no session (403, offered a new link). */
  requireEmailVerification: boolean;
  migrateOnStart: boolean;
  /** SECRET_KEY as given, or undefined when it must be generated (development only). */
  secretKey: string | undefined;
  sessions: SessionConfig;
  passwords: PasswordConfig;
  throttle: ThrottleConfig;
  bodyLimitBytes: number;
  mail: {
    /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`); unset: `.eml` files in `<DATA_DIR>/outbox/`. Never logged. */
    smtpUrl: string | undefined;
    /** MAIL_FROM; default `Gatehouse <no-reply@<BASE_URL host>>`. */
    from: string;
  };
  /**
   * REQUEST_TIMEOUT_SECONDS: a request whose headers and body have not all arrived by then
   * is answered 408 and its connection closed, so slow clients cannot hold sockets open.
   */
  requestTimeoutSeconds: number;
  /** SUDO_SECONDS: how long a sign-in or a confirmation at /sudo opens sensitive actions. */
  sudoSeconds: number;
  /** AUDIT_RETENTION_DAYS: audit events older than this are pruned (the chain stays verifiable). */
  auditRetentionDays: number;
  forwardAuth: ForwardAuthConfig;
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Peppers carry ≥ 192 bits when generated as advised (openssl rand -base64 32: 256 bits). */
const PEPPER_MIN_LENGTH = 32;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/|mysql:\/\/)/, 'config.database_url_scheme')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'config.redis_url_scheme').optional(),
  REDIS_KEY_PREFIX: z.string().max(100).default('gatehouse:'),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  SECRET_KEY: z.string().optional(),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REGISTRATION: z.enum(['open', 'closed']).default('open'),
  REQUIRE_EMAIL_VERIFICATION: z.enum(['0', '1']).default('0'),
  REQUIRE_2FA_FOR_ADMINS: z.enum(['0', '1']).optional(),
  REQUIRE_2FA_FOR_ALL: z.enum(['0', '1']).default('0'),
  MIGRATE: z.enum(['0', '1']).default('1'),
  SESSION_IDLE_TIMEOUT_SECONDS: integer(60, 86_400 * 30).default(1800),
  SESSION_ABSOLUTE_LIFETIME_SECONDS: integer(60, 86_400 * 400).default(43_200),
  SESSION_TOUCH_INTERVAL_SECONDS: integer(0, 3600).default(60),
  ARGON2_MEMORY_KIB: integer(8, 4 * 1024 * 1024).default(19_456),
  ARGON2_TIME_COST: integer(1, 100).default(2),
  ARGON2_PARALLELISM: integer(1, 16).default(1),
  PASSWORD_MIN_LENGTH: integer(8, 256).default(12),
  PASSWORD_REQUIRE_CLASSES: z.enum(['0', '1']).default('0'),
  PASSWORD_MIN_SCORE: integer(0, 4).default(3),
  PASSWORD_PEPPER: z.string().min(PEPPER_MIN_LENGTH, 'config.pepper_too_short').optional(),
  PASSWORD_PEPPER_VERSION: integer(1, 255).default(1),
  PASSWORD_PEPPER_PREVIOUS: z.string().optional(),
  HASH_CONCURRENCY: integer(1, 64).optional(),
  HASH_QUEUE_LIMIT: integer(0, 100_000).default(256),
  LOGIN_MAX_FAILURES: integer(1, 1_000_000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: integer(1, 1_000_000).default(100),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(1, 1_000_000).default(DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR),
  REGISTER_MAX_PER_HOUR: integer(1, 1_000_000).default(20),
  REGISTER_MAX_ATTEMPTS_PER_HOUR: integer(1, 1_000_000).default(DEFAULT_REGISTER_ATTEMPTS_PER_HOUR),
  GLOBAL_RATE_LIMIT: integer(0, 10_000_000).default(1200),
  THROTTLE_STORE: z.enum(['sql', 'memory']).default('sql'),
  REQUEST_TIMEOUT_SECONDS: integer(1, 3600).default(30),
  SUDO_SECONDS: integer(1, 86400).default(600),
  AUDIT_RETENTION_DAYS: integer(1, 36500).default(365),
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'config.smtp_url_scheme').optional(),
  FORWARD_AUTH_DOMAINS: z.string().max(4096).optional(),
  FORWARD_AUTH_COOKIE_DOMAIN: z.string().max(253).optional(),
  MAIL_FROM: z.string().min(3).max(320).regex(/^[^\r\n]+$/, 'config.one_line').optional(),
});

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/** `TRUST_PROXY`: unset → false; `true`; a hop count; or a comma list of addresses/CIDRs. */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}

/**
 * `PASSWORD_PEPPER_PREVIOUS`: retired peppers as `version:value` pairs separated by commas
 * (values must not contain commas; base64 is fine). Problems name the setting.
 */
function parsePreviousPeppers(value: string | undefined, currentVersion: number | undefined, say: SayProblem) {
  const peppers: Record<number, string> = {};
  const problems: string[] = [];
  for (const entry of (value ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^(\d{1,3}):(.+)$/.exec(entry);
    const version = Number(match?.[1]);
    if (!match || version < 1 || version > 255) {
      problems.push(say('PASSWORD_PEPPER_PREVIOUS', 'config.pepper_previous_format'));
    } else if (version === currentVersion || version in peppers) {
      problems.push(say('PASSWORD_PEPPER_PREVIOUS', 'config.pepper_previous_duplicate', { version }));
    } else if (match[2]!.length < PEPPER_MIN_LENGTH) {
      problems.push(say('PASSWORD_PEPPER_PREVIOUS', 'config.pepper_previous_short', { version, min: PEPPER_MIN_LENGTH }));
    } else {
      peppers[version] = match[2]!;
    }
  }
  return { peppers, problems };
}

/**
 * Reads `.env` from the working directory into `env` (without overriding what is already
 * set) when `env` is `process.env`; Node's own loader does the parsing.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

function localBaseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The configuration of a server that asked for PORT=0 (any free port) and got `port`: the
 * port, and BASE_URL with its origin when they were derived from it. Unchanged otherwise.
 */
export function withBoundPort(config: Readonly<Config>, port: number): Readonly<Config> {
  if (config.port !== 0) return config;
  if (config.baseUrlGiven) return Object.freeze({ ...config, port });
  const baseUrl = localBaseUrl(config.host, port);
  return Object.freeze({ ...config, port, baseUrl, origin: new URL(baseUrl).origin });
}

type SayProblem = (setting: string, key: MessageKey, params?: MessageParams) => string;

/**
 * FORWARD_AUTH_DOMAINS and FORWARD_AUTH_COOKIE_DOMAIN: bare hostnames, lower-cased; the cookie
 * domain must be BASE_URL's host or a parent of it (a browser refuses a `Domain=` that does not
 * cover the host setting it).
 */
function parseForwardAuth(e: { FORWARD_AUTH_DOMAINS?: string | undefined; FORWARD_AUTH_COOKIE_DOMAIN?: string | undefined }, baseHost: string, say: SayProblem) {
  const problems: string[] = [];
  const domains: string[] = [];
  for (const entry of (e.FORWARD_AUTH_DOMAINS ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const host = normalizeHostname(entry);
    if (host === undefined) problems.push(say('FORWARD_AUTH_DOMAINS', 'config.forward_auth_hostname', { value: entry.slice(0, 100) }));
    else if (!domains.includes(host)) domains.push(host);
  }
  let cookieDomain: string | undefined;
  if (e.FORWARD_AUTH_COOKIE_DOMAIN !== undefined) {
    cookieDomain = normalizeHostname(e.FORWARD_AUTH_COOKIE_DOMAIN.replace(/^\./, ''));
    if (cookieDomain === undefined) {
      problems.push(say('FORWARD_AUTH_COOKIE_DOMAIN', 'config.forward_auth_hostname', { value: e.FORWARD_AUTH_COOKIE_DOMAIN.slice(0, 100) }));
    } else if (!isHostUnder(baseHost, cookieDomain)) {
      problems.push(say('FORWARD_AUTH_COOKIE_DOMAIN', 'config.forward_auth_cookie_domain', { host: baseHost }));
    }
  }
  return { domains, cookieDomain, problems };
}

/**
 * Validates the environment; throws ConfigError with one line per problem, each naming its
 * setting, in `locale` (the CLI passes the terminal's): our own rules from the catalog
 * (`config.*`), zod's in its own translation (zod's locale for Spanish).
 */
export function loadConfig(env: Record<string, string | undefined>, cpuCount = 2, locale: Locale = 'en'): Readonly<Config> {
  const say: SayProblem = (setting, key, params) => `${setting}: ${formatMessage(key, params, locale)}`;
  // An empty value (`NAME=` in .env) means unset: it takes the default, never coerces to 0.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(given, locale === 'es' ? { error: SPANISH_ZOD.localeError } : undefined);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const setting = issue.path.join('.');
        // Our own rules carry a catalog key as their message; zod's are already in `locale`.
        return isMessageKey(issue.message) ? say(setting, issue.message, { min: PEPPER_MIN_LENGTH }) : `${setting}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SESSION_IDLE_TIMEOUT_SECONDS > e.SESSION_ABSOLUTE_LIFETIME_SECONDS) {
    problems.push(say('SESSION_IDLE_TIMEOUT_SECONDS', 'config.idle_exceeds_absolute'));
  }
  const plainHttpHost = e.BASE_URL?.startsWith('http://') ? new URL(e.BASE_URL).hostname : undefined;
  if (e.NODE_ENV === 'production' && plainHttpHost !== undefined && !['localhost', '127.0.0.1', '[::1]'].includes(plainHttpHost)) {
    problems.push(say('BASE_URL', 'config.https_required'));
  }
  if (e.PASSWORD_PEPPER !== undefined && e.PASSWORD_PEPPER === e.SECRET_KEY) {
    problems.push(say('PASSWORD_PEPPER', 'config.pepper_equals_secret'));
  }
  const previousPeppers = parsePreviousPeppers(
    e.PASSWORD_PEPPER_PREVIOUS,
    e.PASSWORD_PEPPER === undefined ? undefined : e.PASSWORD_PEPPER_VERSION,
    say,
  );
  problems.push(...previousPeppers.problems);
  const production = e.NODE_ENV === 'production';
  const baseUrl = (e.BASE_URL ?? localBaseUrl(e.HOST, e.PORT)).replace(/\/+$/, '');
  const forwardAuth = parseForwardAuth(e, new URL(baseUrl).hostname, say);
  problems.push(...forwardAuth.problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'gatehouse.db')}`,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    baseUrl,
    origin: new URL(baseUrl).origin,
    baseUrlGiven: e.BASE_URL !== undefined,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    registration: e.REGISTRATION,
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION === '1',
    // On by default in production (ASVS v5.0.0-6.3.3 for administrative interfaces).
    requireTwoFactorForAdmins: (e.REQUIRE_2FA_FOR_ADMINS ?? (e.NODE_ENV === 'production' ? '1' : '0')) === '1',
    requireTwoFactorForAll: e.REQUIRE_2FA_FOR_ALL === '1',
    migrateOnStart: e.MIGRATE === '1',
    secretKey: e.SECRET_KEY,
    sessions: Object.freeze({
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
      absoluteLifetimeSeconds: e.SESSION_ABSOLUTE_LIFETIME_SECONDS,
      touchIntervalSeconds: e.SESSION_TOUCH_INTERVAL_SECONDS,
      // The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and no Domain.
      cookieName: production ? '__Host-gatehouse_session' : 'gatehouse_session',
      secureCookie: production,
      // `__Secure-` (not `__Host-`): this one is meant for other hosts (ASVS v5.0.0-3.3.3).
      ...(forwardAuth.cookieDomain === undefined
        ? {}
        : { proxyCookie: Object.freeze({ name: production ? '__Secure-gatehouse_proxy' : 'gatehouse_proxy', domain: forwardAuth.cookieDomain }) }),
    }),
    passwords: Object.freeze({
      memoryCostKib: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
      minLength: e.PASSWORD_MIN_LENGTH,
      maxLength: 256,
      requireClasses: e.PASSWORD_REQUIRE_CLASSES === '1',
      minScore: e.PASSWORD_MIN_SCORE,
      pepper: e.PASSWORD_PEPPER,
      pepperVersion: e.PASSWORD_PEPPER_VERSION,
      previousPeppers: Object.freeze(previousPeppers.peppers),
      hashConcurrency: e.HASH_CONCURRENCY ?? Math.max(1, cpuCount),
      hashQueueLimit: e.HASH_QUEUE_LIMIT,
    }),
    throttle: Object.freeze({
      store: e.THROTTLE_STORE,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      registerMaxPerHour: e.REGISTER_MAX_PER_HOUR,
      registerMaxAttemptsPerHour: e.REGISTER_MAX_ATTEMPTS_PER_HOUR,
      globalRateLimitPerMinute: e.GLOBAL_RATE_LIMIT,
    }),
    bodyLimitBytes: 64 * 1024,
    mail: Object.freeze({ smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? `Gatehouse <no-reply@${new URL(baseUrl).hostname.replace(/^\[|\]$/g, '')}>` }),
    requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
    sudoSeconds: e.SUDO_SECONDS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    forwardAuth: Object.freeze({
      domains: Object.freeze(forwardAuth.domains),
      ...(forwardAuth.cookieDomain === undefined ? {} : { cookieDomain: forwardAuth.cookieDomain }),
    }),
  });
}
