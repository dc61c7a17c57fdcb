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

export async function migrateToLatest(db: Kysely<any>): Promise<MigrateResult> {
  // On PostgreSQL the migrator's bookkeeping tables must live in the schema in use
  // (search_path), or another schema's tables would be mistaken for ours.
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => MIGRATIONS } });
  // Kysely's lock serialises runs on PostgreSQL and MySQL; on SQLite it is a no-op (one
  // connection per process), so two processes migrating one file at once can both decide a
  // migration is pending. The loser then fails on the first statement of the migration the
  // winner is running (the table or column already exists) before changing anything, and
  // running again finds the winner's work recorded and applies nothing more.
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const applied: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const { error, results = [] } = await migrator.migrateToLatest();
    // Kysely runs SQLite migrations one by one (no transactional DDL there): an attempt that
    // lost a race may still have applied some before it, so every attempt's count is kept.
    applied.push(...results.filter((r) => r.status === 'Success').map((r) => r.migrationName));
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
