/**
 * Single-use tokens (email verification, password reset, "this wasn't me"; issue #10): only
 * the SHA-256 of a token is stored, with its purpose, its user and its expiry; `data` holds
 * what the token confirms when that is not the user alone (the new address of an email
 * change). `users.email_verified_at` records when the address was confirmed.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema
    .createTable('tokens')
    .addColumn('hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('purpose', 'varchar(32)', (col) => col.notNull())
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('data', 'varchar(320)')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .modifyEnd(mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``)
    .execute();
  await db.schema.createIndex('tokens_user_purpose_index').on('tokens').columns(['user_id', 'purpose']).execute();
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
  await db.schema.dropTable('tokens').execute();
}
