/**
 * OidcSubjectStore on Kysely: `users.oidc_subject` (migration 0014), unique, set when the
 * account is created (user-store.ts) or, for accounts that predate it, by the migration.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OidcSubjectStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { isAsciiId, toUser } from './rows.ts';
import { PUBLIC_USER_COLUMNS } from './user-store.ts';

export function createSqlOidcSubjectStore(db: Kysely<Database>): OidcSubjectStore {
  return {
    async subjectFor(userId) {
      const row = await db.selectFrom('users').select('oidc_subject').where('id', '=', userId).executeTakeFirst();
      if (!row) return undefined;
      if (row.oidc_subject) return row.oidc_subject;
      // Never expected (creation and the migration set it), but a guarded update keeps one
      // subject per account even if two requests meet a row without one.
      await db.updateTable('users').set({ oidc_subject: randomBytes(16).toString('base64url') }).where('id', '=', userId).where('oidc_subject', 'is', null).execute();
      const again = await db.selectFrom('users').select('oidc_subject').where('id', '=', userId).executeTakeFirst();
      return again?.oidc_subject ?? undefined;
    },
    async findUserBySubject(subject) {
      if (!isAsciiId(subject, 32)) return undefined;
      const row = await db.selectFrom('users').select([...PUBLIC_USER_COLUMNS, 'oidc_subject']).where('oidc_subject', '=', subject).executeTakeFirst();
      // ascii_bin on MySQL already compares exactly; checked again for any collation.
      return row && row.oidc_subject === subject ? toUser(row) : undefined;
    },
  };
}
