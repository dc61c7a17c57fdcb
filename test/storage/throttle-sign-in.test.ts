/**
 * Property: the throttle holds in the real sign-in flow (login.ts on SQLite, real argon2id at
 * low cost). After five wrong passwords the (account, IP) pair is refused even with the right
 * password; the same account from another IP, and another account from the same IP, still
 * sign in; a success resets the pair (NIST SP 800-63B §5.2.2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/domain/clock.ts';
import { createLoginService } from '../../src/domain/login/login.ts';
import { createPasswordHasher } from '../../src/domain/passwords/hasher.ts';
import { createSessionService } from '../../src/domain/sessions/session-service.ts';
import { defineLimits } from '../../src/domain/throttle/limits.ts';
import { createLoginGuard } from '../../src/domain/throttle/login-guard.ts';
import { normalizeEmail, normalizeUsername } from '../../src/domain/users/user.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createSqlSessionStore } from '../../src/storage/sql/session-store.ts';
import { createSqlCredentialStore, createSqlUserStore } from '../../src/storage/sql/user-store.ts';
import { createThrottle } from '../../src/storage/throttle.ts';

const PASSWORD = 'correct horse battery staple';

async function setUp() {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const users = createSqlUserStore(database.db, () => Date.now());
  const hasher = await createPasswordHasher({
    memoryCostKib: 64,
    timeCost: 1,
    parallelism: 1,
    minLength: 12,
    maxLength: 256,
    hashConcurrency: 2,
    hashQueueLimit: 100,
  });
  for (const name of ['alice', 'bob']) {
    const email = `${name}@example.com`;
    const created = await users.createUser({
      username: name,
      usernameNormalized: normalizeUsername(name),
      email,
      emailNormalized: normalizeEmail(email),
      passwordHash: await hasher.hashPassword(PASSWORD),
      role: 'user',
      createdAt: new Date(),
    });
    assert.ok(created.ok);
  }
  const limits = defineLimits({ loginMaxFailures: 5, loginMaxFailuresPerIp: 100, loginMaxFailuresPerAccount: 100, registerMaxPerHour: 20, registerMaxAttemptsPerHour: 200, globalRateLimitPerMinute: 0 });
  const throttle = await createThrottle({ limits, store: 'sql', database });
  const sessions = createSessionService(
    createSqlSessionStore(database.db),
    { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 43_200, touchIntervalSeconds: 60 },
    systemClock,
  );
  const credentials = createSqlCredentialStore(database.db, Date.now);
  const login = createLoginService({ users, credentials, sessions, hasher, guard: createLoginGuard(throttle, limits) });
  // Both steps, as the HTTP layer runs them: authenticate, then complete a success.
  const signIn = async (identifier: string, password: string, ip: string) => {
    const client = { throttleKey: ip, ip, userAgent: 'test' };
    const result = await login.authenticate({ identifier, password, client });
    if (result.kind === 'authenticated') await login.completeSignIn({ user: result.user, client });
    return result;
  };
  return { signIn, close: async () => (await throttle.close(), await database.close()) };
}

test('after five wrong passwords the right one is refused for that pair', async () => {
  const { signIn, close } = await setUp();
  try {
    for (let n = 0; n < 5; n++) assert.equal((await signIn('alice', 'wrong password', '192.0.2.1')).kind, 'rejected');
    for (const result of [await signIn('alice', PASSWORD, '192.0.2.1'), await signIn('ALICE', PASSWORD, '192.0.2.1')]) {
      assert.equal(result.kind, 'throttled', 'every spelling of the username shares the pair');
      assert.ok(result.kind === 'throttled' && result.retryAfterSeconds > 0 && result.retryAfterSeconds <= 60);
    }
  } finally {
    await close();
  }
});

test('a blocked pair leaves the same account from another IP and another account from the same IP alone', async () => {
  const { signIn, close } = await setUp();
  try {
    for (let n = 0; n < 5; n++) await signIn('alice', 'wrong password', '192.0.2.1');
    assert.equal((await signIn('alice', PASSWORD, '198.51.100.7')).kind, 'authenticated');
    assert.equal((await signIn('bob', PASSWORD, '192.0.2.1')).kind, 'authenticated');
  } finally {
    await close();
  }
});

test('a success resets the pair: four failures, a success, four more failures still sign in', async () => {
  const { signIn, close } = await setUp();
  try {
    for (let n = 0; n < 4; n++) await signIn('alice', 'wrong password', '192.0.2.1');
    assert.equal((await signIn('alice', PASSWORD, '192.0.2.1')).kind, 'authenticated');
    for (let n = 0; n < 4; n++) assert.equal((await signIn('alice', 'wrong password', '192.0.2.1')).kind, 'rejected');
    assert.equal((await signIn('alice', PASSWORD, '192.0.2.1')).kind, 'authenticated');
  } finally {
    await close();
  }
});
