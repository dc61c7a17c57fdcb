// Property: only a live session's exact token signs a request in. Random, malformed,
// oversized, SQL-ish, tampered tokens — and the stored hash itself — are signed out (303 on
// pages, 401 on the API), never a 500. A session past its absolute expiry or idle timeout
// is signed out and its row deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientWithSessionCookie, sessionRowFor, sha256Hex, SESSION_COOKIE, STACK_TRACE, wellFormedToken } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { setSessionTimes } from '../helpers/session-records.ts';

describe('forged session cookies', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await new TestClient(server.url).registerAndSignIn('alice');
  });
  after(() => server.stop());


  async function signIn(): Promise<string> {
    const client = new TestClient(server.url);
    const response = await client.signIn('alice', GOOD_PASSWORD);
    assert.equal(response.status, 303);
    return client.cookies.get(SESSION_COOKIE)!;
  }

  async function assertSignedOut(cookie: string, label = cookie.slice(0, 60)) {
    const dashboard = await clientWithSessionCookie(server, cookie).get('/dashboard');
    assert.equal(dashboard.status, 303, `/dashboard with ${label}`);
    assert.match(dashboard.location ?? '', /^\/login\?next=/);
    const me = await clientWithSessionCookie(server, cookie).get('/api/v1/me');
    assert.equal(me.status, 401, `/api/v1/me with ${label}`);
    assert.doesNotMatch(me.body, STACK_TRACE);
    assert.equal((await clientWithSessionCookie(server, cookie).get('/')).status, 200, `/ with ${label}`);
  }

  test('random, garbage, oversized and SQL-ish cookie values are signed out, never a 500', async () => {
    const live = await signIn();
    const values = [
      wellFormedToken(),
      'garbage',
      '0',
      'A'.repeat(8 * 1024),
      `${live}${live}`,
      `${wellFormedToken()}=`,
      "' OR '1'='1",
      "x' OR 1=1 --",
      '%00%00%00',
      '"quoted"',
      'eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYWRtaW4ifQ.',
      's:signed.cookie.value',
    ];
    for (const value of values) await assertSignedOut(value);
  });

  test('a live token with one character changed is signed out', async () => {
    const live = await signIn();
    const last = live.at(-1) === 'A' ? 'B' : 'A';
    await assertSignedOut(`${live.slice(0, -1)}${last}`, 'tampered token');
  });

  test('the stored SHA-256 of a live token does not work as a cookie', async () => {
    const live = await signIn();
    await assertSignedOut(sha256Hex(live), 'stored hash');
    assert.ok(await sessionRowFor(server, live), 'the real session is untouched');
  });

  test('a session past its absolute expiry is signed out and its row deleted', async () => {
    const token = await signIn();
    await setSessionTimes(server, token, { expiresAt: Date.now() - 1000 });
    await assertSignedOut(token, 'expired session');
    assert.equal(await sessionRowFor(server, token), undefined);
  });

  test('a session idle past the timeout is signed out and its row deleted', async () => {
    const token = await signIn();
    const idleMs = (server.config.sessions.idleTimeoutSeconds + 60) * 1000;
    await setSessionTimes(server, token, { lastSeenAt: Date.now() - idleMs });
    await assertSignedOut(token, 'idle session');
    assert.equal(await sessionRowFor(server, token), undefined);
  });

  test('a session of a disabled account is signed out on its next request', async () => {
    const client = new TestClient(server.url);
    await client.registerAndSignIn('soon-disabled');
    const token = client.cookies.get(SESSION_COOKIE)!;
    assert.equal((await client.get('/dashboard')).status, 200);
    await server.deps.database.db.updateTable('users').set({ disabled: 1 }).where('username_normalized', '=', 'soon-disabled').execute();
    await assertSignedOut(token, 'disabled account');
  });
});
