// Property: registration stores one normalised identity or explains every problem; admin changes apply to the stored user.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../config.ts';
import type { DatabaseHandle } from '../../storage/database.ts';
import { migrateToLatest } from '../../storage/migrate.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createSqlSessionStore } from '../../storage/sql/session-store.ts';
import { createSqlTransactor } from '../../storage/sql/transactor.ts';
import { createSqlUserStore } from '../../storage/sql/user-store.ts';
import { describeProblem } from '../../messages/problems.ts';
import type { Clock } from '../clock.ts';
import { createPasswordHasher, type PasswordHasher } from '../passwords/hasher.ts';
import type { UserStore } from '../ports.ts';
import { createSessionService, type SessionService } from '../sessions/session-service.ts';
import { createUserService, type UserService, validateRegistration } from './user-service.ts';
import { CLI_CONTEXT } from '../audit/events.ts';

const POLICY = { minLength: 12, maxLength: 256 };
const PASSWORD = 'correct horse battery staple';
const CLIENT = { ip: '127.0.0.1', userAgent: 'test' };
const clock: Clock = { now: () => Date.UTC(2030, 0, 1) };

let dir: string;
let database: DatabaseHandle;
let users: UserStore;
let sessions: SessionService;
let hasher: PasswordHasher;
let service: UserService;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-users-'));
  database = await openDatabase(`sqlite:${path.join(dir, 'test.db')}`);
  assert.ok((await migrateToLatest(database.db)).ok);
  users = createSqlUserStore(database.db, () => clock.now());
  const config = loadConfig({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' });
  sessions = createSessionService(createSqlSessionStore(database.db), config.sessions, clock);
  hasher = await createPasswordHasher(config.passwords);
  service = createUserService({ users, transactor: createSqlTransactor(database.db, () => clock.now(), { mail: Buffer.alloc(32, 7), audit: Buffer.alloc(32, 8) }), sessions, hasher, policy: POLICY, clock });
});

after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function userCount(): Promise<number> {
  const row = await database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

test('valid input has no problems', () => {
  assert.deepEqual(validateRegistration({ username: 'alice', email: 'alice@example.test', password: PASSWORD }, POLICY), []);
});

test('each field reports its own problem with a stable code and a message', () => {
  const cases = [
    [{ username: 'al', email: 'al@example.test', password: PASSWORD }, 'username', 'username_too_short'],
    [{ username: 'a'.repeat(51), email: 'al@example.test', password: PASSWORD }, 'username', 'username_too_long'],
    [{ username: 'al ice', email: 'al@example.test', password: PASSWORD }, 'username', 'username_bad_characters'],
    [{ username: 'alice', email: 'not-an-email', password: PASSWORD }, 'email', 'email_invalid'],
    [{ username: 'alice', email: 'alice@localhost', password: PASSWORD }, 'email', 'email_invalid'],
    [{ username: 'alice', email: `${'a'.repeat(250)}@example.test`, password: PASSWORD }, 'email', 'email_invalid'],
    [{ username: 'alice', email: 'alice@example.test', password: 'short' }, 'password', 'password_too_short'],
    [{ username: 'alice', email: 'alice@example.test', password: 'password1234' }, 'password', 'password_common'],
    [{ username: 'sebastian', email: 'x@example.test', password: 'sebastian horse staple 9' }, 'password', 'password_contains_username'],
  ] as const;
  for (const [input, field, code] of cases) {
    const problems = validateRegistration(input, POLICY);
    const found = problems.find((p) => p.code === code);
    assert.ok(found, `${JSON.stringify(input)} → ${JSON.stringify(problems)}`);
    assert.equal(found.field, field);
    assert.ok(describeProblem(found).length > 10);
  }
});

test('all problems are reported at once', () => {
  const problems = validateRegistration({ username: 'a', email: 'nope', password: 'x' }, POLICY);
  assert.deepEqual(new Set(problems.map((p) => p.field)), new Set(['username', 'email', 'password']));
});

test('registration stores the NFKC display name, the normalised identities and an argon2id hash', async () => {
  const result = await service.registerUser({ username: 'Ｃａｒｏｌ', email: ' Carol@Example.TEST ', password: PASSWORD });
  assert.equal(result.kind, 'registered');
  if (result.kind !== 'registered') return;
  assert.equal(result.user.username, 'Carol');
  assert.equal(result.user.email, 'Carol@Example.TEST');
  assert.equal(result.user.role, 'user');
  assert.equal(result.user.disabled, false);
  const row = await database.db.selectFrom('users').selectAll().where('id', '=', result.user.id).executeTakeFirstOrThrow();
  assert.equal(row.username_normalized, 'carol');
  assert.equal(row.email_normalized, 'carol@example.test');
  assert.match(row.password_hash ?? '', /^\$argon2id\$/);
  assert.ok(!row.password_hash!.includes(PASSWORD));
  assert.equal(await hasher.verifyPassword(row.password_hash!, PASSWORD), true);
});

test('invalid input stores nothing and hashes nothing', async () => {
  const before = await userCount();
  const result = await service.registerUser({ username: 'dave', email: 'dave@example.test', password: 'short' });
  assert.equal(result.kind, 'invalid');
  assert.equal(await userCount(), before);
  assert.equal(await users.findUserByUsername('dave'), undefined);
});

test('a username taken in another case or in full-width is a username conflict', async () => {
  assert.equal((await service.registerUser({ username: 'erin', email: 'erin@example.test', password: PASSWORD })).kind, 'registered');
  for (const [i, spelling] of ['ERIN', 'Erin', 'ｅｒｉｎ'].entries()) {
    const result = await service.registerUser({ username: spelling, email: `erin${i}@example.test`, password: PASSWORD });
    assert.deepEqual(result, { kind: 'conflict', field: 'username' }, spelling);
  }
});

test('an email taken in another case is an email conflict', async () => {
  assert.equal((await service.registerUser({ username: 'frank', email: 'frank@example.test', password: PASSWORD })).kind, 'registered');
  const result = await service.registerUser({ username: 'frank2', email: 'FRANK@Example.Test', password: PASSWORD });
  assert.deepEqual(result, { kind: 'conflict', field: 'email' });
});

test('the email is validated in the form it is stored (after NFKC): a small-form ﹫ cannot smuggle in a second @', async () => {
  const result = await service.registerUser({ username: 'grace', email: 'grace\ufe6bevil.test@example.test', password: PASSWORD });
  if (result.kind === 'registered') {
    assert.equal(result.user.email.split('@').length, 2, `stored ${result.user.email}`);
  } else {
    assert.equal(result.kind, 'invalid');
  }
});

test('setRole accepts only known roles and known users, whatever the name’s spelling', async () => {
  assert.equal((await service.registerUser({ username: 'heidi', email: 'heidi@example.test', password: PASSWORD })).kind, 'registered');
  assert.deepEqual(await service.setRole({ username: 'heidi' }, 'root', CLI_CONTEXT), { ok: false, reason: 'bad_role' });
  assert.deepEqual(await service.setRole({ username: 'nobody-here' }, 'admin', CLI_CONTEXT), { ok: false, reason: 'unknown_user' });
  const changed = await service.setRole({ username: 'ＨＥＩＤＩ' }, 'admin', CLI_CONTEXT);
  assert.ok(changed.ok);
  assert.equal((await users.findUserByUsername('heidi'))?.role, 'admin');
});

test('disabling ends every session of the user; enabling again does not revive them', async () => {
  const registered = await service.registerUser({ username: 'ivan', email: 'ivan@example.test', password: PASSWORD });
  assert.ok(registered.kind === 'registered');
  const a = await sessions.startSession({ id: registered.user.id, credentialVersion: 0 }, CLIENT);
  const b = await sessions.startSession({ id: registered.user.id, credentialVersion: 0 }, CLIENT);
  const disabled = await service.setDisabled({ username: 'Ivan' }, true, CLI_CONTEXT);
  assert.ok(disabled.ok && disabled.user.disabled);
  assert.equal((await users.findUserById(registered.user.id))?.disabled, true);
  const rows = await database.db.selectFrom('sessions').selectAll().where('user_id', '=', registered.user.id).execute();
  assert.equal(rows.length, 0);
  assert.ok((await service.setDisabled({ username: 'ivan' }, false, CLI_CONTEXT)).ok);
  assert.equal((await users.findUserById(registered.user.id))?.disabled, false);
  assert.equal(await sessions.validateSessionToken(a.token), undefined);
  assert.equal(await sessions.validateSessionToken(b.token), undefined);
  assert.deepEqual(await service.setDisabled({ username: 'nobody-here' }, true, CLI_CONTEXT), { ok: false, reason: 'unknown_user' });
});

test('revokeSessions ends every session and reports how many', async () => {
  const registered = await service.registerUser({ username: 'judy', email: 'judy@example.test', password: PASSWORD });
  assert.ok(registered.kind === 'registered');
  await sessions.startSession({ id: registered.user.id, credentialVersion: 0 }, CLIENT);
  await sessions.startSession({ id: registered.user.id, credentialVersion: 0 }, CLIENT);
  assert.deepEqual(await service.revokeSessions({ username: 'JUDY' }, CLI_CONTEXT), { ok: true, count: 2 });
  assert.deepEqual(await service.revokeSessions({ username: 'judy' }, CLI_CONTEXT), { ok: true, count: 0 });
  assert.deepEqual(await service.revokeSessions({ username: 'nobody-here' }, CLI_CONTEXT), { ok: false, reason: 'unknown_user' });
});
