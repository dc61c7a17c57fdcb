// Property: sessions live until idle or absolute expiry on the clock, die with their user's access, and are stored only as SHA-256.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DatabaseHandle } from '../../storage/database.ts';
import { migrateToLatest } from '../../storage/migrate.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createSqlSessionStore } from '../../storage/sql/session-store.ts';
import { createSqlUserStore } from '../../storage/sql/user-store.ts';
import type { Clock } from '../clock.ts';
import type { UserStore } from '../ports.ts';
import { createSessionService, isWellFormedToken, type SessionService } from './session-service.ts';
import type { SessionRules } from './session.ts';

const SECOND = 1000;
const RULES: SessionRules = { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 12 * 3600, touchIntervalSeconds: 60 };
const CLIENT = { ip: '203.0.113.7', userAgent: 'node-test' };

class TestClock implements Clock {
  ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  now() {
    return this.ms;
  }
  advance(seconds: number) {
    this.ms += seconds * SECOND;
  }
}

let dir: string;
let database: DatabaseHandle;
let users: UserStore;
let clock: TestClock;
let sessions: SessionService;
let userCounter = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sessions-'));
  database = await openDatabase(`sqlite:${path.join(dir, 'test.db')}`);
  const migrated = await migrateToLatest(database.db);
  assert.ok(migrated.ok, JSON.stringify(migrated));
  clock = new TestClock(Date.UTC(2030, 0, 1, 9, 0, 0));
  users = createSqlUserStore(database.db, () => clock.now());
  sessions = createSessionService(createSqlSessionStore(database.db), RULES, clock);
});

after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newUser(): Promise<number> {
  userCounter += 1;
  const name = `user${userCounter}`;
  const created = await users.createUser({
    username: name,
    usernameNormalized: name,
    email: `${name}@example.test`,
    emailNormalized: `${name}@example.test`,
    passwordHash: '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
    role: 'user',
    createdAt: new Date(clock.now()),
  });
  assert.ok(created.ok);
  return created.user.id;
}

async function sessionRows(userId: number) {
  return database.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
}

test('a started session validates with its user and carries the clock instants', async () => {
  const userId = await newUser();
  const { token, session } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  assert.ok(isWellFormedToken(token));
  assert.equal(session.createdAt.getTime(), clock.now());
  assert.equal(session.expiresAt.getTime(), clock.now() + RULES.absoluteLifetimeSeconds * SECOND);
  const found = await sessions.validateSessionToken(token);
  assert.ok(found);
  assert.equal(found.user.id, userId);
  assert.equal(found.session.userId, userId);
  assert.equal(found.session.ip, CLIENT.ip);
});

test('tokens are 256-bit base64url and distinct per session', async () => {
  const userId = await newUser();
  const a = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const b = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.token, b.token);
});

test('the store keeps only the SHA-256 of the token, never the token', async () => {
  const userId = await newUser();
  const { token } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const rows = await sessionRows(userId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.id_hash, createHash('sha256').update(token).digest('hex'));
  assert.ok(!JSON.stringify(rows).includes(token));
});

test('unknown and malformed tokens do not validate', async () => {
  assert.equal(await sessions.validateSessionToken('A'.repeat(43)), undefined);
  assert.equal(await sessions.validateSessionToken(''), undefined);
  assert.equal(await sessions.validateSessionToken('short'), undefined);
  assert.equal(await sessions.validateSessionToken(`${'A'.repeat(43)}' OR 1=1 --`), undefined);
});

test('the SHA-256 itself is not accepted as a token', async () => {
  const userId = await newUser();
  await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const [row] = await sessionRows(userId);
  assert.equal(await sessions.validateSessionToken(row!.id_hash), undefined);
});

test('idle expiry: activity within the timeout keeps the session; 30 idle minutes end it and delete the row', async () => {
  const userId = await newUser();
  const { token } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  clock.advance(1799);
  assert.ok(await sessions.validateSessionToken(token), 'live just before the idle timeout');
  // That validation was a touch (past the 60 s interval), so the idle window restarts here.
  clock.advance(1799);
  assert.ok(await sessions.validateSessionToken(token), 'the touch slid the idle window');
  clock.advance(1800);
  assert.equal(await sessions.validateSessionToken(token), undefined);
  assert.equal((await sessionRows(userId)).length, 0, 'an expired session is deleted');
});

test('lastSeenAt is written at most once per touch interval', async () => {
  const userId = await newUser();
  const { token } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const start = clock.now();
  clock.advance(30);
  await sessions.validateSessionToken(token);
  assert.equal(Number((await sessionRows(userId))[0]!.last_seen_at), start, 'not touched within the interval');
  clock.advance(30);
  await sessions.validateSessionToken(token);
  assert.equal(Number((await sessionRows(userId))[0]!.last_seen_at), clock.now(), 'touched once the interval passed');
});

test('absolute expiry ends a session even while it is active', async () => {
  const userId = await newUser();
  const { token } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  // One request every 10 minutes for 12 hours: never idle, yet it ends at 12 h.
  for (let elapsed = 600; elapsed < RULES.absoluteLifetimeSeconds; elapsed += 600) {
    clock.advance(600);
    assert.ok(await sessions.validateSessionToken(token), `live at ${elapsed} s`);
  }
  clock.advance(600);
  assert.equal(await sessions.validateSessionToken(token), undefined);
  assert.equal((await sessionRows(userId)).length, 0);
});

test('endSession ends only that session', async () => {
  const userId = await newUser();
  const a = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const b = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  await sessions.endSession(a.token);
  assert.equal(await sessions.validateSessionToken(a.token), undefined);
  assert.ok(await sessions.validateSessionToken(b.token));
});

test('endAllSessionsForUser ends every session of that user except the one named, and no one else’s', async () => {
  const userId = await newUser();
  const otherId = await newUser();
  const keep = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const drop1 = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const drop2 = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  const other = await sessions.startSession({ id: otherId, credentialVersion: 0 }, CLIENT);
  assert.equal(await sessions.endAllSessionsForUser(userId, { exceptToken: keep.token }), 2);
  assert.ok(await sessions.validateSessionToken(keep.token));
  assert.equal(await sessions.validateSessionToken(drop1.token), undefined);
  assert.equal(await sessions.validateSessionToken(drop2.token), undefined);
  assert.ok(await sessions.validateSessionToken(other.token));
  assert.equal(await sessions.endAllSessionsForUser(userId), 1);
  assert.equal(await sessions.validateSessionToken(keep.token), undefined);
});

test('a disabled user’s session stops validating on its next use, and a role change shows at once', async () => {
  const userId = await newUser();
  const { token } = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  assert.ok(await users.setRole(userId, 'admin'));
  assert.equal((await sessions.validateSessionToken(token))?.user.role, 'admin');
  assert.ok(await users.setDisabled(userId, true));
  assert.equal(await sessions.validateSessionToken(token), undefined);
  assert.ok(await users.setDisabled(userId, false));
  assert.equal(await sessions.validateSessionToken(token), undefined, 're-enabling does not revive the session');
});

test('deleteExpiredSessions removes idle and absolutely expired rows and keeps live ones', async () => {
  const userId = await newUser();
  const idle = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  clock.advance(1000);
  const live = await sessions.startSession({ id: userId, credentialVersion: 0 }, CLIENT);
  clock.advance(900); // idle: 1900 s since its start; live: 900 s
  await sessions.deleteExpiredSessions();
  const remaining = (await sessionRows(userId)).map((r) => r.id_hash);
  assert.deepEqual(remaining, [createHash('sha256').update(live.token).digest('hex')]);
  assert.equal(await sessions.validateSessionToken(idle.token), undefined);
});
