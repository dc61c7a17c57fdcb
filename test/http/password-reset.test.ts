// Property: a forgotten password can be replaced through a mailed link, and only that way
// ends well for the one who holds the mailbox. POST /forgot-password queues a mail (never
// sent inline) with a 30-minute single-use link; following it (the token leaves the URL at
// once: a 303 to the same page, with Referrer-Policy: no-referrer) and choosing a password
// that passes the full policy replaces the password (v5.0.0-6.2.4), ends every session of
// the user (v5.0.0-7.4.3) and mails a "your password was changed" notice with a "this
// wasn't me" link (v5.0.0-6.3.7). Reset links are voided by a successful sign-in and by a
// password change. The API does the same. Mail goes through a real SMTP server.
// Also: v5.0.0-3.4.5 (no-referrer on token pages), v5.0.0-14.2.1 (token exchanged for a POST),
// v5.0.0-16.2.5 (no token in any log line), v5.0.0-2.4.1 (throttled), v5.0.0-3.5.1 (CSRF).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { lastMailTo, latestLink, linkToken, NEW_PASSWORD, openResetLink, requestReset } from './recovery-helpers.ts';

async function register(server: TestServer, username: string) {
  const client = new TestClient(server.url);
  await client.get('/register');
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD });
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

async function signInStatus(server: TestServer, username: string, password: string): Promise<number> {
  return (await new TestClient(server.url).signIn(username, password)).status;
}

describe('password reset through the mailed link', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' })));
  after(() => mailed.stop());

  test('happy path: mail → link → new password → sign in; the old password and every session fail', async () => {
    await register(server, 'rita');
    const tab = new TestClient(server.url);
    assert.equal((await tab.signIn('rita', GOOD_PASSWORD)).status, 303);
    const api = new TestClient(server.url);
    assert.equal((await api.postJson('/api/v1/login', { username: 'rita', password: GOOD_PASSWORD })).status, 200);

    const page = await requestReset(server, 'Rita@Example.test');
    assert.equal(page.status, 200);
    assert.match(page.body, /Check your email/);

    const mail = await lastMailTo(server, smtp, 'rita@example.test');
    assert.equal(mail.subject, 'Choose a new Gatehouse password');
    const token = linkToken(mail.text ?? '', '/reset-password');
    assert.ok(String(mail.html).includes(`/reset-password?token=${token}`), 'the HTML body carries the link too');

    const { client, landing, form } = await openResetLink(server, token);
    assert.equal(landing.status, 303, 'the link lands on the page without its token');
    assert.equal(landing.location, '/reset-password');
    assert.equal(landing.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(form.status, 200);
    assert.match(form.body, /name="token" value="[A-Za-z0-9_-]{43}"/);
    assert.match(form.body, /type="password" autocomplete="new-password"/);

    const reset = await client.postForm('/reset-password', { token, password: NEW_PASSWORD });
    assert.equal(reset.status, 303, reset.body.slice(0, 300));
    assert.equal(reset.location, '/login');
    assert.match((await client.get('/login')).body, /Sign in with the new password/);

    assert.equal(await signInStatus(server, 'rita', NEW_PASSWORD), 303, 'the new password signs in');
    assert.equal(await signInStatus(server, 'rita', GOOD_PASSWORD), 401, 'the old one does not');
    assert.equal((await tab.get('/dashboard')).status, 303, 'the page session ended');
    assert.equal((await api.get('/api/v1/me')).status, 401, 'the API session ended');

    const notice = await lastMailTo(server, smtp, 'rita@example.test');
    assert.equal(notice.subject, 'Your Gatehouse password was changed');
    linkToken(notice.text ?? '', '/secure-account');
  });

  test('a policy failure shows beside the field, changes nothing, and the link still works', async () => {
    await register(server, 'sam');
    await requestReset(server, 'sam@example.test');
    const token = await latestLink(server, smtp, 'sam@example.test', '/reset-password');
    const { client } = await openResetLink(server, token);
    const weak = await client.postForm('/reset-password', { token, password: 'password1234' });
    assert.equal(weak.status, 400);
    assert.match(weak.body, /class="field-error" id="password-error"/);
    const named = await client.postForm('/reset-password', { token, password: 'sam sam sam example test sam' });
    assert.equal(named.status, 400, 'a password with the username is refused (the account-aware rules)');
    assert.equal((await client.postForm('/reset-password', { token, password: NEW_PASSWORD })).status, 303, 'the refusals did not use the token up');
    assert.equal(await signInStatus(server, 'sam', NEW_PASSWORD), 303);
  });

  test("the mail follows the account's language, else the request's", async () => {
    // An account registered from a Spanish page is Spanish, whoever asks and in whatever language.
    const spanish = new TestClient(server.url);
    await spanish.get('/register?lang=es');
    assert.equal((await spanish.postForm('/register', { username: 'sofia', email: 'sofia@example.test', password: GOOD_PASSWORD })).status, 303);
    const asker = new TestClient(server.url);
    await asker.get('/forgot-password?lang=en');
    assert.equal((await asker.postForm('/forgot-password', { email: 'sofia@example.test' })).status, 200);
    assert.equal((await lastMailTo(server, smtp, 'sofia@example.test')).subject, 'Elige una contraseña nueva de Gatehouse');
    // An account with no language yet (created before accounts kept one): the request's.
    await register(server, 'ines');
    await server.deps.database.db.updateTable('users').set({ locale: null }).where('username', '=', 'ines').execute();
    const client = new TestClient(server.url);
    await client.get('/forgot-password?lang=es');
    assert.equal((await client.postForm('/forgot-password', { email: 'ines@example.test' })).status, 200);
    assert.equal((await lastMailTo(server, smtp, 'ines@example.test')).subject, 'Elige una contraseña nueva de Gatehouse');
  });

  test('a successful sign-in voids an outstanding reset link', async () => {
    await register(server, 'tess');
    await requestReset(server, 'tess@example.test');
    const token = await latestLink(server, smtp, 'tess@example.test', '/reset-password');
    assert.equal(await signInStatus(server, 'tess', GOOD_PASSWORD), 303);
    const { client } = await openResetLink(server, token);
    assert.equal((await client.postForm('/reset-password', { token, password: NEW_PASSWORD })).status, 400);
    assert.equal(await signInStatus(server, 'tess', GOOD_PASSWORD), 303, 'the password is unchanged');
  });

  test('a password change at /settings/password voids reset links and mails the notice', async () => {
    await register(server, 'uma');
    await requestReset(server, 'uma@example.test');
    const token = await latestLink(server, smtp, 'uma@example.test', '/reset-password');
    // A password change needs a session; signing in alone already voids the link, so a second
    // link is asked for once signed in and the change must void that one.
    const self = new TestClient(server.url);
    assert.equal((await self.signIn('uma', GOOD_PASSWORD)).status, 303);
    await requestReset(server, 'uma@example.test');
    const second = await latestLink(server, smtp, 'uma@example.test', '/reset-password');
    assert.notEqual(second, token);
    await self.get('/settings/password');
    const changed = await self.postForm('/settings/password', { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 303);
    const notice = await lastMailTo(server, smtp, 'uma@example.test');
    assert.equal(notice.subject, 'Your Gatehouse password was changed');
    linkToken(notice.text ?? '', '/secure-account');
    const { client } = await openResetLink(server, second);
    assert.equal((await client.postForm('/reset-password', { token: second, password: 'another fine passphrase for uma only' })).status, 400);
    assert.equal(await signInStatus(server, 'uma', NEW_PASSWORD), 303);
  });

  test('the API: request, reset, and the same rules', async () => {
    await register(server, 'vera');
    const api = new TestClient(server.url);
    const asked = await api.postJson('/api/v1/forgot-password', { email: 'vera@example.test' });
    assert.equal(asked.status, 202, asked.body);
    assert.deepEqual(asked.json(), { expiresInMinutes: 30 });
    const token = await latestLink(server, smtp, 'vera@example.test', '/reset-password');
    const weak = await api.postJson('/api/v1/reset-password', { token, password: 'password1234' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json().error, 'invalid_input');
    assert.equal(weak.json().problems[0].field, 'password');
    const done = await api.postJson('/api/v1/reset-password', { token, password: NEW_PASSWORD });
    assert.equal(done.status, 204, done.body);
    const again = await api.postJson('/api/v1/reset-password', { token, password: NEW_PASSWORD });
    assert.equal(again.status, 400);
    assert.equal(again.json().field, 'token');
    assert.equal(await signInStatus(server, 'vera', NEW_PASSWORD), 303);
  });

  test('CSRF: each form refuses a post without its token, and changes nothing', async () => {
    await register(server, 'wendy');
    const forged = await new TestClient(server.url).postForm('/forgot-password', { email: 'wendy@example.test', csrf_token: null });
    assert.equal(forged.status, 403);
    const foreign = await requestReset(server, 'wendy@example.test', { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    await server.mail.runOnce();
    const resetMails = smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === 'wendy@example.test' && (mail.text ?? '').includes('/reset-password?token='));
    assert.equal(resetMails.length, 0, 'no reset mail was queued');

    await requestReset(server, 'wendy@example.test');
    const token = await latestLink(server, smtp, 'wendy@example.test', '/reset-password');
    const { client } = await openResetLink(server, token);
    assert.equal((await client.postForm('/reset-password', { token, password: NEW_PASSWORD, csrf_token: null })).status, 403);
    assert.equal((await client.postForm('/reset-password', { token, password: NEW_PASSWORD }, { origin: 'https://evil.example' })).status, 403);
    const api = new TestClient(server.url);
    await api.get('/api/v1/csrf');
    const noHeader = await api.request('POST', '/api/v1/reset-password', { body: JSON.stringify({ token, password: NEW_PASSWORD }), headers: { 'content-type': 'application/json' } });
    assert.equal(noHeader.status, 403);
    assert.equal((await client.postForm('/reset-password', { token, password: NEW_PASSWORD })).status, 303, 'the token was never used up: nothing changed');
  });

  test('throttles: per address (known or not) and per client, 429 with the wait', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await requestReset(server, i % 2 ? 'Ghost@Example.test' : 'ghost@example.test')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429], 'five per address per hour, however it is spelled');
    const refused = await requestReset(server, 'ghost@example.test');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After says the wait');
    assert.match(refused.body, /Too many attempts/);
  });

  test('no log line carries a reset or secure-account token', async () => {
    const tokens = new Set<string>();
    for (const mail of smtp.received) {
      for (const match of (mail.text ?? '').matchAll(/token=([A-Za-z0-9_-]{43})/g)) tokens.add(match[1]!);
    }
    assert.ok(tokens.size >= 5, `tokens seen: ${tokens.size}`);
    for (const line of server.logs) for (const token of tokens) assert.ok(!line.includes(token), `a token in a log line: ${line.slice(0, 200)}`);
  });
});

describe('password reset throttle per client', () => {
  test('twenty requests per client IP per hour, whatever the addresses', async () => {
    const server = await startTestServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i += 1) statuses.push((await requestReset(server, `someone${i}@example.test`)).status);
      assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
      assert.equal(statuses[20], 429);
    } finally {
      await server.stop();
    }
  });
});
