/**
 * One rate-limiter-flexible limiter per defined name, on the chosen store. Only the
 * construction differs by store; storage/throttle.ts gives them one behaviour.
 *
 * - memory: RateLimiterMemory; every key carries a timer that deletes it when its window
 *   ends, so the map holds only live keys (bounded by event rate × window).
 * - sql: the driver client under the Kysely handle (better-sqlite3, pg pool, mysql2 pool) on
 *   the `throttle_counters` table of migration 0002, shared by all limiters (keys start
 *   with the limiter name). The library's own table creation and cleanup timers are off:
 *   the migration owns the schema, storage/throttle.ts deletes expired rows.
 * - redis: RateLimiterRedis on ioredis, atomic (one Lua script per consume). With
 *   `rejectIfRedisNotReady` a lost connection fails at once instead of queueing.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Pool as MysqlPool } from 'mysql2';
import type { Pool as PgPool } from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import { LIMITER_NAMES, type LimiterDefinition, type LimiterDefinitions, type LimiterName } from '../../domain/throttle/limits.ts';
import type { DatabaseHandle } from '../database.ts';

export const THROTTLE_TABLE = 'throttle_counters';

export type Limiters = Partial<Record<LimiterName, { definition: LimiterDefinition; limiter: RateLimiterAbstract }>>;

type Build = (name: LimiterName, definition: LimiterDefinition) => RateLimiterAbstract;

/** A limiter for every name whose definition is not `null` (off). */
function buildAll(limits: LimiterDefinitions, build: Build): Limiters {
  const limiters: Limiters = {};
  for (const name of LIMITER_NAMES) {
    const definition = limits[name];
    if (definition) limiters[name] = { definition, limiter: build(name, definition) };
  }
  return limiters;
}

const common = (keyPrefix: string, definition: LimiterDefinition) => ({
  keyPrefix,
  points: definition.points,
  duration: definition.durationSeconds,
});

export function buildMemoryLimiters(limits: LimiterDefinitions): Limiters {
  return buildAll(limits, (name, definition) => new RateLimiterMemory(common(name, definition)));
}

/** Keys held by memory limiters, live or awaiting their expiry timer. */
export function countMemoryKeys(limiters: Limiters): number {
  let count = 0;
  for (const entry of Object.values(limiters)) {
    if (entry.limiter instanceof RateLimiterMemory) count += entry.limiter.dump().storage.length;
  }
  return count;
}

export function buildRedisLimiters(limits: LimiterDefinitions, redis: Redis, keyPrefix: string): Limiters {
  return buildAll(
    limits,
    (name, definition) =>
      new RateLimiterRedis({ ...common(`${keyPrefix}${name}`, definition), storeClient: redis, rejectIfRedisNotReady: true }),
  );
}

export async function buildSqlLimiters(limits: LimiterDefinitions, database: DatabaseHandle, keyPrefix: string): Promise<Limiters> {
  const client = database.driverClient;
  if (!client) throw new Error('throttle: the database handle has no driver client (open it with openDatabase)');
  const table = { tableName: THROTTLE_TABLE, tableCreated: true, clearExpiredByTimeout: false };
  switch (database.dialect) {
    case 'sqlite':
      return buildAll(
        limits,
        (name, definition) =>
          new RateLimiterSQLite({
            ...common(`${keyPrefix}${name}`, definition),
            ...table,
            storeClient: client as BetterSqlite3.Database,
            storeType: 'better-sqlite3',
          }),
      );
    case 'postgres':
      return buildAll(
        limits,
        (name, definition) =>
          new RateLimiterPostgres({ ...common(`${keyPrefix}${name}`, definition), ...table, storeClient: client as PgPool, storeType: 'pool' }),
      );
    case 'mysql': {
      // The library qualifies the table with its database name; it is the one in DATABASE_URL.
      const { rows } = await sql<{ name: string }>`select database() as name`.execute(database.db);
      const dbName = rows[0]?.name;
      if (!dbName) throw new Error('throttle: DATABASE_URL names no MySQL database');
      return buildAll(
        limits,
        (name, definition) =>
          new RateLimiterMySQL({ ...common(`${keyPrefix}${name}`, definition), ...table, dbName, storeClient: client as MysqlPool, storeType: 'pool' }),
      );
    }
  }
}

/** Deletes rows whose window or block has ended; returns how many. */
export async function deleteExpiredCounters(database: DatabaseHandle, nowMs: number): Promise<number> {
  const result = await sql`delete from ${sql.table(THROTTLE_TABLE)} where ${sql.ref('expire')} < ${nowMs}`.execute(database.db);
  return Number(result.numAffectedRows ?? 0);
}
