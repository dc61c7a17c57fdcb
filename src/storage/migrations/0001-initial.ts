/**
 * Users and sessions. Frozen in time: never edit a released migration, add a new one.
 * Works on SQLite, PostgreSQL and MySQL/MariaDB; only auto-increment keys and the binary
 * collation of identity columns differ by dialect.
 */
import { type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  const postgres = adapter instanceof PostgresAdapter;
  const mysql = adapter instanceof MysqlAdapter;
  // MySQL's default collations fold case and accents ('é' = 'e'); identity must be exact
  // on the already-normalised columns, so they compare as bytes.
  const identity = mysql ? sql`varchar(254) character set utf8mb4 collate utf8mb4_bin` : sql`varchar(254)`;
  // A MySQL database created with another default (latin1) would refuse non-Latin names and
  // user agents; the tables say utf8mb4 themselves.
  const tableOptions = mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``;

  await db.schema
    .createTable('users')
    .addColumn('id', postgres ? 'serial' : 'integer', (col) => (postgres ? col.primaryKey() : col.primaryKey().autoIncrement()))
    .addColumn('username', 'varchar(64)', (col) => col.notNull())
    .addColumn('username_normalized', identity, (col) => col.notNull())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('email_normalized', identity, (col) => col.notNull())
    .addColumn('password_hash', 'varchar(255)')
    .addColumn('role', 'varchar(16)', (col) => col.notNull().defaultTo('user'))
    .addColumn('disabled', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('must_change_password', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('users_username_normalized_unique').on('users').column('username_normalized').unique().execute();
  await db.schema.createIndex('users_email_normalized_unique').on('users').column('email_normalized').unique().execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_seen_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('ip', 'varchar(64)', (col) => col.notNull())
    .addColumn('user_agent', 'varchar(512)', (col) => col.notNull())
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('sessions_user_id_index').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at_index').on('sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('users').execute();
}
