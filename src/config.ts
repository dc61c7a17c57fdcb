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
}

export interface PasswordConfig {
  /** argon2id memory in KiB, iterations and lanes (OWASP: m=19456, t=2, p=1). */
  memoryCostKib: number;
  timeCost: number;
  parallelism: number;
  minLength: number;
  maxLength: number;
  /** Hashes running at once; beyond it requests queue (`hashQueueLimit`) then get 503. */
  hashConcurrency: number;
  hashQueueLimit: number;
}

export interface Config {
  env: Environment;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  baseUrl: string;
  /** Origin (scheme://host:port) of BASE_URL: the only origin allowed to post to us. */
  origin: string;
  trustProxy: boolean | number | string[];
  logLevel: string;
  registration: 'open' | 'closed';
  migrateOnStart: boolean;
  /** SECRET_KEY as given, or undefined when it must be generated (development only). */
  secretKey: string | undefined;
  sessions: SessionConfig;
  passwords: PasswordConfig;
  throttle: {
    loginMaxFailures: number;
    loginMaxFailuresPerIp: number;
    registerMaxPerHour: number;
    globalRateLimitPerMinute: number;
  };
  bodyLimitBytes: number;
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/|mysql:\/\/)/, 'must start with sqlite:, postgres:// or mysql://')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  SECRET_KEY: z.string().optional(),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REGISTRATION: z.enum(['open', 'closed']).default('open'),
  MIGRATE: z.enum(['0', '1']).default('1'),
  SESSION_IDLE_TIMEOUT_SECONDS: integer(60, 86_400 * 30).default(1800),
  SESSION_ABSOLUTE_LIFETIME_SECONDS: integer(60, 86_400 * 400).default(43_200),
  SESSION_TOUCH_INTERVAL_SECONDS: integer(0, 3600).default(60),
  ARGON2_MEMORY_KIB: integer(8, 4 * 1024 * 1024).default(19_456),
  ARGON2_TIME_COST: integer(1, 100).default(2),
  ARGON2_PARALLELISM: integer(1, 16).default(1),
  PASSWORD_MIN_LENGTH: integer(8, 256).default(12),
  HASH_CONCURRENCY: integer(1, 64).optional(),
  HASH_QUEUE_LIMIT: integer(0, 100_000).default(256),
  LOGIN_MAX_FAILURES: integer(1, 1000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: integer(1, 1_000_000).default(100),
  REGISTER_MAX_PER_HOUR: integer(1, 1_000_000).default(20),
  GLOBAL_RATE_LIMIT: integer(0, 10_000_000).default(1200),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
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
 * Reads `.env` from the working directory into `env` (without overriding what is already
 * set) when `env` is `process.env`; Node's own loader does the parsing.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Validates the environment; throws ConfigError with one line per problem. */
export function loadConfig(env: Record<string, string | undefined>, cpuCount = 2): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SESSION_IDLE_TIMEOUT_SECONDS > e.SESSION_ABSOLUTE_LIFETIME_SECONDS) {
    problems.push('SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_ABSOLUTE_LIFETIME_SECONDS');
  }
  if (e.NODE_ENV === 'production' && e.BASE_URL?.startsWith('http://') && !/^http:\/\/(127\.0\.0\.1|localhost)/.test(e.BASE_URL)) {
    problems.push('BASE_URL: must use https in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'gatehouse.db')}`,
    redisUrl: e.REDIS_URL,
    baseUrl,
    origin: new URL(baseUrl).origin,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    registration: e.REGISTRATION,
    migrateOnStart: e.MIGRATE === '1',
    secretKey: e.SECRET_KEY,
    sessions: Object.freeze({
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
      absoluteLifetimeSeconds: e.SESSION_ABSOLUTE_LIFETIME_SECONDS,
      touchIntervalSeconds: e.SESSION_TOUCH_INTERVAL_SECONDS,
      // The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and no Domain.
      cookieName: production ? '__Host-gatehouse_session' : 'gatehouse_session',
      secureCookie: production,
    }),
    passwords: Object.freeze({
      memoryCostKib: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
      minLength: e.PASSWORD_MIN_LENGTH,
      maxLength: 256,
      hashConcurrency: e.HASH_CONCURRENCY ?? Math.max(1, cpuCount),
      hashQueueLimit: e.HASH_QUEUE_LIMIT,
    }),
    throttle: Object.freeze({
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      registerMaxPerHour: e.REGISTER_MAX_PER_HOUR,
      globalRateLimitPerMinute: e.GLOBAL_RATE_LIMIT,
    }),
    bodyLimitBytes: 64 * 1024,
  });
}
