// Contract: UserStore, CredentialStore and Transactor behave the same on every SQL backend.
// Unique indexes decide conflicts and the store names the identity that collided from the
// index itself (issue #8, defect 3: on MySQL/MariaDB a taken username containing "email"
// was reported as a taken email, because the driver's message, which quotes the value, was
// searched for a word). A password replacement bumps the credential version in the same
// statement; a re-hash does not; a transaction that throws leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { NewUser } from '../../src/domain/users/user.ts';
import { createSqlTransactor } from '../../src/storage/sql/transactor.ts';
import { createSqlCredentialStore } from '../../src/storage/sql/user-store.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const NOW = Date.UTC(2030, 0, 1);

function newUser(username: string, email: string): NewUser {
  return {
    username,
    usernameNormalized: username.toLowerCase(),
    email,
    emailNormalized: email.toLowerCase(),
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    role: 'user',
    createdAt: new Date(NOW),
  };
}

eachBackend('UserStore contract', (backend) => {
  let stores: TestStores;
  before(async () => {
    stores = await openTestStores(backend, () => NOW);
  });
  after(() => stores.close());

  test('a taken username is a username conflict, even when the name or address mentions "email" or "username"', async () => {
    assert.ok((await stores.users.createUser(newUser('email-fan', 'fan@example.test'))).ok);
    assert.deepEqual(await stores.users.createUser(newUser('EMAIL-fan', 'other@example.test')), { ok: false, conflict: 'username' });
    assert.ok((await stores.users.createUser(newUser('plain', 'username@example.test'))).ok);
    assert.deepEqual(await stores.users.createUser(newUser('another', 'USERNAME@example.test')), { ok: false, conflict: 'email' });
    // A value crafted to look like MySQL's own message must not steer the decision.
    const crafted = "x' for key 'users_email_normalized_unique";
    assert.ok((await stores.users.createUser(newUser(crafted, 'crafted@example.test'))).ok);
    assert.deepEqual(await stores.users.createUser(newUser(crafted, 'crafted2@example.test')), { ok: false, conflict: 'username' });
  });

  test('usernamesByIds names the ids that exist, in one read, and skips the others', async () => {
    const a = await stores.users.createUser(newUser('named-a', 'named-a@example.test'));
    const b = await stores.users.createUser(newUser('Named-B', 'named-b@example.test'));
    assert.ok(a.ok && b.ok);
    const names = await stores.users.usernamesByIds([a.user.id, b.user.id, 987_654]);
    assert.deepEqual([...names.entries()].sort(([x], [y]) => x - y), [
      [a.user.id, 'named-a'],
      [b.user.id, 'Named-B'],
    ]);
    assert.equal((await stores.users.usernamesByIds([])).size, 0);
  });

  test('replacing a password bumps the credential version; re-hashing and policy state do not', async () => {
    const created = await stores.users.createUser(newUser('versioned', 'versioned@example.test'));
    assert.ok(created.ok);
    assert.equal(created.user.credentialVersion, 0);
    const credentials = createSqlCredentialStore(stores.database.db, () => NOW);
    const state = { mustChangePassword: false, passwordPolicy: 'p' };
    assert.equal(await credentials.replacePassword(created.user.id, '$argon2id$new', state), 1);
    await credentials.rehashPassword(created.user.id, '$argon2id$rehashed', state);
    await credentials.setPasswordState(created.user.id, { mustChangePassword: true, passwordPolicy: 'q' });
    assert.equal(await credentials.bumpCredentialVersion(created.user.id), 2);
    const row = await stores.users.findUserForLogin('versioned');
    assert.equal(row?.credentialVersion, 2);
    assert.equal(row?.passwordHash, '$argon2id$rehashed');
    assert.equal(row?.mustChangePassword, true);
    assert.equal(await credentials.replacePassword(2_000_000_000, '$argon2id$x', state), undefined);
    assert.equal(await credentials.bumpCredentialVersion(2_000_000_000), undefined);
  });

  test('a transaction that throws leaves neither its user nor its credential change behind', async () => {
    const transactor = createSqlTransactor(stores.database.db, () => NOW, { mail: Buffer.alloc(32, 7), audit: Buffer.alloc(32, 8) });
    const kept = await stores.users.createUser(newUser('kept', 'kept@example.test'));
    assert.ok(kept.ok);
    await assert.rejects(
      transactor.run(async (tx) => {
        assert.ok((await tx.users.createUser(newUser('rolled-back', 'rolled@example.test'))).ok);
        await tx.credentials.bumpCredentialVersion(kept.user.id);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await stores.users.findUserByUsername('rolled-back'), undefined);
    assert.equal((await stores.users.findUserById(kept.user.id))?.credentialVersion, 0);
    const committed = await transactor.run((tx) => tx.users.createUser(newUser('committed', 'committed@example.test')));
    assert.ok(committed.ok);
    assert.ok(await stores.users.findUserByUsername('committed'));
  });
}, ['sqlite', 'postgres', 'mysql']);
