// Property: a verification link confirms exactly one thing, once, for a day, and nothing
// else opens that door. At POST /verify-email (and POST /api/v1/verify-email) these all get
// 400 and change nothing: a used token, one past its 24 hours (the domain's clock moved), a
// forged one (random, or a real one altered), one made older by a newer link, a verify link
// of an address the account no longer has, and tokens of other purposes (password reset,
// "this wasn't me"). Another user's link, used by someone signed in, confirms that other
// account only, never the one signed in; a change-email link moves only the address it was
// mailed for, to the account that asked.
// ASVS: v5.0.0-6.3.x / 6.4.1 (single-use, expiring, random tokens), v5.0.0-11.4.1-style
// (only SHA-256 stored), v5.0.0-8.2.2 (no object of another user reachable by a token it
// does not own).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';

const LINK = (path: string) => new RegExp(`https?://[^\\s"<]+${path}\\?token=([A-Za-z0-9_-]{43})`);
const DAY_MS = 24 * 60 * 60 * 1000;

async function latestToken(server: TestServer, smtp: TestSmtp, address: string, path = '/verify-email'): Promise<string> {
  await server.mail.runOnce();
  const mails = smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === address && LINK(path).test(mail.text ?? ''));
  assert.ok(mails.length > 0, `a ${path} link mailed to ${address}`);
  return LINK(path).exec(mails.at(-1)!.text ?? '')![1]!;
}

describe('verification token misuse', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' }, { clock })));
  after(() => mailed.stop());

  async function register(username: string): Promise<string> {
    const client = new TestClient(server.url);
    await client.get('/register');
    assert.equal((await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD })).status, 303);
    return latestToken(server, smtp, `${username}@example.test`);
  }

  async function signedIn(username: string): Promise<TestClient> {
    const client = new TestClient(server.url);
    assert.equal((await client.signIn(username, GOOD_PASSWORD)).status, 303);
    await client.get('/dashboard');
    return client;
  }

  /** Status of POST /verify-email with `token`, from a fresh browser that opened the link. */
  async function submit(token: string, client = new TestClient(server.url)): Promise<number> {
    // A form token first (a malformed link answers 400 with no form), then the link.
    await client.get('/verify-email/resend');
    await client.openLink(`/verify-email?token=${encodeURIComponent(token)}`);
    return (await client.postForm('/verify-email', { token })).status;
  }

  const verifiedAt = async (username: string) => (await server.deps.users.findUserByUsername(username))?.emailVerifiedAt ?? null;

  test('reused: the second use gets 400 (page and API)', async () => {
    const token = await register('reuse1');
    assert.equal(await submit(token), 303);
    assert.equal(await submit(token), 400);
    const api = new TestClient(server.url);
    assert.equal((await api.postJson('/api/v1/verify-email', { token })).status, 400);
  });

  test('expired: past 24 hours on the domain’s clock, 400 and still unverified; just before, it works', async () => {
    const late = await register('late1');
    const early = await register('early1');
    offsetMs += DAY_MS - 60_000;
    assert.equal(await submit(early), 303, 'a minute before expiry');
    offsetMs += 2 * 60_000;
    assert.equal(await submit(late), 400, 'a minute after expiry');
    assert.equal(await verifiedAt('late1'), null);
  });

  test('forged: random tokens, a real one altered, empty and oversized ones all get 400', async () => {
    const real = await register('forge1');
    const altered = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    for (const token of [randomBytes(32).toString('base64url'), altered, real.toUpperCase(), '', 'x'.repeat(150), `${real}x`]) {
      assert.equal(await submit(token), 400, `token ${token.slice(0, 12)}…`);
    }
    assert.equal(await verifiedAt('forge1'), null);
    assert.equal(await submit(real), 303, 'the real one is untouched by the attempts');
  });

  test('after a newer link: the older one gets 400', async () => {
    const older = await register('newer1');
    const client = await signedIn('newer1');
    assert.equal((await client.postForm('/verify-email/resend', {})).status, 303);
    const newer = await latestToken(server, smtp, 'newer1@example.test');
    assert.notEqual(newer, older);
    assert.equal(await submit(older), 400);
    assert.equal(await verifiedAt('newer1'), null);
    assert.equal(await submit(newer), 303);
  });

  test('another user’s link confirms that user only, never the one signed in', async () => {
    await register('mallory1');
    const victimToken = await register('victim1');
    const mallory = await signedIn('mallory1');
    assert.equal(await submit(victimToken, mallory), 303);
    assert.equal(await verifiedAt('mallory1'), null, 'the signed-in account stays unconfirmed');
    assert.ok((await verifiedAt('victim1')) instanceof Date);
  });

  test('tokens of other purposes are not verification links: password reset and "this wasn’t me"', async () => {
    await register('purpose1');
    const client = await signedIn('purpose1');
    // A change of address mails a secure-account link to the old address.
    assert.equal((await client.get('/settings/email')).status, 200);
    assert.equal((await client.postForm('/settings/email', { email: 'purpose1-new@example.test', current_password: GOOD_PASSWORD })).status, 303);
    const secure = await latestToken(server, smtp, 'purpose1@example.test', '/secure-account');
    assert.equal(await submit(secure), 400);
    assert.equal(await verifiedAt('purpose1'), null);
    assert.equal((await server.deps.users.findUserByUsername('purpose1'))?.email, 'purpose1@example.test');
  });

  test('a verify link of an address the account no longer has verifies nothing', async () => {
    const oldLink = await register('moved1');
    const client = await signedIn('moved1');
    await client.get('/settings/email');
    assert.equal((await client.postForm('/settings/email', { email: 'moved1-new@example.test', current_password: GOOD_PASSWORD })).status, 303);
    const change = await latestToken(server, smtp, 'moved1-new@example.test');
    // Following the change confirms the new address and kills links to the old one.
    assert.equal(await submit(change), 303);
    assert.equal(await submit(oldLink), 400);
    assert.equal(await submit(change), 400, 'the change link is single-use too');
  });

  test('a change-email link is bound to its account and address: it cannot be replayed after a newer change', async () => {
    await register('twice1');
    const client = await signedIn('twice1');
    await client.get('/settings/email');
    await client.postForm('/settings/email', { email: 'twice1-a@example.test', current_password: GOOD_PASSWORD });
    const first = await latestToken(server, smtp, 'twice1-a@example.test');
    await client.get('/settings/email');
    await client.postForm('/settings/email', { email: 'twice1-b@example.test', current_password: GOOD_PASSWORD });
    const second = await latestToken(server, smtp, 'twice1-b@example.test');
    assert.equal(await submit(first), 400, 'a newer change voids the older link');
    assert.equal((await server.deps.users.findUserByUsername('twice1'))?.email, 'twice1@example.test');
    assert.equal(await submit(second), 303);
    assert.equal((await server.deps.users.findUserByUsername('twice1'))?.email, 'twice1-b@example.test');
  });

  test('only the SHA-256 of a token is stored', async () => {
    const token = await register('hash1');
    const rows = await server.deps.database.db.selectFrom('tokens').selectAll().execute();
    const serialized = JSON.stringify(rows);
    assert.ok(!serialized.includes(token), 'the token itself is nowhere in the table');
  });
});
