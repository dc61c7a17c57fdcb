// Property: sign-in applies the password policy (ASVS 2.1.7) once per policy change, not on
// every sign-in: a password checked under the current policy fingerprint is not re-checked;
// after the policy changes it is checked once, and a failing one must be changed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { systemClock } from '../clock.ts';
import { createPasswordHasher, type PasswordHasher } from '../passwords/hasher.ts';
import { createSessionService } from '../sessions/session-service.ts';
import type { UserStore } from '../ports.ts';
import type { DatabaseHandle } from '../../storage/database.ts';
import { migrateToLatest } from '../../storage/migrate.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createSqlSessionStore } from '../../storage/sql/session-store.ts';
import { createSqlUserStore } from '../../storage/sql/user-store.ts';
import { createLoginService, type LoginGuard } from './login.ts';

const PASSWORD = 'correct horse battery staple';
const allowAll: LoginGuard = { checkAttempt: async () => ({ allowed: true }), recordFailure: async () => {}, recordSuccess: async () => {} };

let database: DatabaseHandle;
let users: UserStore;
let hasher: PasswordHasher;

before(async () => {
  database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  users = createSqlUserStore(database.db, Date.now);
  hasher = await createPasswordHasher({
    memoryCostKib: 64,
    timeCost: 1,
    parallelism: 1,
    minLength: 12,
    maxLength: 256,
    hashConcurrency: 1,
    hashQueueLimit: 10,
  });
  const created = await users.createUser({
    username: 'alice',
    usernameNormalized: 'alice',
    email: 'alice@example.test',
    emailNormalized: 'alice@example.test',
    passwordHash: await hasher.hashPassword(PASSWORD),
    passwordPolicy: 'policy-a',
    role: 'user',
    createdAt: new Date(),
  });
  assert.ok(created.ok);
});
after(async () => {
  await hasher.close();
  await database.close();
});

function loginWith(fingerprint: string, verdict: boolean) {
  const calls: string[] = [];
  const sessions = createSessionService(createSqlSessionStore(database.db), { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 43_200, touchIntervalSeconds: 60 }, systemClock);
  const service = createLoginService({
    users,
    sessions,
    hasher,
    guard: allowAll,
    policy: { fingerprint, fails: (password) => (calls.push(password), verdict) },
  });
  const signIn = () => service.signIn({ identifier: 'alice', password: PASSWORD, ip: '203.0.113.1', userAgent: 't' });
  return { signIn, calls };
}

test('a password checked under the current policy is not checked again at sign-in', async () => {
  const { signIn, calls } = loginWith('policy-a', true);
  const result = await signIn();
  assert.equal(result.kind, 'signed-in');
  assert.equal(calls.length, 0);
  assert.equal(result.kind === 'signed-in' && result.mustChangePassword, false);
});

test('after a policy change the password is checked once; passing records the new fingerprint', async () => {
  const { signIn, calls } = loginWith('policy-b', false);
  assert.equal((await signIn()).kind, 'signed-in');
  assert.equal((await signIn()).kind, 'signed-in');
  assert.equal(calls.length, 1);
  assert.equal((await users.findUserForLogin('alice'))?.passwordPolicy, 'policy-b');
});

test('a password failing a new policy signs in but must be changed, and stays flagged', async () => {
  const { signIn, calls } = loginWith('policy-c', true);
  const first = await signIn();
  assert.equal(first.kind === 'signed-in' && first.mustChangePassword, true);
  const second = await signIn();
  assert.equal(second.kind === 'signed-in' && second.mustChangePassword, true);
  assert.equal(calls.length, 1);
  assert.equal((await users.findUserForLogin('alice'))?.mustChangePassword, true);
});
