// Property: the SQL stores return unique-index conflicts as values (never throw) and round-trip users and sessions.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SessionStore, UserStore } from '../../src/domain/ports.ts';
import type { NewUser } from '../../src/domain/users/user.ts';
import type { DatabaseHandle } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createSqlSessionStore } from '../../src/storage/sql/session-store.ts';
import { createSqlCredentialStore, createSqlUserStore } from '../../src/storage/sql/user-store.ts';

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const HASH = '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA';

let dir: string;
let database: DatabaseHandle;
let users: UserStore;
let sessions: SessionStore;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-stores-'));
  database = await openDatabase(`sqlite:${path.join(dir, 'test.db')}`);
  const migrated = await migrateToLatest(database.db);
  assert.ok(migrated.ok, JSON.stringify(migrated));
  users = createSqlUserStore(database.db, () => NOW);
  sessions = createSqlSessionStore(database.db);
});

after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

function newUser(name: string, email = `${name}@example.test`): NewUser {
  return {
    username: name,
    usernameNormalized: name.toLowerCase(),
    email,
    emailNormalized: email.toLowerCase(),
    passwordHash: HASH,
    role: 'user',
    createdAt: new Date(NOW),
  };
}

async function countUsers(): Promise<number> {
  const row = await database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

test('migrating twice applies nothing the second time', async () => {
  assert.deepEqual(await migrateToLatest(database.db), { ok: true, applied: [] });
});

test('createUser returns the stored user with an id and its fields', async () => {
  const created = await users.createUser(newUser('Alice'));
  assert.ok(created.ok);
  assert.ok(created.user.id > 0);
  assert.deepEqual({ ...created.user, id: 0 }, {
    id: 0,
    username: 'Alice',
    email: 'Alice@example.test',
    role: 'user',
    disabled: false,
    mustChangePassword: false,
    credentialVersion: 0,
    emailVerifiedAt: null,
    locale: null,
    createdAt: new Date(NOW),
  });
  assert.deepEqual(await users.findUserById(created.user.id), created.user);
  assert.deepEqual(await users.findUserByUsername('alice'), created.user);
});

test('the same normalised username twice is returned as a username conflict, not thrown', async () => {
  assert.ok((await users.createUser(newUser('bob'))).ok);
  const before = await countUsers();
  assert.deepEqual(await users.createUser(newUser('bob', 'other-bob@example.test')), { ok: false, conflict: 'username' });
  assert.deepEqual(await users.createUser(newUser('BOB', 'third-bob@example.test')), { ok: false, conflict: 'username' });
  assert.equal(await countUsers(), before);
});

test('the same normalised email under another name is returned as an email conflict', async () => {
  assert.ok((await users.createUser(newUser('carol', 'carol@example.test'))).ok);
  assert.deepEqual(await users.createUser(newUser('carol2', 'CAROL@example.test')), { ok: false, conflict: 'email' });
});

test('findUserForLogin finds by normalised username or email and includes the hash; public lookups do not', async () => {
  const created = await users.createUser(newUser('dave'));
  assert.ok(created.ok);
  const byName = await users.findUserForLogin('dave');
  const byEmail = await users.findUserForLogin('dave@example.test');
  assert.equal(byName?.id, created.user.id);
  assert.equal(byEmail?.id, created.user.id);
  assert.equal(byName?.passwordHash, HASH);
  assert.equal(await users.findUserForLogin('nobody'), undefined);
  assert.ok(!('passwordHash' in (await users.findUserById(created.user.id))!));
});

test('setRole, setDisabled and the credential store change the row; unknown ids report false', async () => {
  const created = await users.createUser(newUser('erin'));
  assert.ok(created.ok);
  const id = created.user.id;
  assert.equal(await users.setRole(id, 'admin'), true);
  assert.equal(await users.setDisabled(id, true), true);
  const credentials = createSqlCredentialStore(database.db, () => NOW);
  assert.equal(await credentials.replacePassword(id, '$argon2id$new', { mustChangePassword: true, passwordPolicy: 'p1' }), 1);
  const row = await users.findUserForLogin('erin');
  assert.equal(row?.role, 'admin');
  assert.equal(row?.disabled, true);
  assert.equal(row?.mustChangePassword, true);
  assert.equal(row?.passwordHash, '$argon2id$new');
  assert.equal(row?.passwordPolicy, 'p1');
  await credentials.setPasswordState(id, { mustChangePassword: false, passwordPolicy: 'p2' });
  const checked = await users.findUserForLogin('erin');
  assert.equal(checked?.mustChangePassword, false);
  assert.equal(checked?.passwordPolicy, 'p2');
  assert.equal(await users.setRole(999_999, 'admin'), false);
  assert.equal(await users.setDisabled(999_999, true), false);
});

test('a session round-trips with its user in one lookup, and is touched and deleted by hash', async () => {
  const created = await users.createUser(newUser('frank'));
  assert.ok(created.ok);
  const session = {
    idHash: 'f'.repeat(64),
    userId: created.user.id,
    createdAt: new Date(NOW),
    lastSeenAt: new Date(NOW),
    expiresAt: new Date(NOW + 3_600_000),
    ip: '198.51.100.1',
    userAgent: 'ua',
    credentialVersion: 0,
  };
  await sessions.createSession(session);
  const found = await sessions.findSessionAndUser(session.idHash);
  // A session made without a public id gets one from the store (the sessions page names it).
  assert.match(found?.session.publicId ?? '', /^[A-Za-z0-9_-]{22}$/);
  // Not re-authenticated yet (sudo mode), and proven by the password alone (the default).
  assert.deepEqual(found, { session: { ...session, publicId: found?.session.publicId, reauthenticatedAt: null, authMethods: ['pwd'] }, user: created.user });
  await sessions.touchSession(session.idHash, new Date(NOW + 5000));
  assert.equal((await sessions.findSessionAndUser(session.idHash))?.session.lastSeenAt.getTime(), NOW + 5000);
  await sessions.deleteSession(session.idHash);
  assert.equal(await sessions.findSessionAndUser(session.idHash), undefined);
});

test('deleteSessionsForUser spares the excepted hash; deleteExpiredSessions removes only expired rows', async () => {
  const created = await users.createUser(newUser('grace'));
  assert.ok(created.ok);
  const base = { userId: created.user.id, createdAt: new Date(NOW), ip: '', userAgent: '', credentialVersion: 0 };
  await sessions.createSession({ ...base, idHash: '1'.repeat(64), lastSeenAt: new Date(NOW), expiresAt: new Date(NOW + 1000) });
  await sessions.createSession({ ...base, idHash: '2'.repeat(64), lastSeenAt: new Date(NOW), expiresAt: new Date(NOW + 1000) });
  assert.equal(await sessions.deleteSessionsForUser(created.user.id, '1'.repeat(64)), 1);
  assert.ok(await sessions.findSessionAndUser('1'.repeat(64)));

  await sessions.createSession({ ...base, idHash: '3'.repeat(64), lastSeenAt: new Date(NOW - 600_000), expiresAt: new Date(NOW + 3_600_000) });
  await sessions.createSession({ ...base, idHash: '4'.repeat(64), lastSeenAt: new Date(NOW), expiresAt: new Date(NOW + 3_600_000) });
  // At NOW + 1000 with a 600 s idle timeout: 1 is absolutely expired, 3 idle, 4 live.
  assert.equal(await sessions.deleteExpiredSessions(new Date(NOW + 1000), 600), 2);
  assert.equal(await sessions.findSessionAndUser('1'.repeat(64)), undefined);
  assert.equal(await sessions.findSessionAndUser('3'.repeat(64)), undefined);
  assert.ok(await sessions.findSessionAndUser('4'.repeat(64)));
});
