/**
 * users.password_policy: the fingerprint of the password policy a user's password was last
 * checked against, so sign-in re-checks a password only after the policy changed.
 * Frozen in time: never edit a released migration, add a new one.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_policy', 'varchar(64)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('password_policy').execute();
}
