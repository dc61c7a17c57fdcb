/**
 * Rate-limit counters for the SQL throttle store (rate-limiter-flexible's SQLite, Postgres
 * and MySQL limiters share this one table; each key starts with its limiter's name).
 * Frozen in time: never edit a released migration, add a new one.
 *
 * The library writes positionally (`INSERT … VALUES (key, points, expire)`), so the column
 * order is part of the contract. Keys are `<limiter>:<hex digest>`, ASCII only; MySQL
 * compares them as bytes. `expire` is epoch milliseconds; expired rows are deleted in bulk.
 */
import { type Kysely, MysqlAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const keyType = mysql ? sql`varchar(255) character set ascii collate ascii_bin` : sql`varchar(255)`;

  await db.schema
    .createTable('throttle_counters')
    .addColumn('key', keyType, (col) => col.primaryKey())
    .addColumn('points', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('throttle_counters_expire_index').on('throttle_counters').column('expire').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('throttle_counters').execute();
}
