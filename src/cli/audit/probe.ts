/**
 * What every audit probe is: an id, a family (`--only` picks one), what accounts it needs, and
 * `run(ctx)`, which answers pass, fail or skip with evidence: what was sent and what came back,
 * as technical notation (methods, paths, statuses, header names), or a catalog sentence for a
 * reason. Evidence never holds a password, token or cookie value: the command redacts every
 * secret it knows before printing, and probes only ever describe values by their shape.
 */
import type { MessageKey, MessageParams } from '../../messages/catalog.ts';
import type { AuditClient, AuditSession } from './client.ts';

export const FAMILIES = [
  'injection',
  'xss',
  'access',
  'csrf',
  'session',
  'cookies',
  'headers',
  'enumeration',
  'bruteforce',
  'redirect',
  'bodies',
  'tokens',
] as const;
export type Family = (typeof FAMILIES)[number];

export type AuditText = string | { key: MessageKey; params?: MessageParams };
export type ProbeResult = { result: 'pass' | 'fail' | 'skip'; evidence: AuditText };

export interface Account {
  username: string;
  email: string;
  password: string;
  /** Registered by this audit: deleted at the end (else its password is changed and forgotten). */
  own: boolean;
  id?: number;
  role?: string;
  /** A TOTP secret (base32) once a probe enrolled a second factor on it. */
  totpSecret?: string;
  /** A session kept from set-up, to delete the account even when sign-in is later throttled. */
  keeper?: AuditSession;
}

export interface AuditContext {
  base: URL;
  https: boolean;
  /** The session cookie's name as the server sets it (learnt at set-up). */
  sessionCookie: string;
  /** LOGIN_MAX_FAILURES the deployment is expected to use (`--login-max-failures`, default 5). */
  loginMaxFailures: number;
  /** The signed-in account the probes act as (a throwaway, or `--user`). */
  primary?: Account;
  /** A second throwaway account: the victim of IDOR and CSRF, and the second-factor probe's. */
  second?: Account;
  /** A throwaway that enumeration and brute force may lock out. */
  target?: Account;
  /** A folder of `.eml` files the deployment's mail reaches (`--mailbox`), if the audit may read it. */
  mailbox?: string;
  /** What registration answered for a fresh address (the taken-address answer must match). */
  registration?: { status: number; location: string | null };
  client(): AuditClient;
  signIn(account: Account, options?: { next?: string; rd?: string }): Promise<{ session: AuditSession; status: number; location: string | null; headers: Headers }>;
  /** Registers a throwaway account with these fields; recorded for clean-up when it was created. */
  register(fields: { username: string; email: string; password: string }): Promise<{ status: number; location: string | null; body: string }>;
  /** Records a secret (a password, a token) that must never be printed. */
  secret(value: string): void;
}

export type Needs = 'primary' | 'second' | 'target';

export interface Probe {
  id: string;
  family: Family;
  needs?: readonly Needs[];
  run(ctx: AuditContext): Promise<ProbeResult>;
}

export const pass = (evidence: AuditText): ProbeResult => ({ result: 'pass', evidence });
export const fail = (evidence: AuditText): ProbeResult => ({ result: 'fail', evidence });
export const skip = (key: MessageKey, params?: MessageParams): ProbeResult => ({ result: 'skip', evidence: { key, params } });

/** Text a database driver prints when string-built SQL breaks (SQLite, PostgreSQL, MySQL/MariaDB). */
export const DB_ERROR = /SQLITE_[A-Z]+|SqliteError|syntax error at or near|near "[^"]*": syntax error|unrecognized token|unterminated quoted string|You have an error in your SQL syntax|ER_PARSE_ERROR|SQLSTATE|pg_catalog|better-sqlite3/i;

/** A stack frame or a module path in an answer. */
export const STACK = /\bat\s+\S+\s+\(?[^\s()]+\.(?:ts|js|mjs|cjs):\d+|node_modules\//;

/** A random suffix: letters and digits only (valid in every username policy). */
export function randomSuffix(bytes = 6): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(36).padStart(2, '0')).join('').slice(0, bytes * 2);
}

/** `"a" → 401` style, shortened. */
export function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
