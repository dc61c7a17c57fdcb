// Property: registration never reveals whether an address already has an account (CONTRACT,
// issue #10). Registering with an address in use gets exactly the answer a new registration
// gets: the page's 303 to /login with the same notice, the API's 201 with the same body
// shape (the submitted username and email, and what happens next: no user id), in the same
// time (the password is hashed either way, with production argon2id parameters), and the
// same spend of the per-IP account allowance. Nothing is created; the address's owner gets a
// mail ("someone tried to create an account with your address") with a link to sign in.
// Only a taken username is said to be taken.
// ASVS: v5.0.0-6.3.8 (no account enumeration, by answer or timing), v5.0.0-2.2.3-style notice.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { measureRounds } from '../helpers/timing.ts';

const OPEN = { REGISTER_MAX_PER_HOUR: '100000', REGISTER_MAX_ATTEMPTS_PER_HOUR: '100000', GLOBAL_RATE_LIMIT: '0' };

describe('registration with a taken address: the same answer', () => {
  let server: TestServer;
  let smtp: TestSmtp;

  before(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({ SMTP_URL: smtp.url, ...OPEN });
    const owner = new TestClient(server.url);
    await owner.get('/register');
    assert.equal((await owner.postForm('/register', { username: 'owner', email: 'owner@example.test', password: GOOD_PASSWORD })).status, 303);
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
  });

  async function registerPage(username: string, email: string) {
    const client = new TestClient(server.url);
    await client.get('/register');
    const response = await client.postForm('/register', { username, email, password: GOOD_PASSWORD });
    const landing = await client.get(response.location ?? '/');
    return { response, client, landing };
  }

  test('the page: 303 to /login, the same cookies and the same notice; nothing created; the owner is mailed', async () => {
    const fresh = await registerPage('newcomer', 'newcomer@example.test');
    const taken = await registerPage('intruder', 'OWNER@example.test');
    for (const { response } of [fresh, taken]) {
      assert.equal(response.status, 303);
      assert.equal(response.location, '/login');
    }
    const cookieNames = (r: { setCookies: string[] }) => r.setCookies.map((c) => c.split('=')[0]).sort();
    assert.deepEqual(cookieNames(taken.response), cookieNames(fresh.response));
    assert.equal(taken.response.body, fresh.response.body);
    const normalized = (body: string) => body.replace(/(name="csrf_token" value=")[^"]*"/g, '$1«csrf»"');
    assert.equal(normalized(taken.landing.body), normalized(fresh.landing.body), 'the sign-in page after it reads the same');
    assert.equal(await server.deps.users.findUserByUsername('intruder'), undefined, 'nothing created');

    await server.mail.runOnce();
    const toOwner = smtp.received.filter((m) => !Array.isArray(m.to) && m.to?.text === 'owner@example.test' && /tried to register/.test(m.subject ?? ''));
    assert.equal(toOwner.length, 1, 'the owner is told once');
    assert.match(toOwner[0]!.text ?? '', /Someone tried to create a Gatehouse account with your email address/);
    assert.match(toOwner[0]!.text ?? '', /https?:\/\/[^\s]+\/login\b/);
    assert.match(toOwner[0]!.text ?? '', /reset your password/);
    const verifyLinks = smtp.received.filter((m) => !Array.isArray(m.to) && m.to?.text?.toLowerCase() === 'owner@example.test' && /verify-email\?token=/.test(m.text ?? ''));
    assert.equal(verifyLinks.length, 1, 'only the owner’s own registration link: none for the intruder');
  });

  test('the API: 201 with the same body shape, values from the request only, no user id', async () => {
    const fresh = await new TestClient(server.url).postJson('/api/v1/register', { username: 'apinew', email: 'apinew@example.test', password: GOOD_PASSWORD });
    const taken = await new TestClient(server.url).postJson('/api/v1/register', { username: 'apitaken', email: 'owner@example.test', password: GOOD_PASSWORD });
    assert.equal(fresh.status, 201, fresh.body);
    assert.equal(taken.status, 201, taken.body);
    assert.deepEqual(Object.keys(taken.json()), Object.keys(fresh.json()));
    const strip = (body: string, username: string, email: string) => body.replace(username, '«u»').replace(email, '«e»');
    assert.equal(strip(taken.body, 'apitaken', 'owner@example.test'), strip(fresh.body, 'apinew', 'apinew@example.test'));
    assert.ok(!/"id"/.test(fresh.body));
    assert.equal(await server.deps.users.findUserByUsername('apitaken'), undefined);
  });

  test('only a taken username is said: 400 on the page, 409 on the API, even with a taken email too', async () => {
    const page = await registerPage('owner', 'someone-else@example.test');
    assert.equal(page.response.status, 400);
    assert.match(page.response.body, /That username is taken/);
    const both = await new TestClient(server.url).postJson('/api/v1/register', { username: 'OWNER', email: 'owner@example.test', password: GOOD_PASSWORD });
    assert.equal(both.status, 409);
    assert.equal(both.json().field, 'username');
  });
});

describe('registration with a taken address: the same time (production argon2id parameters)', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let round = 0;

  before(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({ SMTP_URL: smtp.url, ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1', ...OPEN });
    assert.equal((await new TestClient(server.url).postJson('/api/v1/register', { username: 'timed-owner', email: 'timed-owner@example.test', password: GOOD_PASSWORD })).status, 201);
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
  });

  async function timedRegister(body: Record<string, string>, expectedStatus: number): Promise<number> {
    const client = new TestClient(server.url);
    client.apiCsrf = (await client.get('/api/v1/csrf')).json().csrfToken;
    const started = performance.now();
    const response = await client.postJson('/api/v1/register', body);
    const elapsed = performance.now() - started;
    assert.equal(response.status, expectedStatus, response.body);
    return elapsed;
  }

  test('a taken email takes as long as a new account', async (t) => {
    const arms = {
      fresh: () => {
        round += 1;
        return timedRegister({ username: `fresh${round}`, email: `fresh${round}@example.test`, password: GOOD_PASSWORD }, 201);
      },
      taken: () => {
        round += 1;
        return timedRegister({ username: `taken${round}`, email: 'timed-owner@example.test', password: GOOD_PASSWORD }, 201);
      },
      // Refused before hashing (a too-short password): the floor a skipped hash would fall to.
      noHash: () => timedRegister({ username: 'nohash', email: 'nohash@example.test', password: 'short' }, 400),
    };
    const { medians: m, summary, ratio } = await measureRounds(arms);
    t.diagnostic(`medians: ${summary}`);
    assert.ok(m.fresh > 3 * m.noHash && m.fresh - m.noHash > 5, `a hash is not measurable: ${summary}`);
    const takenOverFresh = ratio('taken', 'fresh');
    t.diagnostic(`median taken / fresh = ${takenOverFresh.toFixed(2)}`);
    assert.ok(takenOverFresh > 0.67 && takenOverFresh < 1.5, `taken / fresh = ${takenOverFresh.toFixed(2)}: ${summary}`);
  });
});
