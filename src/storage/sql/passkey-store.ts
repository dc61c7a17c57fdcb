/**
 * PasskeyStore on Kysely (table `passkeys`, migration 0012). The credential id is the primary
 * key, so a credential belongs to one account at most and a second registration of it is a
 * conflict decided by the index (no check-then-insert). Renames and deletes are keyed by
 * (user, credential id): another user's id matches no row. A use moves the counter with a
 * guarded update (`… WHERE sign_count = expected`), so of two racing uses of one counter value
 * only one is recorded.
 *
 * Driver quirks: BIGINT columns come back as strings on PostgreSQL (`Number(…)`); on MySQL and
 * MariaDB the table's collation compares text case-insensitively, and base64url ids differ by
 * case, so a row found by id is checked again for the exact id before it is returned.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Passkey, PasskeyStore } from '../../domain/ports.ts';
import type { Database, PasskeyTable } from '../database.ts';
import { toDate, violatedUniqueIndex } from './rows.ts';

function toPasskey(row: Selectable<PasskeyTable>): Passkey {
  return {
    credentialId: row.credential_id,
    userId: Number(row.user_id),
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports ? row.transports.split(' ').filter(Boolean) : [],
    name: row.name,
    backedUp: Number(row.backed_up) === 1,
    createdAt: toDate(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : toDate(row.last_used_at),
  };
}

export function createSqlPasskeyStore(db: Kysely<Database>): PasskeyStore {
  return {
    async createPasskey(passkey) {
      // Under a savepoint inside a unit of work (as user-store.ts's createUser): on PostgreSQL a
      // unique violation would otherwise abort the whole transaction.
      const savepoint = db.isTransaction;
      if (savepoint) await sql`SAVEPOINT gatehouse_create_passkey`.execute(db);
      try {
        await db
          .insertInto('passkeys')
          .values({
            credential_id: passkey.credentialId,
            user_id: passkey.userId,
            public_key: passkey.publicKey,
            sign_count: passkey.signCount,
            transports: passkey.transports.length > 0 ? passkey.transports.join(' ') : null,
            name: passkey.name,
            backed_up: passkey.backedUp ? 1 : 0,
            created_at: passkey.createdAt.getTime(),
            last_used_at: passkey.lastUsedAt === null ? null : passkey.lastUsedAt.getTime(),
          })
          .execute();
        if (savepoint) await sql`RELEASE SAVEPOINT gatehouse_create_passkey`.execute(db);
        return 'created';
      } catch (error) {
        if (violatedUniqueIndex(error) === undefined) throw error;
        if (savepoint) await sql`ROLLBACK TO SAVEPOINT gatehouse_create_passkey`.execute(db);
        return 'conflict';
      }
    },

    async listPasskeysForUser(userId) {
      const rows = await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('credential_id').execute();
      return rows.map(toPasskey);
    },

    async findPasskey(credentialId) {
      const row = await db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return row && row.credential_id === credentialId ? toPasskey(row) : undefined;
    },

    async countPasskeysForUser(userId) {
      const row = await db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async recordPasskeyUse(credentialId, use) {
      const result = await db
        .updateTable('passkeys')
        .set({ sign_count: use.signCount, backed_up: use.backedUp ? 1 : 0, last_used_at: use.at.getTime() })
        .where('credential_id', '=', credentialId)
        .where('sign_count', '=', use.expectedSignCount)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async renamePasskey(userId, credentialId, name) {
      const result = await db.updateTable('passkeys').set({ name }).where('user_id', '=', userId).where('credential_id', '=', credentialId).executeTakeFirst();
      // MySQL counts changed rows, not matched ones: the same name again reads as "no change".
      if (Number(result.numUpdatedRows) === 1) return true;
      const found = await db.selectFrom('passkeys').select('credential_id').where('user_id', '=', userId).where('credential_id', '=', credentialId).executeTakeFirst();
      return found?.credential_id === credentialId;
    },

    async deletePasskey(userId, credentialId) {
      const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).where('credential_id', '=', credentialId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
