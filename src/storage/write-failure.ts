/**
 * Whether a thrown database error means the store cannot write (disk full, read-only, an I/O
 * error) rather than a bug: such a request answers 503, as an outage does, and nothing it
 * meant to change was committed (the transaction rolled back with the failed write).
 * SQLite (better-sqlite3) names it in `code`, extended codes included (`SQLITE_IOERR_WRITE`);
 * PostgreSQL uses SQLSTATE 53100 (disk_full) and 25006 (read_only_sql_transaction); MySQL and
 * MariaDB errno 1114 (table full), 1021 (disk full) and 1290 (--read-only).
 */
const SQLITE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;
const POSTGRES = new Set(['53100', '25006']);
const MYSQL = new Set([1114, 1021, 1290]);

/** The driver's code of the write failure in `error` or its causes (`SQLITE_FULL`, `53100`); undefined for any other error. */
export function storageWriteFailureCode(error: unknown): string | undefined {
  // Kysely passes driver errors through; a store may wrap one as `cause`: two levels deep at most.
  for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth += 1) {
    const { code, errno } = current as { code?: unknown; errno?: unknown };
    if (typeof code === 'string' && (SQLITE.test(code) || POSTGRES.has(code))) return code;
    if (typeof errno === 'number' && MYSQL.has(errno) && typeof code === 'string' && code.startsWith('ER_')) return code;
  }
  return undefined;
}
