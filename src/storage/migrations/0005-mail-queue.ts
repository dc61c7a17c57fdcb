/**
 * The outgoing mail queue (issue #10): a message is written here in the same transaction as
 * the change it belongs to, and a sender in the server process delivers it with retries, so
 * mail is never lost and never slows a request. `body` holds the sealed (AES-256-GCM)
 * message and is cleared once sent, since it carries single-use links. A row is claimed by
 * a guarded update of `claimed_until` (a lease), so several instances never send it twice.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  const postgres = adapter instanceof PostgresAdapter;
  const mysql = adapter instanceof MysqlAdapter;
  await db.schema
    .createTable('mail_queue')
    .addColumn('id', postgres ? 'bigserial' : mysql ? 'bigint' : 'integer', (col) =>
      postgres ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('recipient', 'varchar(254)', (col) => col.notNull())
    .addColumn('kind', 'varchar(64)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'varchar(500)')
    .addColumn('body', mysql ? sql`mediumtext` : 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('sent_at', 'bigint')
    .modifyEnd(mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``)
    .execute();
  await db.schema.createIndex('mail_queue_due_index').on('mail_queue').columns(['status', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_queue').execute();
}
