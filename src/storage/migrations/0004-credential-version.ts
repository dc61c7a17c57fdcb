/**
 * Credential versions (issue #8, defect 1): `users.credential_version` moves on at every
 * credential change, and each session records the version it was made under, so a password
 * change voids every other session even if deleting them fails (Redis away, a crash).
 * Existing rows start at 0 on both sides, so every live session stays valid.
 * Frozen in time: never edit a released migration, add a new one.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('credential_version', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('credential_version', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('credential_version').execute();
  await db.schema.alterTable('users').dropColumn('credential_version').execute();
}
