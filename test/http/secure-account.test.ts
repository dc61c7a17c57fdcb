// Property: "this wasn't me" takes an account back from whoever else is in it. The link in
// a security notice (here the "your password was changed" notice) opens a confirm page
// (GET changes nothing: mail scanners open links; the token leaves the URL at once, with
// Referrer-Policy: no-referrer); its POST, in one transaction, consumes the single-use
// token, retires the password (it no longer signs in), voids every outstanding token and
// queues a fresh reset link to the address on file; then every session ends
// (v5.0.0-6.3.7 notices with a way to act, v5.0.0-7.4.3 sessions end after a credential
// change, v5.0.0-2.3.3 all-or-nothing). The same action is on /settings/secure-account for
// a signed-in user who gives the password, and in the API. Throttled per client
// (v5.0.0-2.4.1); every form needs its CSRF token (v5.0.0-3.5.1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { latestLink, NEW_PASSWORD, openResetLink, requestReset } from './recovery-helpers.ts';

async function register(server: TestServer, username: string) {
  const client = new TestClient(server.url);
  await client.get('/register');
  assert.equal((await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD })).status, 303);
}

async function signInStatus(server: TestServer, username: string, password: string): Promise<number> {
  return (await new TestClient(server.url).signIn(username, password)).status;
}

/** Resets the password through the mail and returns the secure-account token of the notice. */
async function resetAndTakeNotice(server: TestServer, smtp: TestSmtp, username: string, password = NEW_PASSWORD): Promise<string> {
  const address = `${username}@example.test`;
  await requestReset(server, address);
  const token = await latestLink(server, smtp, address, '/reset-password');
  const { client } = await openResetLink(server, token);
  assert.equal((await client.postForm('/reset-password', { token, password })).status, 303);
  return latestLink(server, smtp, address, '/secure-account');
}

describe('"this wasn\'t me"', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' })));
  after(() => mailed.stop());

  test('the link: GET confirms and changes nothing; POST retires the password, ends sessions, mails a reset link', async () => {
    await register(server, 'xena');
    const secureToken = await resetAndTakeNotice(server, smtp, 'xena');
    // The "attacker" who changed the password is signed in.
    const intruder = new TestClient(server.url);
    assert.equal((await intruder.signIn('xena', NEW_PASSWORD)).status, 303);

    const owner = new TestClient(server.url);
    const landing = await owner.get(`/secure-account?token=${secureToken}`);
    assert.equal(landing.status, 303);
    assert.equal(landing.location, '/secure-account');
    assert.equal(landing.headers.get('referrer-policy'), 'no-referrer');
    const confirm = await owner.get('/secure-account');
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /Secure my account/);
    assert.equal((await intruder.get('/dashboard')).status, 200, 'opening the link changed nothing');

    const secured = await owner.postForm('/secure-account', { token: secureToken });
    assert.equal(secured.status, 303, secured.body.slice(0, 300));
    assert.equal(secured.location, '/login');
    assert.equal((await intruder.get('/dashboard')).status, 303, 'the intruder is signed out');
    assert.equal(await signInStatus(server, 'xena', NEW_PASSWORD), 401, 'the password no longer signs in');

    const again = await new TestClient(server.url).postForm('/secure-account', { token: secureToken, csrf_token: null });
    assert.equal(again.status, 403, 'no CSRF token: refused');
    const client = new TestClient(server.url);
    await client.get(`/secure-account?token=${secureToken}`);
    await client.get('/secure-account');
    assert.equal((await client.postForm('/secure-account', { token: secureToken })).status, 400, 'the link works once');

    // The fresh reset link from the address on file gets the owner back in.
    const reset = await latestLink(server, smtp, 'xena@example.test', '/reset-password');
    const { client: back } = await openResetLink(server, reset);
    assert.equal((await back.postForm('/reset-password', { token: reset, password: 'owner takes it back with this phrase' })).status, 303);
    assert.equal(await signInStatus(server, 'xena', 'owner takes it back with this phrase'), 303);
  });

  test('every outstanding token dies: a reset link asked before the action no longer works', async () => {
    await register(server, 'yara');
    const secureToken = await resetAndTakeNotice(server, smtp, 'yara');
    await requestReset(server, 'yara@example.test');
    const before = await latestLink(server, smtp, 'yara@example.test', '/reset-password');
    const api = new TestClient(server.url);
    assert.equal((await api.postJson('/api/v1/secure-account', { token: secureToken })).status, 204);
    const { client } = await openResetLink(server, before);
    assert.equal((await client.postForm('/reset-password', { token: before, password: 'an attacker keeps this one' })).status, 400);
    const fresh = await latestLink(server, smtp, 'yara@example.test', '/reset-password');
    assert.notEqual(fresh, before);
    const replay = await api.postJson('/api/v1/secure-account', { token: secureToken });
    assert.equal(replay.status, 400);
    assert.equal(replay.json().field, 'token');
  });

  test('a reset token is no secure-account token, and the other way round', async () => {
    await register(server, 'zoe');
    await requestReset(server, 'zoe@example.test');
    const reset = await latestLink(server, smtp, 'zoe@example.test', '/reset-password');
    const api = new TestClient(server.url);
    assert.equal((await api.postJson('/api/v1/secure-account', { token: reset })).status, 400);
    assert.equal(await signInStatus(server, 'zoe', GOOD_PASSWORD), 303, 'nothing happened to the account');
  });

  test('settings: "secure my account" needs the current password and does the same', async () => {
    await register(server, 'abel');
    const self = new TestClient(server.url);
    assert.equal((await self.signIn('abel', GOOD_PASSWORD)).status, 303);
    const other = new TestClient(server.url);
    assert.equal((await other.signIn('abel', GOOD_PASSWORD)).status, 303);
    const page = await self.get('/settings/secure-account');
    assert.equal(page.status, 200);
    assert.equal((await self.postForm('/settings/secure-account', { current_password: GOOD_PASSWORD, csrf_token: null })).status, 403, 'CSRF');
    const wrong = await self.postForm('/settings/secure-account', { current_password: 'not the password at all' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /id="current_password-error"/);
    assert.equal((await other.get('/dashboard')).status, 200, 'a wrong password changes nothing');
    const done = await self.postForm('/settings/secure-account', { current_password: GOOD_PASSWORD });
    assert.equal(done.status, 303);
    assert.equal((await self.get('/dashboard')).status, 303, 'this session ended too');
    assert.equal((await other.get('/dashboard')).status, 303, 'and the other');
    assert.equal(await signInStatus(server, 'abel', GOOD_PASSWORD), 401);
    await latestLink(server, smtp, 'abel@example.test', '/reset-password');
  });

  test('settings in the API: the password, then 204', async () => {
    await register(server, 'bruno');
    const api = new TestClient(server.url);
    const login = await api.postJson('/api/v1/login', { username: 'bruno', password: GOOD_PASSWORD });
    api.apiCsrf = login.json().csrfToken;
    const wrong = await api.postJson('/api/v1/settings/secure-account', { current_password: 'nope nope nope nope' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().field, 'current_password');
    assert.equal((await api.postJson('/api/v1/settings/secure-account', { current_password: GOOD_PASSWORD })).status, 204);
    assert.equal((await api.get('/api/v1/me')).status, 401);
  });

  test('forged and malformed links get 400 and the no-referrer header', async () => {
    const client = new TestClient(server.url);
    const malformed = await client.get('/secure-account?token=short');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await client.get('/secure-account')).status, 400, 'no token at all');
    await client.get(`/secure-account?token=${'A'.repeat(43)}`);
    await client.get('/secure-account');
    assert.equal((await client.postForm('/secure-account', { token: 'A'.repeat(43) })).status, 400);
  });
});

describe('"this wasn\'t me" throttle', () => {
  test('ten uses per client per hour, then 429 with the wait', async () => {
    const server = await startTestServer();
    try {
      const api = new TestClient(server.url);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) statuses.push((await api.postJson('/api/v1/secure-account', { token: 'B'.repeat(43) })).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
      assert.equal(statuses[10], 429);
      const page = new TestClient(server.url);
      await page.get(`/secure-account?token=${'B'.repeat(43)}`);
      await page.get('/secure-account');
      const refused = await page.postForm('/secure-account', { token: 'B'.repeat(43) });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
    } finally {
      await server.stop();
    }
  });
});
