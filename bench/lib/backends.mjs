/**
 * Storage for the benchmarked instances, each run isolated and removed afterwards:
 *   sqlite          a SQLite file in a fresh temp directory (DATABASE_URL=sqlite:…)
 *   postgres+redis  a fresh PostgreSQL schema (search_path through `?options=-c search_path=…`)
 *                   and a unique REDIS_KEY_PREFIX; cleanup drops the schema and deletes the keys.
 * Provisioning is the tests' own (`provisionBackend` of test/helpers/backends.ts); this module
 * points it at the benchmark's URLs and adds what the harness needs on top: a description for
 * the report, a reachability check (B6) and the counts that prove B5's load landed.
 * URLs: BENCH_POSTGRES_URL / TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
 * and BENCH_REDIS_URL / TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BACKENDS = ['sqlite', 'postgres+redis'];

// test/helpers/backends.ts reads TEST_POSTGRES_URL / TEST_REDIS_URL once, when it is loaded:
// set them to the benchmark's URLs first (child processes never see them: see processes.mjs).
process.env.TEST_POSTGRES_URL = POSTGRES_URL;
process.env.TEST_REDIS_URL = REDIS_URL;
const { provisionBackend: provisionIsolated } = await import('../../test/helpers/backends.ts');

const DESCRIPTIONS = {
  sqlite: () => 'SQLite file in a temp directory (WAL), throttle counters in SQL (THROTTLE_STORE default)',
  'postgres+redis': (backend) =>
    `PostgreSQL schema ${new URL(backend.env.DATABASE_URL).searchParams.get('options')?.replace('-c search_path=', '')} + ` +
    `Redis prefix ${backend.redisKeyPrefix} (sessions and throttle counters in Redis)`,
};

async function redisClient() {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

/** Counts keys under a prefix (SCAN, never KEYS). */
async function countRedisKeys(prefix, pattern = '*') {
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

/** Runs one SQL query on a PostgreSQL database (the provisioned schema when its URL is given). */
async function postgresQuery(url, text) {
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

/** { name, env, redisKeyPrefix, describe, cleanup() } for `sqlite` or `postgres+redis`. */
export async function provisionBackend(name) {
  if (!BACKENDS.includes(name)) throw new Error(`unknown backend ${name} (${BACKENDS.join(' or ')})`);
  const backend = await provisionIsolated(name);
  return { ...backend, describe: DESCRIPTIONS[name](backend) };
}

/** Sessions and throttle counters stored by the instances on `backend` (and users, on PostgreSQL). */
export async function countStored(backend) {
  if (backend.name === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(backend.env.DATABASE_URL.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
    try {
      return {
        sessions: db.prepare('select count(*) as n from sessions').get().n,
        throttleCounters: db.prepare('select count(*) as n from throttle_counters').get().n,
      };
    } finally {
      db.close();
    }
  }
  return {
    sessions: await countRedisKeys(backend.redisKeyPrefix, 's:*'),
    throttleCounters: await countRedisKeys(backend.redisKeyPrefix, 'throttle:*'),
    users: Number((await postgresQuery(backend.env.DATABASE_URL, 'select count(*) as n from users'))[0].n),
  };
}
