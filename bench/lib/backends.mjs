/**
 * Storage for the benchmarked instances, each run isolated and removed afterwards:
 *   sqlite          nothing to provision (each instance's DATA_DIR holds its database file)
 *   postgres+redis  a fresh PostgreSQL schema (search_path through `?options=-c search_path=…`)
 *                   and a unique REDIS_KEY_PREFIX; cleanup drops the schema and deletes the keys.
 * URLs: BENCH_POSTGRES_URL / TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
 * and BENCH_REDIS_URL / TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { randomBytes } from 'node:crypto';

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const uniqueName = () => `gh_bench_${process.pid}_${randomBytes(4).toString('hex')}`;

async function redisClient() {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

/** Counts keys under a prefix (SCAN, never KEYS). */
export async function countRedisKeys(prefix, pattern = '*') {
  const redis = await redisClient();
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
    count += keys.length;
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  return count;
}

/** Runs one SQL query on the provisioned PostgreSQL schema (for verification counts). */
export async function postgresQuery(url, text) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Why `postgres+redis` cannot run here, or undefined when both answer. */
export async function sharedBackendProblem() {
  try {
    await postgresQuery(POSTGRES_URL, 'select 1');
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_URL} does not answer (${error.message})`;
  }
  try {
    const redis = await redisClient();
    await redis.ping();
    await redis.quit();
  } catch (error) {
    return `Redis at ${REDIS_URL} does not answer (${error.message})`;
  }
  return undefined;
}

/** { name, env, describe, count(kind), cleanup() } for `sqlite` or `postgres+redis`. */
export async function provisionBackend(name) {
  if (name === 'sqlite') {
    return {
      name,
      env: {},
      describe: 'SQLite file in a temp DATA_DIR (WAL), throttle counters in SQL (THROTTLE_STORE default)',
      cleanup: async () => {},
    };
  }
  if (name !== 'postgres+redis') throw new Error(`unknown backend ${name} (sqlite or postgres+redis)`);
  const schema = uniqueName();
  await postgresQuery(POSTGRES_URL, `create schema "${schema}"`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const prefix = `${uniqueName()}:`;
  return {
    name,
    env: { DATABASE_URL: url.toString(), REDIS_URL, REDIS_KEY_PREFIX: prefix },
    databaseUrl: url.toString(),
    redisKeyPrefix: prefix,
    describe: `PostgreSQL schema ${schema} + Redis prefix ${prefix} (sessions and throttle counters in Redis)`,
    async cleanup() {
      await postgresQuery(POSTGRES_URL, `drop schema if exists "${schema}" cascade`).catch(() => {});
      const redis = await redisClient().catch(() => undefined);
      if (!redis) return;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
