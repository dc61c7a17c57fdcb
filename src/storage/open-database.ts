/**
 * DATABASE_URL → a Kysely instance on SQLite (better-sqlite3), PostgreSQL (pg) or
 * MySQL/MariaDB (mysql2). SQLite runs in WAL mode with foreign keys on and a busy timeout,
 * so the CLI and a running server can share the file.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type CompiledQuery, type DialectAdapter, type Driver, Kysely, MysqlDialect, PostgresDialect, sql, SqliteAdapter, SqliteDialect } from 'kysely';
import type { Database, DatabaseHandle, Dialect } from './database.ts';
import { withNamedStatements, withStatementCache } from './prepared-statements.ts';

export interface OpenDatabaseOptions {
  /** Connections per process for PostgreSQL and MySQL. */
  poolSize?: number;
}

export function dialectOf(databaseUrl: string): Dialect {
  if (databaseUrl.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgres';
  if (databaseUrl.startsWith('mysql://')) return 'mysql';
  throw new Error(`DATABASE_URL: unsupported scheme in ${databaseUrl.split(':')[0]}:`);
}

export function sqliteFileOf(databaseUrl: string): string {
  return databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
}

/**
 * SQLite runs CREATE/DROP/ALTER inside a transaction like any write, but Kysely's adapter says
 * it does not, so its Migrator applied SQLite migrations statement by statement: one failing
 * half-way (a full disk, a killed process, a wrong statement) left the schema half-changed and
 * every later start failing on "already exists". Saying so makes the Migrator run all pending
 * migrations in one transaction, as on PostgreSQL: all applied or none (test/storage/migrate-atomic.test.ts).
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * SQLite transactions that begin with `BEGIN IMMEDIATE`: the write lock is taken at the start
 * (waiting up to busy_timeout for another process), not at the first write. Kysely's plain
 * `BEGIN` is deferred: a transaction that read first and then wrote while another process
 * (the CLI beside the server) had just committed failed at once with SQLITE_BUSY, since SQLite
 * cannot wait for a lock a reader already holds a snapshot under. Every unit of work here
 * writes, so nothing is lost by taking the lock up front.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  /** `begin immediate`, compiled by the Kysely instance once it exists (a parameterless template). */
  begin: CompiledQuery | undefined;

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      if (!this.begin) throw new Error('ImmediateSqliteDialect: begin not compiled yet');
      await connection.executeQuery(this.begin);
    };
    return driver;
  }
}

export async function openDatabase(databaseUrl: string, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const dialect = dialectOf(databaseUrl);
  const poolSize = options.poolSize ?? 10;
  let db: Kysely<Database>;
  let driverClient: DatabaseHandle['driverClient'];
  if (dialect === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const file = sqliteFileOf(databaseUrl);
    // The file holds password hashes: only the owner may read it (directory 0700, file 0600).
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    const connection = new SQLite(file);
    if (file !== ':memory:') chmodSync(file, 0o600);
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('synchronous = NORMAL');
    // One cached connection for Kysely and the throttle store alike.
    const cached = withStatementCache(connection);
    const sqliteDialect = new ImmediateSqliteDialect({ database: cached });
    db = new Kysely<Database>({ dialect: sqliteDialect });
    sqliteDialect.begin = sql`begin immediate`.compile(db);
    driverClient = cached;
  } else if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 });
    // A client losing its server must not crash the process: queries in flight reject (and
    // become 503s), idle clients are dropped, and the next query connects afresh.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
    driverClient = pool;
  } else {
    const mysql = await import('mysql2');
    const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: poolSize, connectTimeout: 5000, charset: 'utf8mb4' });
    db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
    driverClient = pool;
  }
  return {
    db,
    dialect,
    driverClient,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
