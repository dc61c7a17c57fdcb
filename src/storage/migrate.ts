/**
 * Schema migrations with Kysely's Migrator. Its lock table serialises concurrent runs, so
 * two instances starting at once apply each migration exactly once.
 */
import { type Kysely, type Migration, Migrator, PostgresAdapter, sql } from 'kysely';
import * as initial from './migrations/0001-initial.ts';
import * as throttle from './migrations/0002-throttle.ts';
import * as passwordPolicy from './migrations/0003-password-policy.ts';
import * as credentialVersion from './migrations/0004-credential-version.ts';

/** Ordered by name; a new migration is a new file and a new line here. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-throttle': throttle,
  '0003-password-policy': passwordPolicy,
  '0004-credential-version': credentialVersion,
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
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) return { ok: false, error: error instanceof Error ? error.message : String(error), applied };
  return { ok: true, applied };
}
