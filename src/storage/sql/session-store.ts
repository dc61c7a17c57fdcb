/**
 * SessionStore on Kysely. Validation reads the session by its hash and its user by primary
 * key: one joined query on PostgreSQL and MySQL/MariaDB, two single-table reads on SQLite.
 */
import { type Kysely, SqliteAdapter } from 'kysely';
import type { SessionStore } from '../../domain/ports.ts';
import type { Session } from '../../domain/sessions/session.ts';
import type { Database } from '../database.ts';
import { newPublicId } from '../../domain/sessions/session.ts';
import { prepareQuery } from './compiled.ts';
import { toSession, toUser } from './rows.ts';

type LookupColumn = 'id_hash' | 'proxy_token_hash';
/** One session row joined with its user's columns, by an indexed session column. */
type Lookup = (column: LookupColumn) => (value: string) => Promise<Record<string, unknown> | undefined>;

function isSqlite(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** PostgreSQL and MySQL/MariaDB: one round trip, the join on the users primary key. */
function joinedLookup(db: Kysely<Database>, sessionAndUser: () => any): Lookup {
  return (column) => {
    const query = prepareQuery(db, sessionAndUser().where(`sessions.${column}`, '=', '').compile());
    return async (value) => (await query.run(value)).rows[0] as Record<string, unknown> | undefined;
  };
}

/**
 * SQLite: the session row, then its user by primary key. Measured with better-sqlite3 13 /
 * SQLite 3.54 on this machine: the joined statement costs ~30 µs a lookup, the two
 * single-table statements ~4 µs together, and this lookup runs on every signed-in request
 * (B1/B2 in bench/); SQLite has no round trip to save. No transaction around the pair: our
 * SQLite dialect begins transactions IMMEDIATE (a write lock), and none is needed: a writer
 * committing between the two reads (the CLI beside a running server) can only make the
 * answer newer (a disabled or deleted user is seen at once), never mix two users.
 */
function splitLookup(db: Kysely<Database>, sessionColumns: readonly string[], userColumns: readonly string[]): Lookup {
  const userQuery = prepareQuery(db, db.selectFrom('users').select(userColumns as any).where('users.id', '=', 0).compile());
  return (column) => {
    const sessionQuery = prepareQuery(db, db.selectFrom('sessions').select(sessionColumns as any).where(`sessions.${column}`, '=', '').compile());
    return async (value) => {
      const session = (await sessionQuery.run(value)).rows[0] as Record<string, unknown> | undefined;
      if (!session) return undefined;
      const user = (await userQuery.run(session.user_id)).rows[0] as Record<string, unknown> | undefined;
      return user ? { ...session, ...user } : undefined;
    };
  };
}

function withPublicId(session: Session, publicId: string | null): Session {
  return publicId === null ? session : { ...session, publicId };
}

export function createSqlSessionStore(db: Kysely<Database>): SessionStore {
  // The per-request lookups, compiled once (see compiled.ts): by the session cookie's hash
  // (primary key) or by the proxy cookie's (unique index), the same columns either way.
  const sessionColumns = [
    'sessions.id_hash',
    'sessions.user_id',
    'sessions.created_at as session_created_at',
    'sessions.last_seen_at',
    'sessions.expires_at',
    'sessions.ip',
    'sessions.user_agent',
    'sessions.credential_version as session_credential_version',
    'sessions.public_id',
    'sessions.reauthenticated_at',
    'sessions.auth_methods',
    'sessions.proxy_token_hash',
  ] as const;
  const userColumns = [
    'users.id',
    'users.username',
    'users.email',
    'users.role',
    'users.disabled',
    'users.must_change_password',
    'users.credential_version',
    'users.email_verified_at',
    'users.locale',
    'users.created_at',
  ] as const;
  const sessionAndUser = () => db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select([...sessionColumns, ...userColumns]);
  type Found = Awaited<ReturnType<ReturnType<typeof sessionAndUser>['execute']>>[number];
  const toFound = (row: Found) => ({
    session: withPublicId(toSession({ ...row, created_at: row.session_created_at, credential_version: row.session_credential_version }), row.public_id),
    user: toUser(row),
  });
  const lookup = isSqlite(db) ? splitLookup(db, sessionColumns, userColumns) : joinedLookup(db, sessionAndUser);
  const findSessionAndUser = lookup('id_hash');
  const findByProxyHash = lookup('proxy_token_hash');
  const touchSession = prepareQuery(
    db,
    db.updateTable('sessions').set({ last_seen_at: 0 }).where('id_hash', '=', '').compile(),
  );

  return {
    async createSession(session) {
      await db
        .insertInto('sessions')
        .values({
          id_hash: session.idHash,
          user_id: session.userId,
          created_at: session.createdAt.getTime(),
          last_seen_at: session.lastSeenAt.getTime(),
          expires_at: session.expiresAt.getTime(),
          ip: session.ip,
          user_agent: session.userAgent,
          credential_version: session.credentialVersion,
          public_id: session.publicId ?? newPublicId(),
          auth_methods: (session.authMethods ?? ['pwd']).join(' '),
          proxy_token_hash: session.proxyTokenHash ?? null,
        })
        .execute();
    },

    async findSessionAndUser(idHash) {
      const row = (await findSessionAndUser(idHash)) as Found | undefined;
      return row ? toFound(row) : undefined;
    },

    async findSessionAndUserByProxyHash(proxyTokenHash) {
      const row = (await findByProxyHash(proxyTokenHash)) as Found | undefined;
      return row ? toFound(row) : undefined;
    },

    async setProxyTokenHash(idHash, proxyTokenHash) {
      const result = await db.updateTable('sessions').set({ proxy_token_hash: proxyTokenHash }).where('id_hash', '=', idHash).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async touchSession(idHash, lastSeenAt) {
      await touchSession.run(lastSeenAt.getTime(), idHash);
    },

    async setCredentialVersion(idHash, credentialVersion) {
      await db.updateTable('sessions').set({ credential_version: credentialVersion }).where('id_hash', '=', idHash).execute();
    },

    async markReauthenticated(idHash, at) {
      await db.updateTable('sessions').set({ reauthenticated_at: at.getTime() }).where('id_hash', '=', idHash).execute();
    },

    async deleteSession(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    async deleteSessionsForUser(userId, exceptIdHash) {
      let query = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptIdHash !== undefined) query = query.where('id_hash', '!=', exceptIdHash);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listSessionsForUser(userId) {
      // The sessions_user_id_index; a user has a handful of rows.
      const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
      return rows.map((row) => withPublicId(toSession(row), row.public_id));
    },

    async deleteSessionByPublicId(userId, publicId) {
      // Both conditions in the one statement: another user's public id deletes nothing.
      const result = await db.deleteFrom('sessions').where('public_id', '=', publicId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async deleteExpiredSessions(now, idleTimeoutSeconds) {
      const nowMs = now.getTime();
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', nowMs), eb('last_seen_at', '<=', nowMs - idleTimeoutSeconds * 1000)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async countLiveSessions(now, idleTimeoutSeconds) {
      const nowMs = now.getTime();
      // COUNT(*) comes back as a string on PostgreSQL and MySQL (BIGINT).
      const row = await db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('expires_at', '>', nowMs)
        .where('last_seen_at', '>', nowMs - idleTimeoutSeconds * 1000)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}
