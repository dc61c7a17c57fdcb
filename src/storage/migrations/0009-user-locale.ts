/**
 * users.locale: the account's language (`en`, `es`), chosen at registration from the page's
 * language and changed by `?lang=` while signed in, so mail about the account (a notice
 * caused by someone else's request, say) is in the owner's language.
 * Frozen in time: never edit a released migration, add a new one.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('locale', 'varchar(8)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').execute();
}
