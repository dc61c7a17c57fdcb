/**
 * The tamper-evident audit log (issue #11) and re-authentication time (sudo mode).
 *
 * `audit_events`: append-only. `seq` is the row's place in the hash chain (1, 2, 3, … with no
 * gap), handed out under the lock of the single `audit_chain` row, which also holds the
 * newest MAC (the head) and the anchor the chain starts from once old rows are pruned
 * (domain/audit/chain.ts). User ids are plain integers, not foreign keys: deleting a user
 * must not rewrite (and so break) its events, which stay as a pseudonymous record.
 * Indexes serve the admin filters (user, type, IP, time) newest first, by `seq`.
 *
 * `sessions.reauthenticated_at`: when the session last confirmed its password at /sudo;
 * null until then (the sign-in time, `created_at`, counts instead).
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  const postgres = adapter instanceof PostgresAdapter;
  const mysql = adapter instanceof MysqlAdapter;
  const utf8 = mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``;
  await db.schema
    .createTable('audit_events')
    .addColumn('id', postgres ? 'bigserial' : mysql ? 'bigint' : 'integer', (col) => (postgres ? col.primaryKey() : col.primaryKey().autoIncrement()))
    .addColumn('seq', 'bigint', (col) => col.notNull().unique())
    .addColumn('occurred_at', 'bigint', (col) => col.notNull())
    .addColumn('type', 'varchar(64)', (col) => col.notNull())
    .addColumn('actor_user_id', 'bigint')
    .addColumn('target_user_id', 'bigint')
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(256)')
    .addColumn('channel', 'varchar(16)', (col) => col.notNull())
    .addColumn('outcome', 'varchar(16)', (col) => col.notNull())
    .addColumn('details', 'text', (col) => col.notNull())
    .addColumn('mac', 'char(64)', (col) => col.notNull())
    .modifyEnd(utf8)
    .execute();
  await db.schema.createIndex('audit_events_time_index').on('audit_events').columns(['occurred_at']).execute();
  await db.schema.createIndex('audit_events_target_index').on('audit_events').columns(['target_user_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_actor_index').on('audit_events').columns(['actor_user_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_type_index').on('audit_events').columns(['type', 'seq']).execute();
  await db.schema.createIndex('audit_events_ip_index').on('audit_events').columns(['ip', 'seq']).execute();

  await db.schema
    .createTable('audit_chain')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('head_seq', 'bigint', (col) => col.notNull())
    .addColumn('head_mac', 'char(64)', (col) => col.notNull())
    .addColumn('anchor_seq', 'bigint', (col) => col.notNull())
    .addColumn('anchor_mac', 'char(64)', (col) => col.notNull())
    .addColumn('anchor_tag', 'char(64)')
    .modifyEnd(utf8)
    .execute();
  const genesis = '0'.repeat(64);
  await db.insertInto('audit_chain').values({ id: 1, head_seq: 0, head_mac: genesis, anchor_seq: 0, anchor_mac: genesis, anchor_tag: null }).execute();

  await db.schema.alterTable('sessions').addColumn('reauthenticated_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('reauthenticated_at').execute();
  await db.schema.dropTable('audit_chain').execute();
  await db.schema.dropTable('audit_events').execute();
}
