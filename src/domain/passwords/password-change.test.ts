// Property (issue #8, defect 1; ASVS v5.0.0-7.4.3): a password change voids every other
// session of the user through the credential version, even when deleting them fails (a
// session store that cannot be reached, as Redis can be), while the session that made the
// change stays signed in. Before credential versions, such sessions survived the change.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMemoryStores, type MemoryStores } from '../../../test/helpers/memory-stores.ts';
import { systemClock } from '../clock.ts';
import type { LoginGuard } from '../login/login.ts';
import { createSessionService, type SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.ts';
import { createPasswordHasher, type PasswordHasher } from './hasher.ts';
import { createPasswordChangeService } from './password-change.ts';

const OLD_PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'plum orchard under winter rain';
const CLIENT = { ip: '203.0.113.9', userAgent: 'test' };
const allowAll: LoginGuard = { checkAttempt: async () => ({ allowed: true }), recordFailure: async () => {}, recordSuccess: async () => {}, clearAccount: async () => {} };

let stores: MemoryStores;
let hasher: PasswordHasher;
let sessions: SessionService;
let user: User;

before(async () => {
  stores = createMemoryStores();
  hasher = await createPasswordHasher({ memoryCostKib: 64, timeCost: 1, parallelism: 1, hashConcurrency: 1, hashQueueLimit: 10 });
  sessions = createSessionService(stores.sessionStore, { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 43_200, touchIntervalSeconds: 60 }, systemClock);
  const created = await stores.users.createUser({
    username: 'victim',
    usernameNormalized: 'victim',
    email: 'victim@example.test',
    emailNormalized: 'victim@example.test',
    passwordHash: await hasher.hashPassword(OLD_PASSWORD),
    role: 'user',
    createdAt: new Date(),
  });
  assert.ok(created.ok);
  user = created.user;
});
after(() => hasher.close());

test('a password change voids the other sessions even when deleting them fails; the changing one stays', async () => {
  const mine = await sessions.startSession(user, CLIENT);
  const attacker = await sessions.startSession(user, CLIENT);
  const service = createPasswordChangeService({ transactor: stores.transactor, users: stores.users, sessions, hasher, guard: allowAll, policy: { minLength: 12, maxLength: 256 } });
  stores.failDeletes = true;
  try {
    const result = await service.changePassword({ user, currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD, ip: CLIENT.ip, keepSessionToken: mine.token, by: { actorUserId: user.id, ip: CLIENT.ip, userAgent: 'test', channel: 'web' } });
    assert.deepEqual(result, { kind: 'changed', endedSessions: null });
    assert.ok(stores.sessionRows.has(attacker.session.idHash), 'the delete really failed: the row is still there');
    stores.failDeletes = false;
    assert.equal(await sessions.validateSessionToken(attacker.token), undefined, 'the attacker session no longer works');
    const kept = await sessions.validateSessionToken(mine.token);
    assert.ok(kept, 'the session that changed the password stays signed in');
    assert.equal(kept.session.credentialVersion, kept.user.credentialVersion);
    assert.ok(await hasher.verifyPassword((await stores.users.findUserForLogin('victim'))!.passwordHash, NEW_PASSWORD));
  } finally {
    stores.failDeletes = false;
  }
});
