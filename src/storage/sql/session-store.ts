/**
 * SessionStore on Kysely. Validation is one query on the primary key that returns the
 * session and its user together.
 */
import type { Kysely } from 'kysely';
import type { SessionStore } from '../../domain/ports.ts';
import type { Session } from '../../domain/sessions/session.ts';
import type { Database } from '../database.ts';
import { newPublicId } from '../../domain/sessions/session.ts';
import { prepareQuery } from './compiled.ts';
import { toSession, toUser } from './rows.ts';

function withPublicId(session: Session, publicId: string | null): Session {
  return publicId === null ? session : { ...session, publicId };
}

export function createSqlSessionStore(db: Kysely<Database>): SessionStore {
  // The per-request lookup, compiled once (see compiled.ts).
  // The per-request lookups, compiled once (see compiled.ts): by the session cookie's hash
  // (primary key) or by the proxy cookie's (unique index), the same columns either way.
  const sessionAndUser = () =>
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
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
      ]);
  const findSessionAndUser = prepareQuery(db, sessionAndUser().where('sessions.id_hash', '=', '').compile());
  const findByProxyHash = prepareQuery(db, sessionAndUser().where('sessions.proxy_token_hash', '=', '').compile());
  type Found = Awaited<ReturnType<typeof findSessionAndUser.run>>['rows'][number];
  const toFound = (row: Found) => ({
    session: withPublicId(toSession({ ...row, created_at: row.session_created_at, credential_version: row.session_credential_version }), row.public_id),
    user: toUser(row),
  });
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
      const row = (await findSessionAndUser.run(idHash)).rows[0];
      return row ? toFound(row) : undefined;
    },

    async findSessionAndUserByProxyHash(proxyTokenHash) {
      const row = (await findByProxyHash.run(proxyTokenHash)).rows[0];
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
