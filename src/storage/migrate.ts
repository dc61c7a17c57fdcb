/**
 * Schema migrations with Kysely's Migrator. Its lock table serialises concurrent runs, so
 * two instances starting at once apply each migration exactly once.
 */
import { type Kysely, type Migration, Migrator, PostgresAdapter, sql, SqliteAdapter } from 'kysely';

/** Runs of one migration on SQLite before giving up, when another process raced this one. */
const SQLITE_MIGRATION_ATTEMPTS = 5;
import * as initial from './migrations/0001-initial.ts';
import * as throttle from './migrations/0002-throttle.ts';
import * as passwordPolicy from './migrations/0003-password-policy.ts';
import * as credentialVersion from './migrations/0004-credential-version.ts';
import * as mailQueue from './migrations/0005-mail-queue.ts';
import * as tokens from './migrations/0006-tokens.ts';
import * as sessionPublicId from './migrations/0007-session-public-id.ts';
import * as knownDevices from './migrations/0008-known-devices.ts';
import * as userLocale from './migrations/0009-user-locale.ts';
import * as auditLog from './migrations/0010-audit-log.ts';
import * as adminIndexes from './migrations/0011-admin-indexes.ts';
import * as secondFactors from './migrations/0012-second-factors.ts';
import * as forwardAuth from './migrations/0013-forward-auth.ts';
import * as oidc from './migrations/0014-oidc.ts';
import * as roleIndexes from './migrations/0015-role-indexes.ts';
import * as auditTimeSeqIndex from './migrations/0016-audit-time-seq-index.ts';

/** Ordered by name; a new migration is a new file and a new line here. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-throttle': throttle,
  '0003-password-policy': passwordPolicy,
  '0004-credential-version': credentialVersion,
  '0005-mail-queue': mailQueue,
  '0006-tokens': tokens,
  '0007-session-public-id': sessionPublicId,
  '0008-known-devices': knownDevices,
  '0009-user-locale': userLocale,
  '0010-audit-log': auditLog,
  '0011-admin-indexes': adminIndexes,
  '0012-second-factors': secondFactors,
  '0013-forward-auth': forwardAuth,
  '0014-oidc': oidc,
  '0015-role-indexes': roleIndexes,
  '0016-audit-time-seq-index': auditTimeSeqIndex,
};

export type MigrateResult = { ok: true; applied: string[] } | { ok: false; error: string; applied: string[] };

/** `migrations`: the schema's own unless a test passes others. */
export async function migrateToLatest(db: Kysely<any>, migrations: Record<string, Migration> = MIGRATIONS): Promise<MigrateResult> {
  // On PostgreSQL the migrator's bookkeeping tables must live in the schema in use
  // (search_path), or another schema's tables would be mistaken for ours.
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
  // Kysely's lock serialises runs on PostgreSQL and MySQL; on SQLite it is a no-op (one
  // connection per process). There the pending migrations run in one BEGIN IMMEDIATE
  // transaction (open-database.ts), which waits up to busy_timeout (5 s) for another process
  // migrating the same file and then finds its work recorded. A run that waited longer fails
  // having changed nothing (one transaction) and is tried again.
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const transactionalDdl = db.getExecutor().adapter.supportsTransactionalDdl;
  const applied: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const { error, results = [] } = await migrator.migrateToLatest();
    // With transactional DDL a failed run changed nothing; without it (MySQL) what ran before
    // the failure stays applied.
    const kept = !error || !transactionalDdl;
    if (kept) applied.push(...results.filter((r) => r.status === 'Success').map((r) => r.migrationName));
    if (!error) return { ok: true, applied };
    if (!sqlite || attempt >= SQLITE_MIGRATION_ATTEMPTS) return { ok: false, error: error instanceof Error ? error.message : String(error), applied };
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

/** The names of the migrations not yet applied to `db` (for `gatehouse doctor`); changes nothing. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => MIGRATIONS } });
  const migrations = await migrator.getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
