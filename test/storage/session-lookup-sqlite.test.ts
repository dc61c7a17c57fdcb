// Property: on SQLite the per-request session lookup (two single-table reads, not the join)
// never sees a transaction's uncommitted writes: while a transaction holds the one connection
// it waits its turn, and it finds the session and its user by either hash.
// Revocation stays immediate (v5.0.0-7.4.1): a user disabled or deleted by another connection
// (the CLI beside a running server) is seen on the very next lookup.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SessionStore } from '../../src/domain/ports.ts';
import type { DatabaseHandle } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createSqlSessionStore } from '../../src/storage/sql/session-store.ts';
import { createSqlUserStore } from '../../src/storage/sql/user-store.ts';

let dir: string;
let file: string;
let database: DatabaseHandle;
let store: SessionStore;
let userId: number;
const idHash = 'd'.repeat(64);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-lookup-'));
  file = path.join(dir, 'test.db');
  database = await openDatabase(`sqlite:${file}`);
  assert.ok((await migrateToLatest(database.db)).ok);
  const users = createSqlUserStore(database.db, Date.now);
  const created = await users.createUser({
    username: 'carol',
    usernameNormalized: 'carol',
    email: 'carol@example.test',
    emailNormalized: 'carol@example.test',
    passwordHash: '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
    role: 'user',
    createdAt: new Date(),
  });
  assert.ok(created.ok);
  userId = created.user.id;
  store = createSqlSessionStore(database.db);
  const now = Date.now();
  await store.createSession({ idHash, userId, createdAt: new Date(now), lastSeenAt: new Date(now), expiresAt: new Date(now + 3_600_000), ip: '203.0.113.9', userAgent: 'lookup-test', credentialVersion: 0, proxyTokenHash: 'e'.repeat(64) });
});

after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the lookup finds the session and its user by either hash, field for field the same', async () => {
  const found = await store.findSessionAndUser(idHash);
  assert.deepEqual(await store.findSessionAndUserByProxyHash('e'.repeat(64)), found);
  assert.equal(found?.user.username, 'carol');
  assert.equal(found?.user.email, 'carol@example.test');
  assert.equal(found?.session.userId, userId);
  assert.equal(found?.session.ip, '203.0.113.9');
  assert.equal(found?.session.proxyTokenHash, 'e'.repeat(64));
  assert.equal(await store.findSessionAndUser('0'.repeat(64)), undefined);
});

test('a lookup during an open transaction waits for it and never sees its rolled-back writes', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const rolledBack = database.db
    .transaction()
    .execute(async (trx) => {
      await trx.updateTable('users').set({ role: 'admin', disabled: 1 }).where('id', '=', userId).execute();
      await held;
      throw new Error('roll back');
    })
    .catch((error: Error) => error.message);
  // Let the transaction begin and write before the lookup starts.
  await new Promise((resolve) => setTimeout(resolve, 20));
  let answered = false;
  const lookup = store.findSessionAndUser(idHash).then((found) => {
    answered = true;
    return found;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(answered, false, 'the lookup waits while the transaction holds the connection');
  release();
  assert.equal(await rolledBack, 'roll back');
  const found = await lookup;
  assert.equal(found?.user.role, 'user', 'the uncommitted role was never seen');
  assert.equal(found?.user.disabled, false);
});

test('a change committed by another connection is seen on the next lookup', async () => {
  const other = await openDatabase(`sqlite:${file}`);
  try {
    await other.db.updateTable('users').set({ disabled: 1 }).where('id', '=', userId).execute();
    assert.equal((await store.findSessionAndUser(idHash))?.user.disabled, true);
    await other.db.deleteFrom('users').where('id', '=', userId).execute();
    assert.equal(await store.findSessionAndUser(idHash), undefined, 'a deleted user has no session');
  } finally {
    await other.close();
  }
});
