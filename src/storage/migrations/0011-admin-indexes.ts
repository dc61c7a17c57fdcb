/**
 * Indexes for the admin console (issue #11).
 *
 * `users (created_at, id)`: the user list sorted by creation, keyset-paginated on the pair
 * (ties on the millisecond broken by id), read in either direction.
 *
 * PostgreSQL only: `username_normalized` and `email_normalized` again under the "C"
 * collation. The prefix search is a range (`>= p AND < next(p)`), correct only in code-point
 * order; a database created with a linguistic default collation (en_US.UTF-8) orders
 * `a-c` between `ab` and `ac`, so the unique indexes under that collation can neither
 * answer the range nor give its order. SQLite (BINARY) and the MySQL columns
 * (utf8mb4_bin, migration 0001) already compare in code-point order.
 *
 * `audit_events (type, occurred_at)`: sign-in activity and the top failing IPs and
 * accounts read one type over a time range.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.createIndex('users_created_index').on('users').columns(['created_at', 'id']).execute();
  if (postgres) {
    await db.schema.createIndex('users_username_prefix_index').on('users').expression(sql`username_normalized collate "C"`).execute();
    await db.schema.createIndex('users_email_prefix_index').on('users').expression(sql`email_normalized collate "C"`).execute();
  }
  await db.schema.createIndex('audit_events_type_time_index').on('audit_events').columns(['type', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.dropIndex('audit_events_type_time_index').on('audit_events').execute();
  if (postgres) {
    await db.schema.dropIndex('users_email_prefix_index').execute();
    await db.schema.dropIndex('users_username_prefix_index').execute();
  }
  await db.schema.dropIndex('users_created_index').on('users').execute();
}
