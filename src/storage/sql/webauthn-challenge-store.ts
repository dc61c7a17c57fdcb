/**
 * WebauthnChallengeStore on Kysely (table `webauthn_challenges`, migration 0012): rows keyed by
 * a SHA-256 (the challenge itself is never stored), each with its purpose, user and expiry.
 * Answering one is a read and then a guarded delete of that very row, as token-store.ts does:
 * whichever of two racing answers deletes it wins, the other finds nothing; an expired row is
 * deleted and refused. Saving a challenge first clears the expired ones, so abandoned
 * ceremonies cannot pile up: the table holds at most what was issued within one lifetime
 * (5 minutes, domain/passkeys/challenges.ts), itself bounded by the request-rate limits.
 */
import type { Kysely } from 'kysely';
import type { WebauthnChallengeStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';

export function createSqlWebauthnChallengeStore(db: Kysely<Database>): WebauthnChallengeStore {
  return {
    async saveChallenge(challenge, now) {
      await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now.getTime()).execute();
      await db
        .insertInto('webauthn_challenges')
        .values({ hash: challenge.hash, purpose: challenge.purpose, user_id: challenge.userId, expires_at: challenge.expiresAt.getTime() })
        .execute();
    },

    async consumeChallenge(hash, purpose, now) {
      const row = await db.selectFrom('webauthn_challenges').select(['user_id', 'expires_at']).where('hash', '=', hash).where('purpose', '=', purpose).executeTakeFirst();
      if (!row) return undefined;
      const deleted = await db.deleteFrom('webauthn_challenges').where('hash', '=', hash).where('purpose', '=', purpose).executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return undefined;
      if (Number(row.expires_at) <= now.getTime()) return undefined;
      return { userId: row.user_id === null ? null : Number(row.user_id) };
    },
  };
}
