/**
 * Reads the Flask demo's SQLite file for `gatehouse import-werkzeug`: its `users` table
 * (id, username, password, email, role, created_at), opened read-only, in id order, in pages
 * of `pageSize` rows so a large file is never held in memory at once. Queries go through
 * Kysely like every other read. A file that is not such a database is one clear error.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { LegacyUserRow } from '../domain/users/legacy-import.ts';

interface DemoDatabase {
  users: { id: number; username: string; password: string; email: string | null; role: string | null; created_at: string | null };
}

export class LegacySourceError extends Error {}

export interface LegacySource {
  count(): Promise<number>;
  /** Rows with `id` greater than `afterId`, at most `limit`, in id order. */
  page(afterId: number, limit: number): Promise<(LegacyUserRow & { id: number })[]>;
  close(): Promise<void>;
}

export function openFlaskDemoSource(file: string): LegacySource {
  let connection: Database.Database;
  try {
    connection = new Database(file, { readonly: true, fileMustExist: true });
    connection.pragma('query_only = ON');
  } catch (error) {
    throw new LegacySourceError(`cannot open ${file}: ${(error as Error).message}`);
  }
  const db = new Kysely<DemoDatabase>({ dialect: new SqliteDialect({ database: connection }) });
  const refine = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new LegacySourceError(`${file} has no readable users table of the Flask demo (${(error as Error).message})`);
    }
  };
  return {
    count: () =>
      refine(async () => Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)),
    page: (afterId, limit) =>
      refine(() =>
        db
          .selectFrom('users')
          .select(['id', 'username', 'password', 'email', 'role', 'created_at'])
          .where('id', '>', afterId)
          .orderBy('id')
          .limit(limit)
          .execute(),
      ),
    close: () => db.destroy(),
  };
}
