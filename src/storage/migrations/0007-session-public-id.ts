/**
 * Sessions get a public id (issue #10): the sessions page and API name a session by it,
 * never by its token or the token's hash, so what a page shows cannot be replayed or
 * matched against a leaked table. Random (128 bits, base64url), unique, made at sign-in;
 * sessions already open get one here.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('public_id', 'varchar(32)').execute();
  const open = await db.selectFrom('sessions').select('id_hash').execute();
  for (const row of open) {
    await db.updateTable('sessions').set({ public_id: randomBytes(16).toString('base64url') }).where('id_hash', '=', row.id_hash).execute();
  }
  await db.schema.createIndex('sessions_public_id_index').on('sessions').column('public_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_public_id_index').on('sessions').execute();
  await db.schema.alterTable('sessions').dropColumn('public_id').execute();
}
