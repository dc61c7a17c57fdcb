/**
 * The Throttle contract (test/contracts/throttle-contract.ts) on every store, SQL counters
 * surviving a restart, and what the SQL store keeps at rest. Memory and SQL run on a mocked
 * clock; Redis keeps its own TTLs, so its run waits a few real seconds. PostgreSQL,
 * MySQL/MariaDB and Redis: see test/helpers/throttle-services.ts (one skip line each when
 * the TEST_*_URL is unset or the service is not answering).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createLoginGuard } from '../../src/domain/throttle/login-guard.ts';
import type { DatabaseHandle } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createThrottle } from '../../src/storage/throttle.ts';
import { CONTRACT_LIMITS, runThrottleContract } from './throttle-contract.ts';
import { THROTTLE_TABLE } from '../../src/storage/throttle/limiters.ts';
import { displayUrl, isolatedDatabase, SERVICE_URLS, skipUnavailable, uniqueTestName, unsetService } from '../helpers/throttle-services.ts';

test('throttle contract on the memory store', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.now() });
  const throttle = await createThrottle({ limits: CONTRACT_LIMITS, store: 'memory' });
  await runThrottleContract(t, { throttle, advance: async (ms) => t.mock.timers.tick(ms) });
});

test('throttle contract on SQLite', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-throttle-'));
  const database = await openDatabase(`sqlite:${path.join(dir, 'test.db')}`);
  try {
    await runSqlContract(t, database);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [label, kind] of [['PostgreSQL', 'postgres'], ['MySQL/MariaDB', 'mysql']] as const) {
  test(`throttle contract on ${label}`, async (t) => {
    const unset = unsetService(kind);
    if (unset) return skipUnavailable(t, `${label} not available: ${unset}`);
    const isolated = await isolatedDatabase(kind);
    if (!isolated) return skipUnavailable(t, `${label} not reachable at ${displayUrl(SERVICE_URLS[kind])}`);
    const database = await openDatabase(isolated.url, { poolSize: 4 });
    try {
      await runSqlContract(t, database);
    } finally {
      await database.close();
      await isolated.cleanup();
    }
  });
}

async function runSqlContract(t: TestContext, database: DatabaseHandle): Promise<void> {
  const migrated = await migrateToLatest(database.db);
  assert.ok(migrated.ok, migrated.ok ? '' : migrated.error);
  const keyPrefix = `${uniqueTestName()}:`;
  const throttle = await createThrottle({ limits: CONTRACT_LIMITS, store: 'sql', database, keyPrefix });
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  try {
    await runThrottleContract(t, { throttle, advance: async (ms) => t.mock.timers.tick(ms) });
  } finally {
    t.mock.timers.reset();
    await throttle.close();
    await sql`delete from ${sql.table(THROTTLE_TABLE)} where ${sql.ref('key')} like ${`${keyPrefix}%`}`.execute(database.db);
  }
}

test('throttle contract on Redis, through a client with its own key prefix as deployed', async (t) => {
  const unset = unsetService('redis');
  if (unset) return skipUnavailable(t, `Redis not available: ${unset}`);
  const deploymentPrefix = `${uniqueTestName()}:`;
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 };
  const redis = new Redis(SERVICE_URLS.redis!, { ...options, keyPrefix: deploymentPrefix });
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    return skipUnavailable(t, `Redis not reachable at ${displayUrl(SERVICE_URLS.redis)}`);
  }
  const throttle = await createThrottle({ limits: CONTRACT_LIMITS, store: 'redis', redis });
  try {
    await runThrottleContract(t, { throttle, advance: (ms) => sleep(ms) });
  } finally {
    await throttle.close();
    redis.disconnect();
    const plain = new Redis(SERVICE_URLS.redis!, options);
    await plain.connect();
    const keys = await plain.keys(`${deploymentPrefix}*`);
    for (const key of keys) assert.match(key.slice(deploymentPrefix.length), /^throttle:[a-z-]+:[0-9a-f]{32}$/);
    if (keys.length > 0) await plain.del(...keys);
    plain.disconnect();
  }
});

test('SQLite counters and blocks survive closing and reopening the database', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-throttle-'));
  const url = `sqlite:${path.join(dir, 'gatehouse.db')}`;
  const open = async () => {
    const database = await openDatabase(url);
    await migrateToLatest(database.db);
    const throttle = await createThrottle({ limits: CONTRACT_LIMITS, store: 'sql', database });
    return { database, throttle, guard: createLoginGuard(throttle, CONTRACT_LIMITS) };
  };
  try {
    const before = await open();
    for (let n = 0; n < 5; n++) await before.guard.recordFailure('blocked', '192.0.2.1');
    for (let n = 0; n < 3; n++) await before.guard.recordFailure('counting', '192.0.2.1');
    assert.equal((await before.guard.checkAttempt('blocked', '192.0.2.1')).allowed, false);
    await before.throttle.close();
    await before.database.close();

    const after = await open();
    const blocked = await after.guard.checkAttempt('blocked', '192.0.2.1');
    assert.ok(!blocked.allowed && blocked.retryAfterSeconds > 0, 'the block outlives the restart');
    assert.deepEqual(await after.guard.checkAttempt('counting', '192.0.2.1'), { allowed: true });
    for (let n = 0; n < 2; n++) await after.guard.recordFailure('counting', '192.0.2.1');
    assert.equal((await after.guard.checkAttempt('counting', '192.0.2.1')).allowed, false, '3 before + 2 after = 5 consecutive');
    await after.throttle.close();
    await after.database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stored keys are fixed-length digests: no usernames or IPs at rest, any identifier fits', async () => {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const throttle = await createThrottle({ limits: CONTRACT_LIMITS, store: 'sql', database });
  const guard = createLoginGuard(throttle, CONTRACT_LIMITS);
  for (const account of ['alice@example.com', 'x'.repeat(60_000), 'ålïcé 🔑']) await guard.recordFailure(account, '192.0.2.77');
  const { rows } = await sql<{ key: string }>`select ${sql.ref('key')} from ${sql.table(THROTTLE_TABLE)}`.execute(database.db);
  assert.equal(rows.length, 7, 'three pairs, three accounts, one IP');
  for (const { key } of rows) assert.match(key, /^login-(pair|ip|account):[0-9a-f]{32}$/);
  await throttle.close();
  await database.close();
});
