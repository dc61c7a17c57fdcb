// Property: an account's address changes only with its password and the new mailbox's
// consent, and the old mailbox hears of it at once. POST /settings/email (fields `email`,
// `current_password`) with a wrong password is a 400 that sends nothing; a right one mails a
// link to the NEW address (a change-email token: 24 h, single-use) and a notice to the OLD one
// carrying a "this wasn't me" link (/secure-account?token=…); the address moves only when the
// link is followed (POST /verify-email), and is then confirmed. An address taken meanwhile
// gets a clear 409 and nothing changes. Throttled per account; CSRF on the form. The API does
// the same. Mail goes through a real SMTP server.
// ASVS: v5.0.0-6.3.x / 2.5.5-style notices of changes to the old address (v5.0.0-6.3.7),
// v5.0.0-6.4.1 (the change needs the current password), v5.0.0-3.5.1 (CSRF), v5.0.0-2.4.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';

const LINK = (path: string) => new RegExp(`https?://[^\\s"<]+${path}\\?token=([A-Za-z0-9_-]{43})`);

async function mailsTo(server: TestServer, smtp: TestSmtp, address: string) {
  await server.mail.runOnce();
  return smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === address);
}

async function registerAndSignIn(server: TestServer, username: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const signedIn = await client.registerAndSignIn(username, GOOD_PASSWORD);
  assert.equal(signedIn.status, 303);
  await client.get('/settings/email');
  return client;
}

describe('changing the email address at /settings/email', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' })));
  after(() => mailed.stop());

  test('a wrong current password: 400 beside its field, nothing mailed, nothing changed', async () => {
    const client = await registerAndSignIn(server, 'wanda');
    await mailsTo(server, smtp, 'wanda@example.test');
    const before = smtp.received.length;
    const res = await client.postForm('/settings/email', { email: 'wanda-new@example.test', current_password: 'not my password at all' });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="current_password-error"/);
    await server.mail.runOnce();
    assert.equal(smtp.received.length, before, 'nothing mailed');
    assert.equal((await server.deps.users.findUserByUsername('wanda'))?.email, 'wanda@example.test');
  });

  test('the right password: a link to the new address, a notice with "this wasn’t me" to the old; the change waits for the link', async () => {
    const client = await registerAndSignIn(server, 'nadia');
    await mailsTo(server, smtp, 'nadia@example.test');
    const res = await client.postForm('/settings/email', { email: 'Nadia.New@example.test', current_password: GOOD_PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/settings/email');
    assert.equal((await server.deps.users.findUserByUsername('nadia'))?.email, 'nadia@example.test', 'not yet');

    const toNew = (await mailsTo(server, smtp, 'Nadia.New@example.test')).at(-1);
    assert.ok(toNew, 'a mail to the new address');
    assert.match(toNew.subject ?? '', /Confirm your new email address/);
    const token = LINK('/verify-email').exec(toNew.text ?? '')![1]!;
    const notice = (await mailsTo(server, smtp, 'nadia@example.test')).find((m) => /being changed/.test(m.subject ?? ''));
    assert.ok(notice, 'a notice to the old address');
    assert.match(notice.text ?? '', /Nadia\.New@example\.test/);
    assert.match(notice.text ?? '', LINK('/secure-account'));
    assert.doesNotMatch(notice.text ?? '', new RegExp(token), 'the old address never sees the new address’s link');

    const page = await client.openLink(`/verify-email?token=${token}`);
    assert.equal(page.status, 200);
    const confirmed = await client.postForm('/verify-email', { token });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, '/dashboard');
    assert.match((await client.get('/dashboard')).body, /Your email address was changed and confirmed\./);
    const user = await server.deps.users.findUserByUsername('nadia');
    assert.equal(user?.email, 'Nadia.New@example.test');
    assert.ok(user?.emailVerifiedAt instanceof Date);
    // The new address signs in; the old one no longer does.
    assert.equal((await new TestClient(server.url).signIn('nadia.new@example.test', GOOD_PASSWORD)).status, 303);
    assert.equal((await new TestClient(server.url).signIn('nadia@example.test', GOOD_PASSWORD)).status, 401);
    assert.equal((await new TestClient(server.url).postForm('/verify-email', { token })).status, 403, 'no CSRF token: refused before anything');
    const reuse = new TestClient(server.url);
    await reuse.openLink(`/verify-email?token=${token}`);
    assert.equal((await reuse.postForm('/verify-email', { token })).status, 400, 'used once');
  });

  test('an address registered by someone else meanwhile: 409, nothing changes', async () => {
    const client = await registerAndSignIn(server, 'tara');
    await client.postForm('/settings/email', { email: 'contested@example.test', current_password: GOOD_PASSWORD });
    const token = LINK('/verify-email').exec((await mailsTo(server, smtp, 'contested@example.test')).at(-1)?.text ?? '')![1]!;
    const rival = new TestClient(server.url);
    await rival.get('/register');
    assert.equal((await rival.postForm('/register', { username: 'rival', email: 'contested@example.test', password: GOOD_PASSWORD })).status, 303);
    await client.openLink(`/verify-email?token=${token}`);
    const res = await client.postForm('/verify-email', { token });
    assert.equal(res.status, 409);
    assert.match(res.body, /now belongs to another account/);
    assert.equal((await server.deps.users.findUserByUsername('tara'))?.email, 'tara@example.test');
  });

  test('the same or an invalid address: 400 beside the email field', async () => {
    const client = await registerAndSignIn(server, 'ines');
    for (const email of ['INES@example.test', 'not-an-address']) {
      const res = await client.postForm('/settings/email', { email, current_password: GOOD_PASSWORD });
      assert.equal(res.status, 400, email);
      assert.match(res.body, /id="email-error"/);
    }
  });

  test('CSRF: without a token, or from another origin, 403 and nothing mailed', async () => {
    const client = await registerAndSignIn(server, 'cleo');
    await mailsTo(server, smtp, 'cleo@example.test');
    const before = smtp.received.length;
    assert.equal((await client.postForm('/settings/email', { email: 'cleo2@example.test', current_password: GOOD_PASSWORD, csrf_token: null })).status, 403);
    assert.equal((await client.postForm('/settings/email', { email: 'cleo2@example.test', current_password: GOOD_PASSWORD }, { origin: 'https://evil.example' })).status, 403);
    await server.mail.runOnce();
    assert.equal(smtp.received.length, before);
  });

  test('signed out: 303 to /login; throttled per account (email-change-account)', async () => {
    assert.equal((await new TestClient(server.url).get('/settings/email')).status, 303);
    const client = await registerAndSignIn(server, 'theo');
    for (let i = 0; i < 5; i++) {
      await client.get('/settings/email');
      const res = await client.postForm('/settings/email', { email: `theo${i}@example.test`, current_password: i % 2 ? GOOD_PASSWORD : 'wrong password guess' });
      assert.ok([303, 400].includes(res.status), `attempt ${i}: ${res.status}`);
    }
    await client.get('/settings/email');
    const refused = await client.postForm('/settings/email', { email: 'theo9@example.test', current_password: GOOD_PASSWORD });
    assert.equal(refused.status, 429);
  });

  test('the API: 403 for a wrong password, 202 and the same two mails for a right one', async () => {
    const client = await registerAndSignIn(server, 'apic');
    const wrong = await client.postJson('/api/v1/settings/email', { email: 'apic2@example.test', current_password: 'nope nope nope nope' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json().error, 'forbidden');
    const ok = await client.postJson('/api/v1/settings/email', { email: 'apic2@example.test', current_password: GOOD_PASSWORD });
    assert.equal(ok.status, 202, ok.body);
    const token = LINK('/verify-email').exec((await mailsTo(server, smtp, 'apic2@example.test')).at(-1)?.text ?? '')![1]!;
    assert.ok((await mailsTo(server, smtp, 'apic@example.test')).some((m) => /being changed/.test(m.subject ?? '')));
    const done = await client.postJson('/api/v1/verify-email', { token });
    assert.deepEqual(done.json(), { result: 'email_changed' });
    assert.equal((await client.get('/api/v1/me')).json().user.email, 'apic2@example.test');
  });
});
