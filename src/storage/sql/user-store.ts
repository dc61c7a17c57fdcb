/**
 * UserStore and CredentialStore on Kysely, over the `users` table: every query
 * parameterised by construction. Both take a Kysely instance or a transaction (see
 * transactor.ts), so they can take part in a unit of work.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql, SqliteAdapter } from 'kysely';
import type { CreateUserResult, CredentialStore, UserConflict, UserStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { prepareQuery } from './compiled.ts';
import { toUser, toUserWithPassword, violatedUniqueIndex } from './rows.ts';

export const PUBLIC_USER_COLUMNS = ['id', 'username', 'email', 'role', 'disabled', 'must_change_password', 'credential_version', 'email_verified_at', 'locale', 'created_at'] as const;

/** Which identity a unique index guards: index names (PostgreSQL, MySQL) and SQLite's column names. */
const CONFLICT_BY_INDEX: Readonly<Record<string, UserConflict>> = {
  users_username_normalized_unique: 'username',
  'users.username_normalized': 'username',
  users_email_normalized_unique: 'email',
  'users.email_normalized': 'email',
};

export function createSqlUserStore(db: Kysely<Database>, now: () => number): UserStore {
  // On every request's path when sessions live in Redis: compiled once (see compiled.ts).
  const findUserById = prepareQuery(db, db.selectFrom('users').select(PUBLIC_USER_COLUMNS).where('id', '=', 0).compile());
  return {
    async createUser(user): Promise<CreateUserResult> {
      const createdAt = user.createdAt.getTime();
      // Inside a unit of work the insert runs under a savepoint: on PostgreSQL a unique
      // violation aborts the whole transaction, and rolling back to the savepoint is what lets
      // the work go on (registration mails the address's owner in the same transaction).
      const savepoint = db.isTransaction;
      if (savepoint) await sql`SAVEPOINT gatehouse_create_user`.execute(db);
      try {
        const inserted = await db
          .insertInto('users')
          .values({
            username: user.username,
            username_normalized: user.usernameNormalized,
            email: user.email,
            email_normalized: user.emailNormalized,
            password_hash: user.passwordHash,
            password_policy: user.passwordPolicy ?? null,
            role: user.role,
            locale: user.locale ?? null,
            disabled: 0,
            must_change_password: 0,
            created_at: createdAt,
            updated_at: createdAt,
            // The account's OIDC subject (issue #13): random, never derived from the id.
            oidc_subject: randomBytes(16).toString('base64url'),
          })
          .executeTakeFirstOrThrow();
        if (savepoint) await sql`RELEASE SAVEPOINT gatehouse_create_user`.execute(db);
        const id = Number(inserted.insertId ?? 0);
        // PostgreSQL reports no insertId without RETURNING; the unique name finds the row.
        const row = id
          ? await db.selectFrom('users').select(PUBLIC_USER_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow()
          : await db
              .selectFrom('users')
              .select(PUBLIC_USER_COLUMNS)
              .where('username_normalized', '=', user.usernameNormalized)
              .executeTakeFirstOrThrow();
        return { ok: true, user: toUser(row) };
      } catch (error) {
        const conflict = CONFLICT_BY_INDEX[violatedUniqueIndex(error) ?? ''];
        if (savepoint && conflict !== undefined) await sql`ROLLBACK TO SAVEPOINT gatehouse_create_user`.execute(db);
        if (conflict === undefined) throw error;
        return { ok: false, conflict };
      }
    },
    async findUserById(id) {
      const row = (await findUserById.run(id)).rows[0];
      return row && toUser(row);
    },
    async usernamesByIds(ids) {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', [...ids]).execute();
      return new Map(rows.map((row) => [Number(row.id), row.username]));
    },
    async findUserByUsername(usernameNormalized) {
      const row = await db
        .selectFrom('users')
        .select(PUBLIC_USER_COLUMNS)
        .where('username_normalized', '=', usernameNormalized)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async findUserForLogin(identifierNormalized) {
      const column = identifierNormalized.includes('@') ? 'email_normalized' : 'username_normalized';
      const row = await db.selectFrom('users').selectAll().where(column, '=', identifierNormalized).executeTakeFirst();
      return row && toUserWithPassword(row);
    },
    async setLocale(userId, locale) {
      await db.updateTable('users').set({ locale, updated_at: now() }).where('id', '=', userId).execute();
    },
    async countActiveAdmins() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled', '=', 0)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async lockActiveAdmins() {
      const adapter = db.getExecutor().adapter;
      const query = db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).orderBy('id');
      if (adapter instanceof SqliteAdapter) {
        // SQLite has no row locks: a write statement (changing nothing) takes the database's
        // write lock before the read, so another process's transaction waits (busy timeout).
        await db.updateTable('users').set({ role: sql`role` }).where(sql<boolean>`0 = 1`).execute();
        return (await query.execute()).map((row) => Number(row.id));
      }
      return (await query.forUpdate().execute()).map((row) => Number(row.id));
    },
    async deleteUser(userId) {
      // Sessions, tokens and known devices go with the row (ON DELETE CASCADE, migrations 0001, 0006, 0008).
      const result = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async setRole(userId, role) {
      const result = await db.updateTable('users').set({ role, updated_at: now() }).where('id', '=', userId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setDisabled(userId, disabled) {
      const result = await db
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0, updated_at: now() })
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async markEmailVerified(userId, at, newAddress) {
      const address = newAddress ? { email: newAddress.email, email_normalized: newAddress.emailNormalized } : {};
      // Under a savepoint inside a unit of work, as createUser: a taken address must not abort
      // the transaction on PostgreSQL (the change and its audit row commit together).
      const savepoint = db.isTransaction;
      if (savepoint) await sql`SAVEPOINT gatehouse_mark_verified`.execute(db);
      try {
        const result = await db
          .updateTable('users')
          .set({ ...address, email_verified_at: at.getTime(), updated_at: now() })
          .where('id', '=', userId)
          .executeTakeFirst();
        if (savepoint) await sql`RELEASE SAVEPOINT gatehouse_mark_verified`.execute(db);
        return Number(result.numUpdatedRows) > 0 ? 'ok' : 'unknown';
      } catch (error) {
        const conflict = CONFLICT_BY_INDEX[violatedUniqueIndex(error) ?? ''] === 'email';
        if (savepoint && conflict) await sql`ROLLBACK TO SAVEPOINT gatehouse_mark_verified`.execute(db);
        if (conflict) return 'conflict';
        throw error;
      }
    },
  };
}

export function createSqlCredentialStore(db: Kysely<Database>, now: () => number): CredentialStore {
  /** `credential_version + 1` in the UPDATE itself: two racing changes each move it on. */
  async function bumpAndRead(userId: number, changes: { password_hash?: string; must_change_password?: number; password_policy?: string | null }) {
    const result = await db
      .updateTable('users')
      .set((eb) => ({ ...changes, credential_version: eb('credential_version', '+', 1), updated_at: now() }))
      .where('id', '=', userId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const row = await db.selectFrom('users').select('credential_version').where('id', '=', userId).executeTakeFirst();
    return row && Number(row.credential_version);
  }
  return {
    replacePassword(userId, passwordHash, state) {
      return bumpAndRead(userId, {
        password_hash: passwordHash,
        must_change_password: state.mustChangePassword ? 1 : 0,
        password_policy: state.passwordPolicy,
      });
    },
    async rehashPassword(userId, passwordHash, state) {
      await db
        .updateTable('users')
        .set({
          password_hash: passwordHash,
          must_change_password: state.mustChangePassword ? 1 : 0,
          password_policy: state.passwordPolicy,
          updated_at: now(),
        })
        .where('id', '=', userId)
        .execute();
    },
    async setPasswordState(userId, state) {
      await db
        .updateTable('users')
        .set({ must_change_password: state.mustChangePassword ? 1 : 0, password_policy: state.passwordPolicy, updated_at: now() })
        .where('id', '=', userId)
        .execute();
    },
    bumpCredentialVersion: (userId) => bumpAndRead(userId, {}),
  };
}
