/**
 * Browsers that have signed in to an account (issue #10, ASVS v5.0.0-6.3.5): a browser is
 * recognised by its long-lived random `gatehouse_device` cookie, stored here only as its
 * SHA-256, per account, so a sign-in from a browser new to the account can be told to its
 * owner. One indexed read per sign-in on (user_id, device_hash); rows go with the user.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema
    .createTable('known_devices')
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_hash', 'char(64)', (col) => col.notNull())
    .addColumn('first_seen_at', 'bigint', (col) => col.notNull())
    .addColumn('last_seen_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('known_devices_pkey', ['user_id', 'device_hash'])
    .modifyEnd(mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('known_devices').execute();
}
