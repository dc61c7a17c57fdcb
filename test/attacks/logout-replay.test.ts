// Property: signing out ends the session on the server, not just in the browser. After
// POST /logout (or POST /api/v1/logout) the session row is gone, the cookie is cleared
// (Max-Age=0), and a copy of the old cookie replayed later is signed out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientWithSessionCookie, sessionCookieLine, sessionRowFor, SESSION_COOKIE } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('replaying a cookie after sign-out', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await new TestClient(server.url).registerAndSignIn('alice');
  });
  after(() => server.stop());


  async function assertSignedOut(token: string) {
    const dashboard = await clientWithSessionCookie(server, token).get('/dashboard');
    assert.equal(dashboard.status, 303);
    assert.equal(dashboard.location, '/login?next=%2Fdashboard');
    const me = await clientWithSessionCookie(server, token).get('/api/v1/me');
    assert.equal(me.status, 401);
    assert.equal(me.json().error, 'unauthenticated');
  }

  function assertCookieCleared(line: string | undefined) {
    assert.ok(line, 'the response clears the session cookie');
    assert.match(line, new RegExp(`^${SESSION_COOKIE}=;`));
    assert.match(line, /;\s*Max-Age=0/i);
    assert.match(line, /;\s*Path=\//i);
  }

  test('after POST /logout the old cookie is dead, the row is gone and the cookie cleared', async () => {
    const client = new TestClient(server.url);
    await client.signIn('alice', GOOD_PASSWORD);
    const token = client.cookies.get(SESSION_COOKIE)!;
    await client.get('/dashboard');
    assert.ok(await sessionRowFor(server, token));

    const logout = await client.postForm('/logout', {});
    assert.equal(logout.status, 303);
    assert.equal(logout.location, '/');
    assertCookieCleared(sessionCookieLine(logout));
    assert.equal(await sessionRowFor(server, token), undefined);
    await assertSignedOut(token);
  });

  test('after POST /api/v1/logout the old cookie is dead, the row is gone and the cookie cleared', async () => {
    const client = new TestClient(server.url);
    const login = await client.postJson('/api/v1/login', { username: 'alice', password: GOOD_PASSWORD });
    assert.equal(login.status, 200);
    const token = client.cookies.get(SESSION_COOKIE)!;
    assert.ok(await sessionRowFor(server, token));

    const logout = await client.request('POST', '/api/v1/logout', { headers: { 'x-csrf-token': login.json().csrfToken } });
    assert.equal(logout.status, 204);
    assertCookieCleared(sessionCookieLine(logout));
    assert.equal(await sessionRowFor(server, token), undefined);
    await assertSignedOut(token);
  });

  test('signing out one session leaves the same user’s other sessions alive', async () => {
    const laptop = new TestClient(server.url);
    const phone = new TestClient(server.url);
    await laptop.signIn('alice', GOOD_PASSWORD);
    await phone.signIn('alice', GOOD_PASSWORD);
    await laptop.get('/dashboard');
    assert.equal((await laptop.postForm('/logout', {})).status, 303);
    assert.equal((await phone.get('/dashboard')).status, 200);
  });
});
