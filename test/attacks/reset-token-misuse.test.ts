// Property: a password reset link is a single-use, short-lived bearer secret that only ever
// acts on the account it was made for. A used link, one past its 30 minutes (the domain's
// clock moved), a forged one, one replaced by a newer request, or a reset token offered as
// a "this wasn't me" token: each gets 400 and changes nothing; twenty racing uses of one
// link: exactly one wins (v5.0.0-2.3.3/2.3.4). Tokens are not bound to a form or a browser,
// so a token posted from another signed-in user's browser changes its own account's
// password, never the poster's (v5.0.0-11.5.1: 256-bit CSPRNG tokens, only a hash stored).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { latestLink, NEW_PASSWORD, openResetLink, requestReset } from '../http/recovery-helpers.ts';

const MINUTE = 60_000;

describe('reset token misuse', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };

  let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
  before(async () => ({ server, smtp } = mailed = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000' }, { clock })));
  after(() => mailed.stop());

  async function register(username: string) {
    const client = new TestClient(server.url);
    await client.get('/register');
    assert.equal((await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD })).status, 303);
  }

  async function resetLink(username: string): Promise<string> {
    assert.equal((await requestReset(server, `${username}@example.test`)).status, 200);
    return latestLink(server, smtp, `${username}@example.test`, '/reset-password');
  }

  async function useLink(token: string, password = NEW_PASSWORD) {
    const { client } = await openResetLink(server, token);
    return client.postForm('/reset-password', { token, password });
  }

  async function signInStatus(username: string, password: string) {
    return (await new TestClient(server.url).signIn(username, password)).status;
  }

  test('reused: the second use gets 400 and the page says the link does not work', async () => {
    await register('reuse');
    const token = await resetLink('reuse');
    assert.equal((await useLink(token)).status, 303);
    const again = await useLink(token, 'a second new password for reuse');
    assert.equal(again.status, 400);
    assert.match(again.body, /This link does not work/);
    assert.equal(again.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(await signInStatus('reuse', NEW_PASSWORD), 303, 'the first reset stands');
  });

  test('expired: 30 minutes on the clock and the link is dead (29 minutes: alive)', async () => {
    await register('late');
    await register('early');
    const lateToken = await resetLink('late');
    const earlyToken = await resetLink('early');
    offset += 29 * MINUTE;
    assert.equal((await useLink(earlyToken)).status, 303, 'within 30 minutes it works');
    offset += 2 * MINUTE;
    assert.equal((await useLink(lateToken)).status, 400, 'after 30 minutes it does not');
    assert.equal(await signInStatus('late', GOOD_PASSWORD), 303, 'nothing changed');
  });

  test('forged: a well-formed token that was never issued, and malformed ones, get 400', async () => {
    await register('forge');
    assert.equal((await useLink('A'.repeat(43))).status, 400);
    const client = new TestClient(server.url);
    const malformed = await client.get('/reset-password?token=abc');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await client.get('/reset-password')).status, 400, 'no token: no form');
    await client.get('/forgot-password');
    assert.equal((await client.postForm('/reset-password', { token: 'not-a-token', password: NEW_PASSWORD })).status, 400);
    const api = await new TestClient(server.url).postJson('/api/v1/reset-password', { token: 'B'.repeat(43), password: NEW_PASSWORD });
    assert.equal(api.status, 400);
    assert.equal(api.json().field, 'token');
    assert.equal(await signInStatus('forge', GOOD_PASSWORD), 303);
  });

  test('a newer request voids the older link', async () => {
    await register('twice');
    const older = await resetLink('twice');
    const newer = await resetLink('twice');
    assert.notEqual(older, newer);
    assert.equal((await useLink(older)).status, 400, 'the older link is void');
    assert.equal((await useLink(newer)).status, 303, 'the newer one works');
  });

  test("another user's token acts only on its own account, whoever posts it", async () => {
    await register('owner');
    await register('poster');
    const ownersToken = await resetLink('owner');
    const poster = new TestClient(server.url);
    assert.equal((await poster.signIn('poster', GOOD_PASSWORD)).status, 303);
    await poster.get(`/reset-password?token=${ownersToken}`);
    await poster.get('/reset-password');
    assert.equal((await poster.postForm('/reset-password', { token: ownersToken, password: NEW_PASSWORD })).status, 303);
    assert.equal(await signInStatus('poster', GOOD_PASSWORD), 303, "the poster's password is untouched");
    assert.equal(await signInStatus('poster', NEW_PASSWORD), 401);
    assert.equal(await signInStatus('owner', NEW_PASSWORD), 303, "the token's own account changed");
  });

  test('a reset token is not a secure-account token', async () => {
    await register('purpose');
    const token = await resetLink('purpose');
    const client = new TestClient(server.url);
    await client.get(`/secure-account?token=${token}`);
    await client.get('/secure-account');
    assert.equal((await client.postForm('/secure-account', { token })).status, 400);
    assert.equal((await useLink(token)).status, 303, 'and the refused try did not use it up');
  });

  test('twenty racing uses of one link: exactly one succeeds', async () => {
    await register('race');
    const token = await resetLink('race');
    const clients = await Promise.all(Array.from({ length: 20 }, async () => (await openResetLink(server, token)).client));
    const statuses = await Promise.all(clients.map((client, i) => client.postForm('/reset-password', { token, password: `${NEW_PASSWORD} ${i}` }).then((r) => r.status)));
    assert.equal(statuses.filter((status) => status === 303).length, 1, statuses.join(' '));
    assert.equal(statuses.filter((status) => status === 400).length, 19, statuses.join(' '));
  });
});
