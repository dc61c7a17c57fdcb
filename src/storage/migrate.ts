/**
 * Schema migrations with Kysely's Migrator. Its lock table serialises concurrent runs, so
 * two instances starting at once apply each migration exactly once.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as throttle from './migrations/0002-throttle.js';

/** Ordered by name; a new migration is a new file and a new line here. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-throttle': throttle,
};

export type MigrateResult = { ok: true; applied: string[] } | { ok: false; error: string; applied: string[] };

export async function migrateToLatest(db: Kysely<any>): Promise<MigrateResult> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) return { ok: false, error: error instanceof Error ? error.message : String(error), applied };
  return { ok: true, applied };
}
