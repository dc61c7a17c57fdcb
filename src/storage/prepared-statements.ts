/**
 * Prepared statements, reused: Kysely compiles the same few SQL shapes over and over, and
 * preparing each time costs more than the query on a hot path (session lookup per request).
 *
 * - SQLite: better-sqlite3 statements are cached by SQL text (bounded; least recently
 *   used dropped first), so each shape is prepared once per connection.
 * - PostgreSQL: queries become named prepared statements (name = hash of the SQL text);
 *   pg prepares a name once per connection and reuses it afterwards.
 * Parameters are always bound, never spliced into the SQL.
 */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';

export const STATEMENT_CACHE_SIZE = 256;

/**
 * The subset of better-sqlite3's Database that Kysely's SqliteDialect and rate-limiter-flexible
 * use (prepare, transaction, close), with a statement cache in front of `prepare`.
 */
export type CachedSqliteConnection = Pick<BetterSqlite3.Database, 'prepare' | 'transaction' | 'close'>;

export function withStatementCache(database: BetterSqlite3.Database, size = STATEMENT_CACHE_SIZE): CachedSqliteConnection {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sqlText: string): BetterSqlite3.Statement => {
    let statement = cache.get(sqlText);
    if (statement) {
      cache.delete(sqlText);
    } else {
      statement = database.prepare(sqlText);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    }
    cache.set(sqlText, statement);
    return statement;
  };
  return {
    prepare: prepare as CachedSqliteConnection['prepare'],
    transaction: (fn) => database.transaction(fn),
    close() {
      cache.clear();
      return database.close();
    },
  };
}

function statementName(text: string): string {
  return `gh_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/** A pool for Kysely's PostgresDialect whose clients run every query as a named statement. */
export function withNamedStatements(pool: Pool) {
  const wrap = (client: PoolClient) =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver);
        return (text: unknown, values?: unknown[]) =>
          typeof text === 'string' ? target.query({ name: statementName(text), text, values }) : target.query(text as never, values);
      },
    });
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
