/**
 * Row ↔ domain mapping, and the drivers' quirks in one place: BIGINT as string (pg),
 * 0/1 booleans, and how each driver reports a unique-index violation.
 */
import type { Session } from '../../domain/sessions/session.ts';
import { isRole, type User, type UserWithPassword } from '../../domain/users/user.ts';
import type { SessionTable, UserTable } from '../database.ts';
import type { Selectable } from 'kysely';

export function toDate(value: number | string | bigint): Date {
  return new Date(Number(value));
}

export function toUser(
  row: Omit<Selectable<UserTable>, 'password_hash' | 'password_policy' | 'username_normalized' | 'email_normalized' | 'updated_at' | 'oidc_subject'>,
): User {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    role: isRole(row.role) ? row.role : 'user',
    disabled: Number(row.disabled) === 1,
    mustChangePassword: Number(row.must_change_password) === 1,
    credentialVersion: Number(row.credential_version),
    emailVerifiedAt: row.email_verified_at === null || row.email_verified_at === undefined ? null : toDate(row.email_verified_at),
    locale: row.locale ?? null,
    createdAt: toDate(row.created_at),
  };
}

export function toUserWithPassword(row: Selectable<UserTable>): UserWithPassword {
  return { ...toUser(row), passwordHash: row.password_hash, passwordPolicy: row.password_policy };
}

export function toSession(row: Selectable<SessionTable>): Session {
  return {
    idHash: row.id_hash,
    userId: Number(row.user_id),
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    expiresAt: toDate(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    credentialVersion: Number(row.credential_version),
    reauthenticatedAt: row.reauthenticated_at === null || row.reauthenticated_at === undefined ? null : toDate(row.reauthenticated_at),
    authMethods: row.auth_methods ? row.auth_methods.split(' ') : ['pwd'],
    // Absent when none was minted, as on sessions made before migration 0013.
    ...(row.proxy_token_hash ? { proxyTokenHash: row.proxy_token_hash } : {}),
  };
}

/**
 * When `error` is a unique-index violation, the name of what refused the row: the index
 * name on PostgreSQL (`constraint`) and MySQL/MariaDB (the last `for key '…'` of the
 * message, without a `table.` prefix), and the `table.column` list on SQLite, whose message
 * names columns and never values. Decided by name, never by searching the message for a
 * word, because MySQL quotes the duplicate value in its message (a username containing
 * "email" was once reported as a taken email).
 */
export function violatedUniqueIndex(error: unknown): string | undefined {
  const e = error as { code?: string; errno?: number; constraint?: string; message?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (.+)$/.exec(e.message ?? '')?.[1] ?? '';
  }
  if (e?.code === '23505') return e.constraint ?? '';
  if (e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062) {
    const key = /for key '([^']*)'$/.exec(e.message ?? '')?.[1] ?? '';
    return key.replace(/^[^.]*\./, '');
  }
  return undefined;
}

/**
 * True when `value` can be in an ASCII id column (migration 0014's OpenID Connect ids: printable
 * ASCII, at most `max`). Anything else is never stored there, and comparing it with such a
 * column is an error on MySQL ("illegal mix of collations"): callers answer "not found"
 * without asking, so a client-chosen id (a token, a client id) can never cause a 500.
 */
export function isAsciiId(value: string, max = 255): boolean {
  return value.length > 0 && value.length <= max && /^[\x21-\x7e]+$/.test(value);
}
