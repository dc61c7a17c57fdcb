/**
 * TokenStore on Kysely (table `tokens`, migration 0006). A token is looked up by the
 * SHA-256 of what the client sent, so comparing it leaks nothing about the stored value;
 * using it is a read and then a guarded delete of that very row: whichever of two racing
 * uses deletes it wins, the other finds nothing. Expired rows are never returned (and are
 * deleted when met).
 */
import type { Kysely } from 'kysely';
import type { TokenStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';

export function createSqlTokenStore(db: Kysely<Database>): TokenStore {
  return {
    async createToken(token) {
      await db
        .insertInto('tokens')
        .values({
          hash: token.hash,
          purpose: token.purpose,
          user_id: token.userId,
          data: token.data ?? null,
          created_at: token.createdAt.getTime(),
          expires_at: token.expiresAt.getTime(),
        })
        .execute();
    },

    async findToken(hash, purpose, now) {
      const row = await db.selectFrom('tokens').select(['user_id', 'data', 'expires_at']).where('hash', '=', hash).where('purpose', '=', purpose).executeTakeFirst();
      if (!row || Number(row.expires_at) <= now.getTime()) return undefined;
      return { userId: Number(row.user_id), data: row.data };
    },

    async consumeToken(hash, purpose, now) {
      const row = await db.selectFrom('tokens').select(['user_id', 'data', 'expires_at']).where('hash', '=', hash).where('purpose', '=', purpose).executeTakeFirst();
      if (!row) return undefined;
      const deleted = await db.deleteFrom('tokens').where('hash', '=', hash).where('purpose', '=', purpose).executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return undefined;
      if (Number(row.expires_at) <= now.getTime()) return undefined;
      return { userId: Number(row.user_id), data: row.data };
    },

    async deleteTokensForUser(userId, purpose) {
      let query = db.deleteFrom('tokens').where('user_id', '=', userId);
      if (purpose !== undefined) query = query.where('purpose', '=', purpose);
      return Number((await query.executeTakeFirst()).numDeletedRows);
    },
  };
}
