/**
 * SecondFactorStore on Kysely (tables `totp_credentials`, `recovery_codes`, migration 0012).
 * Single use is decided by the database: a step is accepted by `UPDATE … WHERE last_step IS
 * NULL OR last_step < step`, a recovery code by `UPDATE … WHERE used_at IS NULL`; whichever
 * of two racing uses updates the row wins.
 */
import type { Kysely } from 'kysely';
import type { SecondFactorStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';

export function createSqlSecondFactorStore(db: Kysely<Database>): SecondFactorStore {
  return {
    async findTotp(userId) {
      const row = await db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (!row) return undefined;
      return {
        secretSealed: row.secret_sealed,
        keyVersion: Number(row.key_version),
        lastStep: row.last_step === null ? null : Number(row.last_step),
        confirmedAt: row.confirmed_at === null ? null : new Date(Number(row.confirmed_at)),
      };
    },

    async saveUnconfirmedTotp(userId, secretSealed, keyVersion, now) {
      // Replace an unconfirmed one; never touch a confirmed one (that is removeTotp's job).
      await db.deleteFrom('totp_credentials').where('user_id', '=', userId).where('confirmed_at', 'is', null).execute();
      try {
        await db.insertInto('totp_credentials').values({ user_id: userId, secret_sealed: secretSealed, key_version: keyVersion, last_step: null, created_at: now.getTime(), confirmed_at: null }).execute();
        return true;
      } catch {
        // The primary key refused it: a confirmed secret is there.
        return false;
      }
    },

    async confirmTotp(userId, step, now) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ confirmed_at: now.getTime(), last_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async useStep(userId, step) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async removeTotp(userId) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      const result = await db.deleteFrom('totp_credentials').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async replaceRecoveryCodes(userId, hashes, now) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length === 0) return;
      await db
        .insertInto('recovery_codes')
        .values(hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: now.getTime(), used_at: null })))
        .execute();
    },

    async useRecoveryCode(userId, hash, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: now.getTime() })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async countUnusedRecoveryCodes(userId) {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
