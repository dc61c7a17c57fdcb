/**
 * The audit viewer's time filter at scale (issue #15, measured by `npm run bench` S1).
 *
 * A page of events in a time range (`from`/`to`, newest first by `seq`) was read through the
 * `(occurred_at)` index with every row of the range fetched and sorted (a month of a
 * 1 000 000-event log: ~80 000 rows, 107 ms on SQLite), or by walking `seq` backwards and
 * discarding the newer rows (47 ms on PostgreSQL). `(occurred_at, seq)` lets the reader pick
 * the page's 50 `seq`s from the index alone, then fetch those rows by `seq`
 * (audit-queries.ts): 9 ms on SQLite. It replaces `(occurred_at)`, of which it is an
 * extension, so every query that used that index can use this one.
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter } from 'kysely';

/** MySQL's DROP INDEX names its table (`… on t`); SQLite and PostgreSQL refuse that form. */
function dropIndex(db: Kysely<any>, name: string) {
  const drop = db.schema.dropIndex(name);
  return db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('audit_events') : drop;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_time_seq_index').on('audit_events').columns(['occurred_at', 'seq']).execute();
  await dropIndex(db, 'audit_events_time_index').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_time_index').on('audit_events').columns(['occurred_at']).execute();
  await dropIndex(db, 'audit_events_time_seq_index').execute();
}
