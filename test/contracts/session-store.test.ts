// Property: every SessionStore (SQL on each dialect, Redis) keeps the same contract —
// find returns session and user together, touch moves lastSeenAt, deletes are exact, and
// ending a user's sessions can spare one. The sessions page's part (issue #10, ASVS
// v5.0.0-7.5.2, v5.0.0-8.2.2): each session keeps its public id, a user's listing holds
// only their sessions, and a delete by public id ends only the owner's session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Session } from '../../src/domain/sessions/session.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

let counter = 0;
function sessionFor(userId: number, now = Date.now()): Session {
  counter += 1;
  return {
    idHash: counter.toString(16).padStart(64, 'a'),
    userId,
    createdAt: new Date(now),
    lastSeenAt: new Date(now),
    expiresAt: new Date(now + 3_600_000),
    ip: '203.0.113.7',
    userAgent: 'contract-test',
    credentialVersion: 0,
    publicId: `pub${counter.toString(36).padStart(19, '0')}`,
  };
}

eachBackend('SessionStore contract', (backend) => {
  let stores: TestStores;
  let alice: number;
  let bob: number;

  before(async () => {
    stores = await openTestStores(backend);
    const make = async (name: string) => {
      const created = await stores.users.createUser({
        username: name,
        usernameNormalized: name,
        email: `${name}@example.test`,
        emailNormalized: `${name}@example.test`,
        passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
        role: 'user',
        createdAt: new Date(),
      });
      assert.ok(created.ok);
      return created.user.id;
    };
    alice = await make('alice');
    bob = await make('bob');
  });
  after(() => stores.close());

  test('a created session is found with its user; an unknown hash is not', async () => {
    const session = sessionFor(alice);
    await stores.sessionStore.createSession(session);
    const found = await stores.sessionStore.findSessionAndUser(session.idHash);
    assert.equal(found?.user.username, 'alice');
    assert.equal(found?.session.userId, alice);
    assert.equal(found?.session.expiresAt.getTime(), session.expiresAt.getTime());
    assert.equal(found?.session.ip, '203.0.113.7');
    assert.equal(await stores.sessionStore.findSessionAndUser('f'.repeat(64)), undefined);
  });

  test('forward-auth proxy token: found by its hash, voided by a newer one, dead with its session, never resurrecting one', async () => {
    const proxyHash = (n: number) => n.toString(16).padStart(64, 'c');
    const session = { ...sessionFor(alice), proxyTokenHash: proxyHash(counter) };
    await stores.sessionStore.createSession(session);
    const found = await stores.sessionStore.findSessionAndUserByProxyHash(session.proxyTokenHash);
    assert.equal(found?.session.idHash, session.idHash);
    assert.equal(found?.user.username, 'alice');
    assert.equal(await stores.sessionStore.findSessionAndUserByProxyHash('e'.repeat(64)), undefined);
    const newer = proxyHash(counter + 1000);
    assert.equal(await stores.sessionStore.setProxyTokenHash(session.idHash, newer), true);
    assert.equal(await stores.sessionStore.findSessionAndUserByProxyHash(session.proxyTokenHash), undefined, 'the old token is void');
    assert.equal((await stores.sessionStore.findSessionAndUserByProxyHash(newer))?.session.idHash, session.idHash);
    await stores.sessionStore.deleteSession(session.idHash);
    assert.equal(await stores.sessionStore.findSessionAndUserByProxyHash(newer), undefined, 'dies with its session');
    assert.equal(await stores.sessionStore.setProxyTokenHash(session.idHash, proxyHash(counter + 2000)), false);
    assert.equal(await stores.sessionStore.findSessionAndUser(session.idHash), undefined, 'not resurrected');
  });

  test('touch moves lastSeenAt and keeps the absolute expiry', async () => {
    const session = sessionFor(alice);
    await stores.sessionStore.createSession(session);
    const later = new Date(session.lastSeenAt.getTime() + 120_000);
    await stores.sessionStore.touchSession(session.idHash, later);
    const found = await stores.sessionStore.findSessionAndUser(session.idHash);
    assert.equal(found?.session.lastSeenAt.getTime(), later.getTime());
    assert.equal(found?.session.expiresAt.getTime(), session.expiresAt.getTime());
  });

  test('touching a deleted session does not bring it back', async () => {
    const session = sessionFor(alice);
    await stores.sessionStore.createSession(session);
    await stores.sessionStore.deleteSession(session.idHash);
    await stores.sessionStore.touchSession(session.idHash, new Date());
    assert.equal(await stores.sessionStore.findSessionAndUser(session.idHash), undefined);
  });

  test('deleteSessionsForUser ends all but the excepted one, and only that user’s', async () => {
    const keep = sessionFor(bob);
    const end1 = sessionFor(bob);
    const end2 = sessionFor(bob);
    const other = sessionFor(alice);
    for (const s of [keep, end1, end2, other]) await stores.sessionStore.createSession(s);
    assert.equal(await stores.sessionStore.deleteSessionsForUser(bob, keep.idHash), 2);
    assert.ok(await stores.sessionStore.findSessionAndUser(keep.idHash));
    assert.equal(await stores.sessionStore.findSessionAndUser(end1.idHash), undefined);
    assert.equal(await stores.sessionStore.findSessionAndUser(end2.idHash), undefined);
    assert.ok(await stores.sessionStore.findSessionAndUser(other.idHash));
    assert.equal(await stores.sessionStore.deleteSessionsForUser(bob), 1);
    assert.equal(await stores.sessionStore.findSessionAndUser(keep.idHash), undefined);
  });

  test('listSessionsForUser lists the user’s sessions with their public ids, and no one else’s', async () => {
    const created = await stores.users.createUser({
      username: 'dora',
      usernameNormalized: 'dora',
      email: 'dora@example.test',
      emailNormalized: 'dora@example.test',
      passwordHash: null as unknown as string,
      role: 'user',
      createdAt: new Date(),
    });
    assert.ok(created.ok);
    const dora = created.user.id;
    const mine = [sessionFor(dora), sessionFor(dora)];
    const theirs = sessionFor(alice);
    for (const s of [...mine, theirs]) await stores.sessionStore.createSession(s);
    const listed = await stores.sessionStore.listSessionsForUser(dora);
    assert.deepEqual(listed.map((s) => s.publicId).sort(), mine.map((s) => s.publicId).sort());
    assert.ok(listed.every((s) => s.userId === dora && s.ip === '203.0.113.7' && s.userAgent === 'contract-test'));
    assert.equal((await stores.sessionStore.findSessionAndUser(mine[0]!.idHash))?.session.publicId, mine[0]!.publicId);
    assert.ok((await stores.sessionStore.listSessionsForUser(alice)).some((s) => s.publicId === theirs.publicId));
  });

  test('a session stored without a public id gets one', async () => {
    const { publicId: _none, ...session } = sessionFor(alice);
    await stores.sessionStore.createSession(session);
    const found = await stores.sessionStore.findSessionAndUser(session.idHash);
    assert.match(found?.session.publicId ?? '', /^[A-Za-z0-9_-]{22}$/);
  });

  test('deleteSessionByPublicId ends only the owner’s session; another user’s public id ends nothing', async () => {
    const bobs = sessionFor(bob);
    const alices = sessionFor(alice);
    await stores.sessionStore.createSession(bobs);
    await stores.sessionStore.createSession(alices);
    assert.equal(await stores.sessionStore.deleteSessionByPublicId(bob, alices.publicId!), false, 'bob cannot end alice’s session');
    assert.ok(await stores.sessionStore.findSessionAndUser(alices.idHash), 'alice’s session lives on');
    assert.equal(await stores.sessionStore.deleteSessionByPublicId(bob, 'x'.repeat(22)), false);
    assert.equal(await stores.sessionStore.deleteSessionByPublicId(bob, bobs.publicId!), true);
    assert.equal(await stores.sessionStore.findSessionAndUser(bobs.idHash), undefined);
    assert.ok(!(await stores.sessionStore.listSessionsForUser(bob)).some((s) => s.publicId === bobs.publicId));
    assert.equal(await stores.sessionStore.deleteSessionByPublicId(bob, bobs.publicId!), false, 'a second delete finds nothing');
  });

  test('sessions of a deleted user are gone with the user', async () => {
    const created = await stores.users.createUser({
      username: 'carol',
      usernameNormalized: 'carol',
      email: 'carol@example.test',
      emailNormalized: 'carol@example.test',
      passwordHash: null as unknown as string,
      role: 'user',
      createdAt: new Date(),
    });
    assert.ok(created.ok);
    const session = sessionFor(created.user.id);
    await stores.sessionStore.createSession(session);
    await stores.database.db.deleteFrom('sessions').where('user_id', '=', created.user.id).execute();
    await stores.database.db.deleteFrom('users').where('id', '=', created.user.id).execute();
    assert.equal(await stores.sessionStore.findSessionAndUser(session.idHash), undefined);
  });
});
