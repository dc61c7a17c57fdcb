// Contract: the admin console's read ports behave the same on every backend (issue #11).
// UserDirectory: a prefix search finds exactly the accounts whose normalised username or
// email starts with the text typed, with `%`, `_` and regex metacharacters as plain text
// (v5.0.0-1.2.9, v5.0.0-1.2.4); keyset pages in each sort and direction neither skip nor
// repeat a row, ties on the creation millisecond included; a bad or foreign cursor is
// `invalid_input`, never a failed query. AuditReader: filters, keyset on seq, streaming in
// batches, sign-in activity in time slices (throttled apart from failed) and the top failing
// IPs and accounts. SessionStore.countLiveSessions counts only sessions still live.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthError } from '../../src/domain/errors.ts';
import type { AuditReader, UserDirectory, UserSearch } from '../../src/domain/ports.ts';
import { normalizeEmail, normalizeUsername, type NewUser, type User } from '../../src/domain/users/user.ts';
import { createSqlAuditReader } from '../../src/storage/sql/audit-queries.ts';
import { createSqlUserDirectory, prefixUpperBound } from '../../src/storage/sql/user-directory.ts';
import { eachBackend, openTestStores, SESSION_RULES, type TestStores } from '../helpers/stores.ts';

const NOW = Date.UTC(2030, 5, 15, 12, 30);
const HOUR = 3_600_000;

function newUser(username: string, createdAt: number, email = `${username.toLowerCase()}@example.test`): NewUser {
  return {
    username,
    usernameNormalized: normalizeUsername(username),
    email,
    emailNormalized: normalizeEmail(email),
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    role: 'user',
    createdAt: new Date(createdAt),
  };
}

/** Every page of a search, following `next`; fails on a loop. */
async function allPages(directory: UserDirectory, query: Omit<UserSearch, 'after'>): Promise<User[][]> {
  const pages: User[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i += 1) {
    const { users, next } = await directory.search({ ...query, ...(after ? { after } : {}) });
    pages.push(users);
    if (!next) return pages;
    after = next;
  }
  throw new Error('the cursor never ended');
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

test('prefixUpperBound increments the last code point, skipping surrogates and the maximum', () => {
  assert.equal(prefixUpperBound('ab'), 'ac');
  assert.equal(prefixUpperBound('a\uD7FF'), 'a\uE000');
  assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
  assert.equal(prefixUpperBound('\u{10FFFF}'), undefined);
  assert.equal(prefixUpperBound(''), undefined);
});

eachBackend('admin read ports', (backend) => {
  let stores: TestStores;
  let directory: UserDirectory;
  let reader: AuditReader;
  const created: User[] = [];

  before(async () => {
    stores = await openTestStores(backend, () => NOW);
    directory = createSqlUserDirectory(stores.database.db);
    reader = createSqlAuditReader(stores.database.db);
    // Names around the prefix "an": inside it, just outside it in code-point order, and a
    // few that only a linguistic collation would put inside it.
    const names = ['ana', 'Anabel', 'anz', 'an.x', 'an_y', 'an-z', 'am', 'ao', 'a-n', 'a_n', 'bob', 'Zoe', 'ñandú', 'andrés', 'ANTON', 'xy%z', 'carla', 'dora', 'eve', 'fay'];
    for (const [index, name] of names.entries()) {
      // Four accounts share each creation millisecond: ties the keyset must break by id.
      const result = await stores.users.createUser(newUser(name, NOW - 100_000 + Math.floor(index / 4)));
      assert.ok(result.ok, name);
      created.push(result.user);
    }
    // An email prefix that no username has.
    const mailed = await stores.users.createUser(newUser('quinn', NOW, 'an.mail@example.test'));
    assert.ok(mailed.ok);
    created.push(mailed.user);
  });
  after(() => stores.close());

  describe('UserDirectory', () => {
    test('a prefix finds exactly the usernames and emails starting with it, normalised', async () => {
      const found = (await directory.search({ prefix: ' AN ', sort: 'username', direction: 'asc', limit: 200 })).users.map((u) => u.username);
      assert.deepEqual(found, ['an-z', 'an.x', 'an_y', 'ana', 'Anabel', 'andrés', 'ANTON', 'anz', 'quinn']);
      const byEmail = (await directory.search({ prefix: 'an.m', sort: 'username', direction: 'asc', limit: 200 })).users.map((u) => u.username);
      assert.deepEqual(byEmail, ['quinn']);
      assert.deepEqual((await directory.search({ prefix: 'ÑAN', sort: 'username', direction: 'asc', limit: 10 })).users.map((u) => u.username), ['ñandú']);
    });

    test('LIKE wildcards and regex metacharacters are plain text (v5.0.0-1.2.9)', async () => {
      for (const prefix of ['%', '_', '.*(', '[a-z]', "'; drop table users; --", '\\']) {
        const { users } = await directory.search({ prefix, sort: 'username', direction: 'asc', limit: 50 });
        assert.deepEqual(users.map((u) => u.username), [], prefix);
      }
      assert.deepEqual((await directory.search({ prefix: 'xy%', sort: 'username', direction: 'asc', limit: 50 })).users.map((u) => u.username), ['xy%z']);
      assert.deepEqual((await directory.search({ prefix: 'an_', sort: 'username', direction: 'asc', limit: 50 })).users.map((u) => u.username), ['an_y']);
    });

    test('keyset pages in every sort and direction: no row skipped or repeated, ties on the millisecond included', async () => {
      const everyone = created.map((u) => u.username);
      for (const sort of ['username', 'created'] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          const pages = await allPages(directory, { sort, direction, limit: 3 });
          const seen = pages.flat().map((u) => u.username);
          assert.equal(new Set(seen).size, seen.length, `${sort} ${direction}: no repeats`);
          assert.deepEqual([...seen].sort(), [...everyone].sort(), `${sort} ${direction}: nobody skipped`);
          assert.ok(pages.slice(0, -1).every((page) => page.length === 3), 'full pages until the last');
          const keys = pages.flat().map((u) => (sort === 'username' ? normalizeUsername(u.username) : `${String(u.createdAt.getTime()).padStart(15, '0')}:${String(u.id).padStart(10, '0')}`));
          const expected = [...keys].sort(byCodePoint);
          assert.deepEqual(keys, direction === 'asc' ? expected : expected.reverse(), `${sort} ${direction}: in order`);
        }
      }
    });

    test('a prefix search pages the same way', async () => {
      const pages = await allPages(directory, { prefix: 'an', sort: 'created', direction: 'desc', limit: 2 });
      const seen = pages.flat().map((u) => u.username);
      assert.equal(seen.length, 9);
      assert.equal(new Set(seen).size, 9);
    });

    test('a malformed, tampered or foreign cursor is invalid_input', async () => {
      const { next } = await directory.search({ sort: 'username', direction: 'asc', limit: 2 });
      assert.ok(next);
      const tampered = Buffer.from(JSON.stringify({ s: 'created', d: 'asc', k: 'x', i: -1 })).toString('base64url');
      const cases: [string, Omit<UserSearch, 'after'>][] = [
        ['not a cursor!', { sort: 'username', direction: 'asc', limit: 2 }],
        ['e30', { sort: 'username', direction: 'asc', limit: 2 }],
        ['x'.repeat(2000), { sort: 'username', direction: 'asc', limit: 2 }],
        [tampered, { sort: 'created', direction: 'asc', limit: 2 }],
        [next, { sort: 'username', direction: 'desc', limit: 2 }],
        [next, { sort: 'created', direction: 'asc', limit: 2 }],
      ];
      for (const [after, query] of cases) {
        await assert.rejects(directory.search({ ...query, after }), (error: unknown) => error instanceof AuthError && error.code === 'invalid_input', after.slice(0, 40));
      }
    });

    test('role, disabled and verified filters; counts', async () => {
      const [first, second, third] = created;
      assert.ok(await stores.users.setRole(first!.id, 'admin'));
      assert.ok(await stores.users.setDisabled(second!.id, true));
      assert.equal(await stores.users.markEmailVerified(third!.id, new Date(NOW)), 'ok');
      const names = async (query: Partial<UserSearch>) => (await directory.search({ sort: 'username', direction: 'asc', limit: 200, ...query })).users.map((u) => u.username);
      assert.deepEqual(await names({ role: 'admin' }), [first!.username]);
      assert.deepEqual(await names({ disabled: true }), [second!.username]);
      assert.deepEqual(await names({ verified: true }), [third!.username]);
      assert.equal((await names({ verified: false })).length, created.length - 1);
      assert.deepEqual(await directory.counts(), { users: created.length, unverified: created.length - 1, disabled: 1, admins: 1 });
    });
  });

  describe('AuditReader', () => {
    // seq 1..1200: every third a failed sign-in from 10.0.0.x, some throttled, every fifth a success.
    const EVENTS = 1200;
    before(async () => {
      const rows = Array.from({ length: EVENTS }, (_, index) => {
        const seq = index + 1;
        const type = seq % 5 === 0 ? 'login.succeeded' : seq % 3 === 0 ? 'login.failed' : 'profile.viewed';
        const reason = seq % 6 === 0 ? 'throttled' : 'bad_password';
        return {
          seq,
          // One event a minute, the newest at NOW - 1 minute.
          occurred_at: NOW - (EVENTS - index) * 60_000,
          type,
          actor_user_id: type === 'profile.viewed' ? created[0]!.id : null,
          target_user_id: created[seq % 4]!.id,
          ip: `10.0.0.${seq % 7}`,
          user_agent: 'test',
          channel: 'web',
          outcome: type === 'login.failed' ? 'failure' : 'success',
          details: JSON.stringify(type === 'login.failed' ? { reason } : { note: 'x","reason":"throttled' }),
          mac: '0'.repeat(64),
        };
      });
      for (let i = 0; i < rows.length; i += 300) await stores.database.db.insertInto('audit_events').values(rows.slice(i, i + 300)).execute();
    });

    test('newest first, keyset on seq, each filter applied', async () => {
      const first = await reader.search({}, { limit: 10 });
      assert.deepEqual(first.map((e) => e.seq), [1200, 1199, 1198, 1197, 1196, 1195, 1194, 1193, 1192, 1191]);
      assert.ok(first[0]!.at instanceof Date && first[0]!.at.getTime() === NOW - 60_000);
      assert.deepEqual((await reader.search({}, { limit: 3, beforeSeq: 1191 })).map((e) => e.seq), [1190, 1189, 1188]);
      const failed = await reader.search({ type: 'login.failed', ip: '10.0.0.3' }, { limit: 1000 });
      assert.ok(failed.length > 0 && failed.every((e) => e.type === 'login.failed' && e.ip === '10.0.0.3'));
      assert.deepEqual(failed[0]!.details, { reason: seq(failed[0]!) % 6 === 0 ? 'throttled' : 'bad_password' });
      const window = await reader.search({ from: new Date(NOW - 10 * 60_000), to: new Date(NOW - 5 * 60_000) }, { limit: 100 });
      assert.deepEqual(window.map((e) => e.seq), [1195, 1194, 1193, 1192, 1191]);
      // A bounded window paged 2 at a time (the two-step read, migration 0016) with a type
      // filter: every event once, in seq order, the same as one large page.
      const bounded = { from: new Date(NOW - 600 * 60_000), to: new Date(NOW - 100 * 60_000), type: 'login.failed' };
      const whole = (await reader.search(bounded, { limit: 10_000 })).map((e) => e.seq);
      assert.ok(whole.length > 20, `${whole.length} events in the window`);
      const paged: number[] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = await reader.search(bounded, { limit: 2, beforeSeq });
        paged.push(...page.map((e) => e.seq));
        if (page.length < 2) break;
        beforeSeq = page.at(-1)!.seq;
      }
      assert.deepEqual(paged, whole);
      assert.deepEqual(whole, [...whole].sort((a, b) => b - a));
    });

    test('a user filter finds events by them and about them, merged in seq order without duplicates', async () => {
      const admin = created[0]!.id;
      const events = await reader.search({ userId: admin }, { limit: 2000 });
      const expected = Array.from({ length: EVENTS }, (_, i) => i + 1)
        .filter((s) => (s % 5 !== 0 && s % 3 !== 0) || created[s % 4]!.id === admin)
        .reverse();
      assert.deepEqual(events.map((e) => e.seq), expected);
      const page = await reader.search({ userId: admin, type: 'login.failed' }, { limit: 5, beforeSeq: 1000 });
      assert.ok(page.length === 5 && page.every((e) => e.seq < 1000 && e.targetUserId === admin && e.type === 'login.failed'));
      assert.deepEqual((await reader.forUser(admin, 3)).map((e) => e.seq), expected.slice(0, 3));
    });

    test('stream yields every match newest first, across batches', async () => {
      const seqs: number[] = [];
      for await (const event of reader.stream({})) seqs.push(event.seq);
      assert.equal(seqs.length, EVENTS);
      assert.deepEqual(seqs.slice(0, 2), [1200, 1199]);
      assert.ok(seqs.every((s, i) => i === 0 || s < seqs[i - 1]!));
      let failures = 0;
      for await (const event of reader.stream({ type: 'login.failed' })) failures += event.type === 'login.failed' ? 1 : 0;
      assert.equal(failures, Array.from({ length: EVENTS }, (_, i) => i + 1).filter((s) => s % 5 !== 0 && s % 3 === 0).length);
    });

    test('sign-in activity per slice: succeeded, failed and throttled apart; details text elsewhere ignored', async () => {
      const to = new Date(NOW);
      const from = new Date(NOW - 24 * HOUR);
      const buckets = await reader.signInActivity(from, to, 24);
      assert.equal(buckets.length, 24);
      assert.equal(buckets[0]!.start.getTime(), from.getTime());
      assert.equal(buckets[23]!.start.getTime(), NOW - HOUR);
      // The expected counts, computed from the same rule the rows were made by.
      const expected = Array.from({ length: 24 }, () => ({ succeeded: 0, failed: 0, throttled: 0 }));
      for (let s = 1; s <= EVENTS; s += 1) {
        const at = NOW - (EVENTS - (s - 1)) * 60_000;
        if (at < from.getTime()) continue;
        const slot = expected[Math.floor((at - from.getTime()) / HOUR)]!;
        if (s % 5 === 0) slot.succeeded += 1;
        else if (s % 3 === 0) slot[s % 6 === 0 ? 'throttled' : 'failed'] += 1;
      }
      assert.deepEqual(buckets.map(({ succeeded, failed, throttled }) => ({ succeeded, failed, throttled })), expected);
      const days = await reader.signInActivity(new Date(NOW - 30 * 24 * HOUR), to, 30);
      assert.equal(days.length, 30);
      assert.equal(days.reduce((sum, d) => sum + d.succeeded, 0), EVENTS / 5);
    });

    test('top failing IPs and accounts since a time, most first', async () => {
      const { ips, accounts } = await reader.topFailing(new Date(NOW - 24 * HOUR), 3);
      assert.equal(ips.length, 3);
      assert.ok(ips[0]!.count >= ips[1]!.count && ips[1]!.count >= ips[2]!.count);
      assert.ok(ips.every((row) => /^10\.0\.0\.\d$/.test(row.ip)));
      const total = (await reader.search({ type: 'login.failed', ip: ips[0]!.ip }, { limit: 5000 })).length;
      assert.equal(ips[0]!.count, total);
      assert.ok(accounts.length > 0 && accounts.every((row) => created.some((u) => u.id === row.userId) && row.count > 0));
      assert.deepEqual(await reader.topFailing(new Date(NOW + HOUR), 3), { ips: [], accounts: [] });
    });
  });

  test('countLiveSessions counts sessions before their expiry and within the idle timeout', async () => {
    const idleMs = SESSION_RULES.idleTimeoutSeconds * 1000;
    const now = Date.now();
    const make = (name: string, lastSeenAt: number, expiresAt: number) => ({
      idHash: name.padEnd(64, '0'),
      userId: created[5]!.id,
      createdAt: new Date(lastSeenAt),
      lastSeenAt: new Date(lastSeenAt),
      expiresAt: new Date(expiresAt),
      ip: '127.0.0.1',
      userAgent: 'test',
      credentialVersion: 0,
    });
    const before = await stores.sessionStore.countLiveSessions(new Date(now), SESSION_RULES.idleTimeoutSeconds);
    await stores.sessionStore.createSession(make('a1', now, now + HOUR));
    await stores.sessionStore.createSession(make('a2', now - 1000, now + HOUR));
    await stores.sessionStore.createSession(make('b1', now - idleMs - 60_000, now + HOUR));
    await stores.sessionStore.createSession(make('c1', now, now - 1000));
    assert.equal(await stores.sessionStore.countLiveSessions(new Date(now), SESSION_RULES.idleTimeoutSeconds), before + 2);
  });
});

function seq(event: { seq: number }): number {
  return event.seq;
}
