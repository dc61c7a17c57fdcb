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
  row: Omit<Selectable<UserTable>, 'password_hash' | 'password_policy' | 'username_normalized' | 'email_normalized' | 'updated_at'>,
): User {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    role: isRole(row.role) ? row.role : 'user',
    disabled: Number(row.disabled) === 1,
    mustChangePassword: Number(row.must_change_password) === 1,
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
  };
}

/**
 * When `error` is a unique-index violation, the violated index or column text
 * (SQLite: SQLITE_CONSTRAINT_UNIQUE, PostgreSQL: 23505, MySQL/MariaDB: ER_DUP_ENTRY 1062).
 */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: string; errno?: number; constraint?: string; message?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return e.message ?? '';
  if (e?.code === '23505') return `${e.constraint ?? ''} ${e.message ?? ''}`;
  if (e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062) return e.message ?? '';
  return undefined;
}
