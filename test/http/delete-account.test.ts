// Property: deleting one's account needs the current password (ASVS v5.0.0-6.2.3 style
// re-authentication for a sensitive change): a wrong one is a 400 that changes nothing; the
// right one removes the user, their sessions, tokens and queued mail in one transaction,
// signs every session out, and the username can be registered again. CSRF is required.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

async function register(server: TestServer, name: string) {
  const client = new TestClient(server.url);
  await client.get('/register');
  assert.equal((await client.postForm('/register', { username: name, email: `${name}@example.test`, password: GOOD_PASSWORD })).status, 303);
}

async function signedIn(server: TestServer, name: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  assert.equal((await client.signIn(name, GOOD_PASSWORD)).status, 303);
  return client;
}

async function counts(server: TestServer, name: string) {
  const db = server.deps.database.db;
  const user = await db.selectFrom('users').select('id').where('username_normalized', '=', name).executeTakeFirst();
  const id = user ? Number(user.id) : -1;
  const n = async (query: Promise<{ n: number | string }>) => Number((await query).n);
  return {
    user: user !== undefined,
    tokens: await n(db.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', id).executeTakeFirstOrThrow()),
    mail: await n(db.selectFrom('mail_queue').select((eb) => eb.fn.countAll<number>().as('n')).where('recipient', '=', `${name}@example.test`).executeTakeFirstOrThrow()),
  };
}

describe('deleting one’s account at /settings/delete-account', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  });
  after(() => server.stop());

  test('the GET is a confirm form and changes nothing; a wrong password is a 400 that changes nothing', async () => {
    await register(server, 'ursula');
    const client = await signedIn(server, 'ursula');
    const page = await client.get('/settings/delete-account');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('name="current_password"'));
    const wrong = await client.postForm('/settings/delete-account', { current_password: 'not my password at all' });
    assert.equal(wrong.status, 400);
    assert.ok(wrong.body.includes('That is not your current password. Nothing was deleted.'));
    assert.equal((await counts(server, 'ursula')).user, true);
    assert.equal((await client.get('/dashboard')).status, 200, 'still signed in');
    await client.get('/settings/delete-account');
    assert.equal((await client.postForm('/settings/delete-account', { current_password: GOOD_PASSWORD, csrf_token: null })).status, 403, 'CSRF');
    assert.equal((await counts(server, 'ursula')).user, true);
  });

  test('the right password removes the user, sessions, tokens and queued mail; the name is free again', async () => {
    await register(server, 'victor');
    const other = await signedIn(server, 'victor');
    const client = await signedIn(server, 'victor');
    const db = server.deps.database.db;
    const id = Number((await db.selectFrom('users').select('id').where('username_normalized', '=', 'victor').executeTakeFirstOrThrow()).id);
    await db.insertInto('tokens').values({ hash: 'e'.repeat(64), purpose: 'password-reset', user_id: id, data: null, created_at: Date.now(), expires_at: Date.now() + 60_000 }).execute();
    await server.deps.mailQueue.enqueue({ to: 'victor@example.test', kind: 'test', subject: 's', text: 't', html: '<p>t</p>' }, new Date());
    const before = await counts(server, 'victor');
    assert.ok(before.tokens >= 1 && before.mail >= 1);

    await client.get('/settings/delete-account');
    const response = await client.postForm('/settings/delete-account', { current_password: GOOD_PASSWORD });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
    assert.ok(response.setCookies.some((c) => /^gatehouse_session=;/.test(c)), 'the cookie is cleared');
    assert.deepEqual(await counts(server, 'victor'), { user: false, tokens: 0, mail: 0 });
    assert.equal((await other.get('/dashboard')).status, 303, 'every session is over');
    assert.equal((await new TestClient(server.url).signIn('victor', GOOD_PASSWORD)).status, 401);
    await register(server, 'victor');
    assert.equal((await counts(server, 'victor')).user, true);
  });
});
