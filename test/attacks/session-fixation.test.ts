// Property: a session id planted before sign-in is never the signed-in session. Every
// sign-in (page or API) issues a fresh token and kills the one presented; the previous
// token of a re-sign-in dies too. The sessions table holds only SHA-256 hex of tokens, so
// a leaked table cannot be replayed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientWithSessionCookie, sessionCookieSet, sessionRowFor, sha256Hex, wellFormedToken } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { storedSessions } from '../helpers/session-records.ts';

describe('session fixation', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await new TestClient(server.url).registerAndSignIn('victim');
  });
  after(() => server.stop());

  /** A client whose browser carries the attacker's chosen session cookie. */

  test('a cookie planted before sign-in on the page is replaced and gives no access', async () => {
    const planted = wellFormedToken();
    const victim = clientWithSessionCookie(server, planted);
    const response = await victim.signIn('victim', GOOD_PASSWORD);
    assert.equal(response.status, 303);
    const issued = sessionCookieSet(response);
    assert.ok(issued, 'a new session cookie is set');
    assert.notEqual(issued, planted);
    assert.equal((await victim.get('/dashboard')).status, 200);

    const attacker = clientWithSessionCookie(server, planted);
    const dashboard = await attacker.get('/dashboard');
    assert.equal(dashboard.status, 303);
    assert.match(dashboard.location ?? '', /^\/login/);
    assert.equal(await sessionRowFor(server, planted), undefined);
  });

  test('a cookie planted before sign-in through the API is replaced and gives no access', async () => {
    const planted = wellFormedToken();
    const victim = clientWithSessionCookie(server, planted);
    const response = await victim.postJson('/api/v1/login', { username: 'victim', password: GOOD_PASSWORD });
    assert.equal(response.status, 200);
    const issued = sessionCookieSet(response);
    assert.ok(issued);
    assert.notEqual(issued, planted);
    assert.equal((await clientWithSessionCookie(server, planted).get('/api/v1/me')).status, 401);
    assert.equal((await victim.get('/api/v1/me')).status, 200);
  });

  test('the sessions table stores only the SHA-256 hex of each token', async () => {
    const client = new TestClient(server.url);
    const response = await client.signIn('victim', GOOD_PASSWORD);
    const token = sessionCookieSet(response)!;
    const rows = await storedSessions(server);
    assert.ok(rows.length > 0);
    for (const row of rows) assert.match(row.idHash, /^[0-9a-f]{64}$/);
    assert.ok(!rows.some((row) => row.raw.includes(token)), 'the raw token is stored somewhere');
    assert.equal(rows.filter((row) => row.idHash === sha256Hex(token)).length, 1);
  });

  test('signing in again issues a new token and the previous one dies', async () => {
    const client = new TestClient(server.url);
    const first = sessionCookieSet(await client.signIn('victim', GOOD_PASSWORD))!;
    // Signed in, GET /login answers 303 to /dashboard (no form): the token comes from the dashboard.
    await client.get('/dashboard');
    const second = sessionCookieSet(await client.postForm('/login', { username: 'victim', password: GOOD_PASSWORD }))!;
    assert.ok(first && second);
    assert.notEqual(second, first);
    assert.equal(await sessionRowFor(server, first), undefined);
    assert.ok(await sessionRowFor(server, second));
    const replay = clientWithSessionCookie(server, first);
    assert.equal((await replay.get('/dashboard')).status, 303);
    assert.equal((await replay.get('/api/v1/me')).status, 401);
  });
});
