// Property: sign-in is a sequence of steps. `authenticate` says why it refused (internally)
// after the same verification for every path, and starts no session; `completeSignIn`
// starts a new one bound to the credential version, ends the one it replaces, and lists the
// gates. The password policy is re-applied once per policy change (ASVS v5.0.0-6.2.x), not
// on every sign-in. Runs on the in-memory stores (test/helpers/memory-stores.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMemoryStores, type MemoryStores } from '../../../test/helpers/memory-stores.ts';
import { systemClock } from '../clock.ts';
import { createPasswordHasher, type PasswordHasher } from '../passwords/hasher.ts';
import { createSessionService, type SessionService } from '../sessions/session-service.ts';
import { createLoginService, type LoginGuard } from './login.ts';

const PASSWORD = 'correct horse battery staple';
const CLIENT = { throttleKey: '203.0.113.1', ip: '203.0.113.1', userAgent: 't' };
const RULES = { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 43_200, touchIntervalSeconds: 60 };

let stores: MemoryStores;
let hasher: PasswordHasher;
let sessions: SessionService;
let verifications = 0;
const guardCalls: string[] = [];
const countingGuard: LoginGuard = {
  checkAttempt: async () => ({ allowed: true }),
  recordFailure: async (account) => void guardCalls.push(`failure ${account}`),
  recordSuccess: async (account) => void guardCalls.push(`success ${account}`),
  clearAccount: async (account) => void guardCalls.push(`clear ${account}`),
};

async function addUser(username: string, passwordHash: string | null, extra: { disabled?: boolean } = {}) {
  const created = await stores.users.createUser({
    username,
    usernameNormalized: username,
    email: `${username}@example.test`,
    emailNormalized: `${username}@example.test`,
    passwordHash: passwordHash as string,
    passwordPolicy: 'policy-a',
    role: 'user',
    createdAt: new Date(),
  });
  assert.ok(created.ok);
  if (extra.disabled) await stores.users.setDisabled(created.user.id, true);
  return created.user;
}

before(async () => {
  stores = createMemoryStores();
  const real = await createPasswordHasher({ memoryCostKib: 64, timeCost: 1, parallelism: 1, hashConcurrency: 1, hashQueueLimit: 10 });
  // Counts verifications, so "the same work on every path" is asserted, not assumed.
  hasher = Object.assign(Object.create(real), {
    verifyPassword: (stored: string | null, password: string) => {
      verifications += 1;
      return real.verifyPassword(stored, password);
    },
    close: () => real.close(),
  }) as PasswordHasher;
  sessions = createSessionService(stores.sessionStore, RULES, systemClock);
  const hash = await real.hashPassword(PASSWORD);
  await addUser('alice', hash);
  await addUser('frozen', hash, { disabled: true });
  await addUser('nopass', null);
});
after(() => hasher.close());

function loginWith(fingerprint: string, verdict: boolean) {
  const calls: string[] = [];
  const service = createLoginService({
    users: stores.users,
    credentials: stores.credentials,
    sessions,
    hasher,
    guard: countingGuard,
    policy: { fingerprint, fails: (password) => (calls.push(password), verdict) },
  });
  return { service, calls };
}

test('every refusal names its reason internally after exactly one verification, and starts no session', async () => {
  const { service } = loginWith('policy-a', false);
  const cases = [
    ['nobody', PASSWORD, 'unknown-user'],
    ['alice', 'not the password at all', 'bad-password'],
    ['frozen', PASSWORD, 'disabled'],
    ['nopass', PASSWORD, 'no-password'],
  ] as const;
  for (const [identifier, password, reason] of cases) {
    const before = { verifications, sessions: stores.sessionRows.size };
    const result = await service.authenticate({ identifier, password, client: CLIENT });
    assert.deepEqual(result, { kind: 'rejected', reason }, identifier);
    assert.equal(verifications - before.verifications, 1, `${identifier}: one verification`);
    assert.equal(stores.sessionRows.size, before.sessions, `${identifier}: no session`);
  }
});

test('authenticate starts no session and resets no throttle; completeSignIn does both and ends the replaced session', async () => {
  const { service } = loginWith('policy-a', false);
  guardCalls.length = 0;
  const result = await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT });
  assert.equal(result.kind, 'authenticated');
  assert.equal(stores.sessionRows.size, 0);
  assert.deepEqual(guardCalls, []);
  if (result.kind !== 'authenticated') return;
  const first = await service.completeSignIn({ user: result.user, client: CLIENT });
  assert.deepEqual(guardCalls, [`success user:${result.user.id}`]);
  assert.deepEqual(first.gates, []);
  assert.equal(first.session.credentialVersion, result.user.credentialVersion);
  const second = await service.completeSignIn({ user: result.user, client: CLIENT, replacesToken: first.token });
  assert.notEqual(second.token, first.token);
  assert.equal(await sessions.validateSessionToken(first.token), undefined, 'the replaced session is over');
  assert.ok(await sessions.validateSessionToken(second.token));
  await service.signOut(second.token);
  assert.equal(await sessions.validateSessionToken(second.token), undefined);
});

test('a password checked under the current policy is not checked again at sign-in', async () => {
  const { service, calls } = loginWith('policy-a', true);
  const result = await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT });
  assert.equal(result.kind === 'authenticated' && result.user.mustChangePassword, false);
  assert.equal(calls.length, 0);
});

test('after a policy change the password is checked once; passing records the new fingerprint', async () => {
  const { service, calls } = loginWith('policy-b', false);
  assert.equal((await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT })).kind, 'authenticated');
  assert.equal((await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT })).kind, 'authenticated');
  assert.equal(calls.length, 1);
  assert.equal((await stores.users.findUserForLogin('alice'))?.passwordPolicy, 'policy-b');
});

test('a password failing a new policy signs in behind the change-password gate, and stays flagged', async () => {
  const { service, calls } = loginWith('policy-c', true);
  const result = await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT });
  assert.ok(result.kind === 'authenticated' && result.user.mustChangePassword);
  const completed = await service.completeSignIn({ user: result.user, client: CLIENT });
  assert.deepEqual(completed.gates, ['change-password']);
  await service.authenticate({ identifier: 'alice', password: PASSWORD, client: CLIENT });
  assert.equal(calls.length, 1);
  assert.equal((await stores.users.findUserForLogin('alice'))?.mustChangePassword, true);
});
