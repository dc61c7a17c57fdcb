/**
 * Importing the Flask "Auth Security Demo" users (`gatehouse import-werkzeug`): each row of
 * its `users` table becomes a Gatehouse account or is skipped with a stated reason.
 *
 * - The stored werkzeug hash (pbkdf2 or scrypt) is kept as it is: the hasher verifies it at
 *   the user's first sign-in and re-hashes it to argon2id then (hasher.ts `identifyHash`).
 *   Anything else (the demo's plaintext variant, an unknown format) is imported with no
 *   usable password: that user signs in only after a password reset.
 * - The password policy is not known to have been checked (`passwordPolicy: null`), so the
 *   first sign-in checks it and a failing password must be changed at once (gates.ts).
 * - Idempotent: a row whose username and email are already an account with both is
 *   "already imported" and changes nothing, so an interrupted import simply runs again.
 *   Uniqueness is decided by the store's unique indexes, never by a look-up first.
 */
import { identifyHash, makeUnusablePassword } from '../passwords/hasher.ts';
import type { AuditContext } from '../audit/events.ts';
import type { TransactionStores } from '../ports.ts';
import {
  canonicalEmail,
  canonicalUsername,
  checkUsername,
  isRole,
  isValidEmail,
  type NewUser,
  normalizeEmail,
  normalizeUsername,
  type Role,
} from './user.ts';

/** One row as the demo stored it; every column may be missing or of the wrong type. */
export interface LegacyUserRow {
  id: unknown;
  username: unknown;
  password: unknown;
  email: unknown;
  role: unknown;
  created_at: unknown;
}

export type SkipReason = 'invalid_username' | 'invalid_email' | 'username_taken' | 'email_taken';

export type RowOutcome =
  | { kind: 'imported'; username: string; usablePassword: boolean }
  | { kind: 'already-imported'; username: string }
  | { kind: 'skipped'; username: string; reason: SkipReason };

export interface ImportReport {
  imported: number;
  importedWithoutPassword: number;
  alreadyImported: number;
  skipped: { row: number; username: string; reason: SkipReason }[];
}

/** The demo's `created_at` (SQLite `CURRENT_TIMESTAMP`: `YYYY-MM-DD HH:MM:SS`, UTC); else `fallback`. */
export function parseLegacyTimestamp(value: unknown, fallback: Date): Date {
  if (typeof value !== 'string') return fallback;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/.exec(value.trim());
  const parsed = match ? new Date(`${match[1]}T${match[2]}${match[3] ?? ''}Z`) : new Date(Number.NaN);
  return Number.isNaN(parsed.getTime()) ? fallback : parsed;
}

/** The account a row becomes, or why it cannot become one. Pure; never throws. */
export function planLegacyRow(row: LegacyUserRow, now: Date): { ok: true; user: NewUser; usablePassword: boolean } | { ok: false; username: string; reason: SkipReason } {
  const username = canonicalUsername(typeof row.username === 'string' ? row.username : '');
  if (checkUsername(username) !== null) return { ok: false, username, reason: 'invalid_username' };
  const email = canonicalEmail(typeof row.email === 'string' ? row.email : '');
  if (!isValidEmail(email)) return { ok: false, username, reason: 'invalid_email' };
  const stored = typeof row.password === 'string' ? row.password : '';
  const usablePassword = identifyHash(stored) === 'werkzeug-pbkdf2' || identifyHash(stored) === 'werkzeug-scrypt';
  const role: Role = typeof row.role === 'string' && isRole(row.role) ? row.role : 'user';
  return {
    ok: true,
    usablePassword,
    user: {
      username,
      usernameNormalized: normalizeUsername(username),
      email,
      emailNormalized: normalizeEmail(email),
      passwordHash: usablePassword ? stored : makeUnusablePassword(),
      passwordPolicy: null,
      role,
      createdAt: parseLegacyTimestamp(row.created_at, now),
    },
  };
}

/**
 * Imports one row inside `tx` (the caller commits a page of rows at a time, so an interrupted
 * import loses at most a page, which the next run imports); a collision with the same username
 * and email is "already imported". Each account and its `user.created`
 * event (details.via `import`) commit together; the insert's savepoint (user-store.ts) keeps a
 * refused row from aborting the page.
 */
export async function importLegacyRow(tx: Pick<TransactionStores, 'users' | 'audit'>, row: LegacyUserRow, now: Date, by: AuditContext): Promise<RowOutcome> {
  const plan = planLegacyRow(row, now);
  if (!plan.ok) return { kind: 'skipped', username: plan.username, reason: plan.reason };
  const created = await tx.users.createUser(plan.user);
  if (created.ok) {
    await tx.audit.record({ type: 'user.created', outcome: 'success', targetUserId: created.user.id, details: { via: 'import', usable_password: plan.usablePassword } }, by);
    return { kind: 'imported', username: plan.user.username, usablePassword: plan.usablePassword };
  }
  // Read only after the index refused the row: is it this very row, imported before?
  const existing = await tx.users.findUserByUsername(plan.user.usernameNormalized);
  if (existing && normalizeEmail(existing.email) === plan.user.emailNormalized) return { kind: 'already-imported', username: plan.user.username };
  return { kind: 'skipped', username: plan.user.username, reason: created.conflict === 'username' ? 'username_taken' : 'email_taken' };
}
