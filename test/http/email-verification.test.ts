// Property: an address counts as confirmed only once someone who reads its mailbox follows
// the link, and only by a deliberate POST. Registration queues a link `/verify-email?token=…`
// (256 bits, only the SHA-256 stored, single-use, 24 h) in the same transaction as the
// account; the GET shows a confirm button and changes nothing (mail scanners open links),
// the POST verifies and answers 303 to /dashboard or /login; /api/v1/me reports
// `emailVerified`. A new link can be asked for (the dashboard's button; signed out, by
// address with one answer for every address), throttled, and it voids the older ones. With
// REQUIRE_EMAIL_VERIFICATION=1 a correct sign-in of an unconfirmed account gets a 403 page
// offering a new link and no session. Mail goes through a real SMTP server.
// ASVS: v5.0.0-6.4.1 / 6.3.x (links are single-use, random, expiring), v5.0.0-14.2.1 (the token
// acts only on POST), v5.0.0-3.4.5 (Referrer-Policy: no-referrer on token pages),
// v5.0.0-3.5.1 (CSRF), v5.0.0-2.4.1 (resends throttled).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';

const TOKEN = /https?:\/\/[^\s"<]+\/verify-email\?token=([A-Za-z0-9_-]{43})/;

/** Delivers what is queued and returns the token of the newest verify link mailed to `address`. */
async function latestVerifyToken(server: TestServer, smtp: TestSmtp, address: string): Promise<string> {
  await server.mail.runOnce();
  const mails = smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === address && TOKEN.test(mail.text ?? ''));
  assert.ok(mails.length > 0, `a verify link mailed to ${address}`);
  return TOKEN.exec(mails.at(-1)!.text ?? '')![1]!;
}

async function register(server: TestServer, username: string, headers: Record<string, string> = {}) {
  const client = new TestClient(server.url);
  await client.get('/register', headers);
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD }, headers);
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

async function signedIn(server: TestServer, username: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const response = await client.signIn(username, GOOD_PASSWORD);
  assert.equal(response.status, 303, `sign in ${username}: ${response.status}`);
  await client.get('/dashboard');
  return client;
}

async function emailVerified(client: TestClient): Promise<boolean> {
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200);
  return me.json().user.emailVerified;
}

/** A fresh client follows the link as a browser does: the page, then its confirm button. */
async function followLink(server: TestServer, token: string, client = new TestClient(server.url)) {
  const page = await client.openLink(`/verify-email?token=${token}`);
  return { page, confirmed: await client.postForm('/verify-email', { token }) };
}

describe('email verification', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' })));
  after(() => mailed.stop());

  test('registration mails a link (plain text and HTML) in the same language; the account starts unconfirmed', async () => {
    await register(server, 'vera');
    await server.mail.runOnce();
    const mail = smtp.received.find((m) => !Array.isArray(m.to) && m.to?.text === 'vera@example.test' && /Confirm your email address/.test(m.subject ?? ''));
    assert.ok(mail, 'a verification mail to vera');
    const token = TOKEN.exec(mail.text ?? '')![1]!;
    assert.ok((mail.html || '').includes(`/verify-email?token=${token}`), 'the HTML body carries the same link');
    assert.match(mail.text ?? '', /24 hours/);
    assert.equal(await emailVerified(await signedIn(server, 'vera')), false);

    await register(server, 'vero', { 'accept-language': 'es' });
    await server.mail.runOnce();
    const spanish = smtp.received.find((m) => !Array.isArray(m.to) && m.to?.text === 'vero@example.test');
    assert.equal(spanish?.subject, 'Confirma tu dirección de correo');
  });

  test('GET shows a confirm button and changes nothing; POST confirms and goes to /dashboard; the link then fails with 400', async () => {
    await register(server, 'gina');
    const token = await latestVerifyToken(server, smtp, 'gina@example.test');
    const client = await signedIn(server, 'gina');
    for (let i = 0; i < 2; i++) {
      // The link answers 303 to the page without the token (parked in a cookie), under
      // no-referrer; the form page keeps same-origin, or browsers would post `Origin: null`.
      const landing = await client.get(`/verify-email?token=${token}`);
      assert.equal(landing.status, 303);
      assert.equal(landing.location, '/verify-email');
      assert.equal(landing.headers.get('referrer-policy'), 'no-referrer');
      const page = await client.get('/verify-email');
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('referrer-policy'), 'same-origin');
      assert.match(page.body, /data-confirm-email/);
      assert.match(page.body, new RegExp(`name="token" value="${token}"`));
    }
    assert.equal(await emailVerified(client), false, 'opening the link verified nothing');
    const confirmed = await client.postForm('/verify-email', { token });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, '/dashboard');
    assert.equal(confirmed.headers.get('referrer-policy'), 'no-referrer');
    assert.match((await client.get('/dashboard')).body, /Your email address is confirmed\./);
    assert.equal(await emailVerified(client), true);
    const again = await followLink(server, token);
    assert.equal(again.confirmed.status, 400);
    assert.match(again.confirmed.body, /already used, has expired, or is not valid/);
  });

  test('signed out, the confirmation answers 303 to /login with the notice', async () => {
    await register(server, 'olga');
    const token = await latestVerifyToken(server, smtp, 'olga@example.test');
    const { confirmed } = await followLink(server, token);
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, '/login');
    assert.equal((await server.deps.users.findUserByUsername('olga'))?.emailVerifiedAt instanceof Date, true);
  });

  test('the POST without a valid CSRF token is refused with 403 and verifies nothing', async () => {
    await register(server, 'cora');
    const token = await latestVerifyToken(server, smtp, 'cora@example.test');
    const client = new TestClient(server.url);
    await client.openLink(`/verify-email?token=${token}`);
    assert.equal((await client.postForm('/verify-email', { token, csrf_token: null })).status, 403);
    assert.equal((await client.postForm('/verify-email', { token }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await server.deps.users.findUserByUsername('cora'))?.emailVerifiedAt, null);
    assert.equal((await client.postForm('/verify-email', { token })).status, 303, 'the link still works for a real submission');
  });

  test('the resend button (POST /verify-email/resend, signed in) mails a new link that voids the older one; it is throttled per account', async () => {
    await register(server, 'rita');
    const first = await latestVerifyToken(server, smtp, 'rita@example.test');
    const client = await signedIn(server, 'rita');
    // The button itself (views/address-views.ts `verificationReminder`) awaits its place on the dashboard (account-views.ts).
    const resent = await client.postForm('/verify-email/resend', {});
    assert.equal(resent.status, 303);
    assert.equal(resent.location, '/dashboard');
    const second = await latestVerifyToken(server, smtp, 'rita@example.test');
    assert.notEqual(second, first);
    assert.equal((await followLink(server, first)).confirmed.status, 400, 'the older link died with the newer one');
    for (let i = 0; i < 4; i++) {
      await client.get('/dashboard');
      assert.equal((await client.postForm('/verify-email/resend', {})).status, 303, `resend ${i + 2}`);
    }
    await client.get('/dashboard');
    const refused = await client.postForm('/verify-email/resend', {});
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal((await followLink(server, await latestVerifyToken(server, smtp, 'rita@example.test'))).confirmed.status, 303);
  });

  test('the resend CSRF check: without a token, 403 and nothing mailed', async () => {
    await register(server, 'sina');
    const client = await signedIn(server, 'sina');
    await server.mail.runOnce();
    const before = smtp.received.length;
    assert.equal((await client.postForm('/verify-email/resend', { csrf_token: null })).status, 403);
    await server.mail.runOnce();
    assert.equal(smtp.received.length, before);
  });

  test('signed out, a new link by address: the same page for a known, an unknown and a confirmed address', async () => {
    await register(server, 'ursa');
    const answers = [];
    for (const email of ['ursa@example.test', 'nobody-here@example.test']) {
      const client = new TestClient(server.url);
      await client.get('/verify-email/resend');
      const res = await client.postForm('/verify-email/resend', { email });
      assert.equal(res.status, 200);
      answers.push(res.body.replace(/name="csrf_token" value="[^"]*"/, ''));
    }
    assert.equal(answers[0], answers[1]);
    assert.ok((await latestVerifyToken(server, smtp, 'ursa@example.test')).length === 43);
  });

  test('the API: POST /api/v1/verify-email confirms once, then 400; /api/v1/me reports emailVerified', async () => {
    await register(server, 'apia');
    const token = await latestVerifyToken(server, smtp, 'apia@example.test');
    const client = await signedIn(server, 'apia');
    assert.equal(await emailVerified(client), false);
    const ok = await client.postJson('/api/v1/verify-email', { token });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(ok.json(), { result: 'verified' });
    assert.equal(await emailVerified(client), true);
    const again = await client.postJson('/api/v1/verify-email', { token });
    assert.equal(again.status, 400);
    assert.equal(again.json().error, 'invalid_input');
    assert.equal((await client.postJson('/api/v1/verify-email/resend', {})).status, 202);
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=1', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REQUIRE_EMAIL_VERIFICATION: '1' })));
  after(() => mailed.stop());

  test('an unconfirmed account’s correct sign-in gets a 403 page offering a new link, and no session', async () => {
    await register(server, 'gated');
    const client = new TestClient(server.url);
    const refused = await client.signIn('gated', GOOD_PASSWORD);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /data-email-unverified/);
    assert.match(refused.body, /action="\/verify-email\/resend"/);
    assert.equal((await client.get('/dashboard')).status, 303, 'no session was made');
    // A wrong password still gets the one generic refusal: the gate speaks only after the password.
    assert.equal((await new TestClient(server.url).signIn('gated', 'wrong horse battery staple')).status, 401);
    const api = new TestClient(server.url);
    const apiRefused = await api.postJson('/api/v1/login', { username: 'gated', password: GOOD_PASSWORD });
    assert.equal(apiRefused.status, 403);
    assert.equal(apiRefused.json().error, 'email_unverified');
    // The page's form mails a new link; following it opens the door.
    const resend = await client.postForm('/verify-email/resend', { email: 'gated@example.test' });
    assert.equal(resend.status, 200);
    const token = await latestVerifyToken(server, smtp, 'gated@example.test');
    assert.equal((await followLink(server, token)).confirmed.status, 303);
    assert.equal((await new TestClient(server.url).signIn('gated', GOOD_PASSWORD)).status, 303);
  });
});
