// Property: a state-changing request is honoured only with a CSRF token bound to its own
// session and from our own origin. A missing token, another session's token, a foreign or
// null `Origin`, `Sec-Fetch-Site` other than same-origin/none: 403 and nothing changes.
// A `text/plain` body (the form-enctype trick) gets 415. The legitimate request works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countRows, sessionCookieSet, sessionRowFor, SESSION_COOKIE } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('cross-site request forgery', () => {
  let server: TestServer;
  let victim: TestClient;
  let attacker: TestClient;
  let attackerFormToken: string;
  let attackerApiToken: string;
  let n = 0;
  const freshName = () => `newcomer${++n}`;

  before(async () => {
    server = await startTestServer();
    victim = new TestClient(server.url);
    await victim.registerAndSignIn('victim');
    await victim.get('/dashboard');
    attacker = new TestClient(server.url);
    await attacker.get('/register');
    attackerFormToken = attacker.lastCsrf!;
    attackerApiToken = (await attacker.get('/api/v1/csrf')).json().csrfToken;
  });
  after(() => server.stop());

  async function assertVictimStillSignedIn() {
    const token = victim.cookies.get(SESSION_COOKIE)!;
    assert.ok(await sessionRowFor(server, token), 'session row still exists');
    assert.equal((await victim.get('/dashboard')).status, 200);
  }

  async function assertNoUser(username: string) {
    assert.equal(await server.deps.users.findUserByUsername(username), undefined, `${username} was created`);
  }

  /** A signed-out client that has loaded the sign-in and register forms. */
  async function visitor() {
    const client = new TestClient(server.url);
    await client.get('/login');
    return client;
  }

  /** Tries every state-changing route with `token` (null: none) and `headers`; all must be 403, nothing changed. */
  async function assertAllRefused(formToken: string | null, apiToken: string | null, headers: Record<string, string>) {
    const label = JSON.stringify({ formToken: formToken && 'set', apiToken: apiToken && 'set', headers });
    const logout = await victim.postForm('/logout', { csrf_token: formToken }, headers);
    assert.equal(logout.status, 403, `POST /logout ${label}`);
    assert.equal(sessionCookieSet(logout), undefined);
    await assertVictimStillSignedIn();

    const apiHeaders = { ...headers, 'x-csrf-token': apiToken ?? '' };
    if (apiToken === null) delete (apiHeaders as Record<string, string>)['x-csrf-token'];
    const apiLogout = await victim.request('POST', '/api/v1/logout', { headers: apiHeaders });
    assert.equal(apiLogout.status, 403, `POST /api/v1/logout ${label}`);
    assert.equal(apiLogout.json().error, 'csrf_failed');
    await assertVictimStillSignedIn();

    const client = await visitor();
    const sessionsBefore = await countRows(server, 'sessions');
    const login = await client.postForm('/login', { csrf_token: formToken, username: 'victim', password: GOOD_PASSWORD }, headers);
    assert.equal(login.status, 403, `POST /login ${label}`);
    assert.equal(sessionCookieSet(login), undefined, 'no session issued');
    assert.equal(await countRows(server, 'sessions'), sessionsBefore);

    const username = freshName();
    const register = await client.postForm('/register', { csrf_token: formToken, username, email: `${username}@example.test`, password: GOOD_PASSWORD }, headers);
    assert.equal(register.status, 403, `POST /register ${label}`);
    const apiRegister = await client.request('POST', '/api/v1/register', {
      body: JSON.stringify({ username, email: `${username}@example.test`, password: GOOD_PASSWORD }),
      headers: { 'content-type': 'application/json', ...apiHeaders },
    });
    assert.equal(apiRegister.status, 403, `POST /api/v1/register ${label}`);
    await assertNoUser(username);
  }

  test('without a token: 403 and nothing changes', async () => {
    await assertAllRefused(null, null, {});
  });

  test("with another session's token: 403 and nothing changes", async () => {
    await assertAllRefused(attackerFormToken, attackerApiToken, {});
  });

  test('with a forged or empty token: 403 and nothing changes', async () => {
    await assertAllRefused('', '', {});
    await assertAllRefused('A'.repeat(43), 'A'.repeat(43), {});
  });

  test('with a foreign or null Origin, even with a valid token: 403', async () => {
    for (const origin of ['https://evil.example', 'null', `${server.url}.evil.example`, server.url.replace('http:', 'https:')]) {
      const logout = await victim.postForm('/logout', {}, { origin });
      assert.equal(logout.status, 403, origin);
      await assertVictimStillSignedIn();
      const apiLogout = await victim.request('POST', '/api/v1/logout', { headers: { origin, 'x-csrf-token': await apiTokenOf(victim) } });
      assert.equal(apiLogout.status, 403, origin);
      await assertVictimStillSignedIn();
      const client = await visitor();
      const username = freshName();
      const register = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD }, { origin });
      assert.equal(register.status, 403, origin);
      await assertNoUser(username);
    }
  });

  test('with Sec-Fetch-Site cross-site or same-site, even with a valid token: 403', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const logout = await victim.postForm('/logout', {}, { 'sec-fetch-site': site });
      assert.equal(logout.status, 403, site);
      await assertVictimStillSignedIn();
      const client = await visitor();
      const login = await client.postForm('/login', { username: 'victim', password: GOOD_PASSWORD }, { 'sec-fetch-site': site });
      assert.equal(login.status, 403, site);
      assert.equal(sessionCookieSet(login), undefined);
    }
  });

  test('a text/plain body is refused with 415, even carrying a valid token', async () => {
    const logout = await victim.request('POST', '/logout', {
      body: `csrf_token=${victim.lastCsrf}`,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(logout.status, 415);
    await assertVictimStillSignedIn();
    const client = await visitor();
    const username = freshName();
    const register = await client.request('POST', '/register', {
      body: `csrf_token=${client.lastCsrf}&username=${username}&email=${username}@example.test&password=${GOOD_PASSWORD}`,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(register.status, 415);
    await assertNoUser(username);
  });

  test('a valid token from the same origin works: register, sign in, sign out, API register', async () => {
    const origin = server.config.origin;
    const client = await visitor();
    const username = freshName();
    await client.get('/register');
    const register = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD }, { origin, 'sec-fetch-site': 'same-origin' });
    assert.equal(register.status, 303);
    assert.ok(await server.deps.users.findUserByUsername(username));

    await client.get('/login');
    const login = await client.postForm('/login', { username, password: GOOD_PASSWORD }, { origin });
    assert.equal(login.status, 303);
    const token = sessionCookieSet(login)!;
    assert.ok(await sessionRowFor(server, token));

    await client.get('/dashboard');
    const logout = await client.postForm('/logout', {}, { origin });
    assert.equal(logout.status, 303);
    assert.equal(await sessionRowFor(server, token), undefined);

    const apiName = freshName();
    const apiRegister = await new TestClient(server.url).postJson('/api/v1/register', { username: apiName, email: `${apiName}@example.test`, password: GOOD_PASSWORD }, { origin });
    assert.equal(apiRegister.status, 201);
    assert.ok(await server.deps.users.findUserByUsername(apiName));
  });
});

async function apiTokenOf(client: TestClient): Promise<string> {
  return (await client.get('/api/v1/csrf')).json().csrfToken;
}
