// Contract: single-use tokens on every SQL backend (issue #10; ASVS v5.0.0-6.4.1 recovery
// tokens single-use and expiring). Only the hash is stored; a token works once, even when
// two uses race; an expired one or one of another purpose gives nothing; a user's tokens can
// be voided together (a newer request, a password change, "this wasn't me").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSqlTokenStore } from '../../src/storage/sql/token-store.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const T0 = new Date(Date.UTC(2030, 0, 1));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const hashOf = (n: number) => n.toString(16).padStart(64, 'c');

eachBackend('TokenStore contract', (backend) => {
  let stores: TestStores;
  let userId: number;
  before(async () => {
    stores = await openTestStores(backend, () => T0.getTime());
    const created = await stores.users.createUser({
      username: 'token-owner',
      usernameNormalized: 'token-owner',
      email: 'owner@example.test',
      emailNormalized: 'owner@example.test',
      passwordHash: '$argon2id$x',
      role: 'user',
      createdAt: T0,
    });
    assert.ok(created.ok);
    userId = created.user.id;
  });
  after(() => stores.close());
  const tokens = () => createSqlTokenStore(stores.database.db);

  test('a token is used once; its data comes back with its user', async () => {
    await tokens().createToken({ hash: hashOf(1), purpose: 'change-email', userId, data: 'new@example.test', createdAt: T0, expiresAt: at(1800) });
    assert.deepEqual(await tokens().consumeToken(hashOf(1), 'change-email', at(10)), { userId, data: 'new@example.test' });
    assert.equal(await tokens().consumeToken(hashOf(1), 'change-email', at(11)), undefined, 'not twice');
  });

  test('of two racing uses exactly one succeeds', async () => {
    await tokens().createToken({ hash: hashOf(2), purpose: 'password-reset', userId, createdAt: T0, expiresAt: at(1800) });
    const results = await Promise.all([1, 2, 3, 4].map(() => createSqlTokenStore(stores.database.db).consumeToken(hashOf(2), 'password-reset', at(5))));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('an expired token, an unknown one, or one of another purpose gives nothing', async () => {
    await tokens().createToken({ hash: hashOf(3), purpose: 'password-reset', userId, createdAt: T0, expiresAt: at(1800) });
    assert.equal(await tokens().consumeToken(hashOf(3), 'verify-email', at(5)), undefined, 'another purpose');
    assert.equal(await tokens().consumeToken(hashOf(3), 'password-reset', at(1800)), undefined, 'expired at its expiry');
    assert.equal(await tokens().consumeToken(hashOf(3), 'password-reset', at(5)), undefined, 'and gone after that attempt');
    assert.equal(await tokens().consumeToken(hashOf(999), 'password-reset', at(5)), undefined);
  });

  test("a user's tokens are voided together, by purpose or all", async () => {
    for (const [n, purpose] of [[4, 'password-reset'], [5, 'password-reset'], [6, 'verify-email']] as const) {
      await tokens().createToken({ hash: hashOf(n), purpose, userId, createdAt: T0, expiresAt: at(1800) });
    }
    assert.equal(await tokens().deleteTokensForUser(userId, 'password-reset'), 2);
    assert.equal(await tokens().consumeToken(hashOf(4), 'password-reset', at(5)), undefined);
    assert.equal(await tokens().deleteTokensForUser(userId), 1);
    assert.equal(await tokens().consumeToken(hashOf(6), 'verify-email', at(5)), undefined);
  });
}, ['sqlite', 'postgres', 'mysql']);
