/**
 * Indexes for the admin console's role filter (issue #15, measured by `npm run bench` S1).
 *
 * `GET /admin/users?role=admin` reads the accounts of one role in username or creation
 * order, 50 a page. Without an index led by `role` every planner walks the sort index and
 * filters: admins are few (1 in 2 000 seeded accounts), so a page read the whole table,
 * 93 ms on SQLite and 52 ms on PostgreSQL at 100 000 accounts. `(role, username)` and
 * `(role, created_at, id)` answer the page as one index range in either sort and direction,
 * keyset included. PostgreSQL orders usernames under the "C" collation (migration 0011), so
 * its index carries the same expression.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await db.schema.createIndex('users_role_username_index').on('users').columns(['role']).expression(sql`username_normalized collate "C"`).execute();
  } else {
    await db.schema.createIndex('users_role_username_index').on('users').columns(['role', 'username_normalized']).execute();
  }
  await db.schema.createIndex('users_role_created_index').on('users').columns(['role', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_role_created_index').on('users').execute();
  await db.schema.dropIndex('users_role_username_index').on('users').execute();
}
