/**
 * Property: when the throttle store cannot answer, sign-in fails closed. Every guard call
 * rejects with AuthError('service_unavailable') (HTTP 503) instead of allowing unthrottled
 * password guessing (ASVS 2.2.1): Redis down, Redis silent past the timeout, database closed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { AuthError } from '../../src/domain/errors.ts';
import { defineLimits } from '../../src/domain/throttle/limits.ts';
import { createLoginGuard } from '../../src/domain/throttle/login-guard.ts';
import type { LoginGuard } from '../../src/domain/login/login.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createThrottle } from '../../src/storage/throttle.ts';
import { displayUrl, SERVICE_URLS, skipUnavailable, uniqueTestName, unsetService } from '../helpers/throttle-services.ts';

const limits = defineLimits({ loginMaxFailures: 5, loginMaxFailuresPerIp: 100, registerMaxPerHour: 20, globalRateLimitPerMinute: 1200 });

const isUnavailable = (error: unknown) => error instanceof AuthError && error.code === 'service_unavailable';

async function assertFailsClosed(guard: LoginGuard): Promise<void> {
  await assert.rejects(guard.checkAttempt('alice', '192.0.2.1'), isUnavailable);
  await assert.rejects(guard.recordFailure('alice', '192.0.2.1'), isUnavailable);
  await assert.rejects(guard.recordSuccess('alice', '192.0.2.1'), isUnavailable);
}

/** A free local port: listen on port 0, then close. */
async function unusedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

/**
 * A TCP proxy to the real Redis that can freeze: afterwards it keeps the connection open but
 * forwards nothing, which is how a hung or partitioned Redis looks to the client.
 */
async function freezableProxy(target: URL): Promise<{ port: number; freeze(): void; close(): void }> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => frozen || upstream.write(chunk));
    upstream.on('data', (chunk) => frozen || client.write(chunk));
    client.on('error', () => {});
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => (frozen = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

test('Redis unreachable: the login guard refuses with service_unavailable', async () => {
  const redis = new Redis({ host: '127.0.0.1', port: await unusedPort(), retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    const throttle = await createThrottle({ limits, store: 'redis', redis });
    await assertFailsClosed(createLoginGuard(throttle, limits));
    await assert.rejects(throttle.consume('global-ip', '192.0.2.1'), isUnavailable);
  } finally {
    redis.disconnect();
  }
});

test('Redis hung after connecting: the store timeout turns the wait into service_unavailable', async (t) => {
  const unset = unsetService('redis');
  if (unset) return skipUnavailable(t, `Redis not available: ${unset}`);
  const proxy = await freezableProxy(new URL(SERVICE_URLS.redis!));
  const redis = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    const ready = await Promise.race([once(redis, 'ready').then(() => true), once(redis, 'end').then(() => false)]);
    if (!ready) return skipUnavailable(t, `Redis not reachable at ${displayUrl(SERVICE_URLS.redis)}`);
    const keyPrefix = `${uniqueTestName()}:`;
    const throttle = await createThrottle({ limits, store: 'redis', redis, keyPrefix, timeoutMs: 100 });
    const guard = createLoginGuard(throttle, limits);
    assert.deepEqual(await guard.checkAttempt('alice', '192.0.2.1'), { allowed: true });
    proxy.freeze();
    const started = Date.now();
    await assertFailsClosed(guard);
    assert.ok(Date.now() - started < 2000, 'each call gives up after the timeout');
  } finally {
    redis.disconnect();
    proxy.close();
  }
});

test('database closed under the SQL store: the login guard refuses with service_unavailable', async () => {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const throttle = await createThrottle({ limits, store: 'sql', database });
  const guard = createLoginGuard(throttle, limits);
  assert.deepEqual(await guard.checkAttempt('alice', '192.0.2.1'), { allowed: true });
  await database.close();
  await assertFailsClosed(guard);
  await throttle.close();
});

test('the cause of a store failure is kept for the logs, without the client key', async () => {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const throttle = await createThrottle({ limits, store: 'sql', database });
  await database.close();
  const error = await throttle.consume('login-account', 'alice@example.com').catch((caught: unknown) => caught);
  assert.ok(isUnavailable(error));
  assert.ok((error as Error).cause instanceof Error);
  assert.doesNotMatch(String((error as Error).cause), /alice/);
  await throttle.close();
});
