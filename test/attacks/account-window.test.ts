// Property: many IPs guessing one account are bounded by LOGIN_MAX_FAILURES_PER_ACCOUNT failures
// an hour across all IPs (v5.0.0-6.1.1 / 6.3.1). With the setting at 3, three failures from
// three client IPs are answered 401 and the 4th attempt, from a 4th IP, gets 429 with
// Retry-After, even with the right password, on the page and the API, however the account is
// spelled; other accounts from those same IPs are untouched (it is the account's window, not
// an IP block). With the default (100) the same four failures are all plain 401s.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sessionCookieSet } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const WRONG = 'not the password, attempt';

/** TRUST_PROXY=1: loopback is the proxy, and the address it appended is the client. */
const from = (n: number) => ({ 'x-forwarded-for': `203.0.113.${n}` });

function assertThrottled(response: TestResponse, label: string) {
  assert.equal(response.status, 429, `${label}: status`);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600, `${label}: Retry-After ${response.headers.get('retry-after')}`);
}

async function register(server: TestServer, username: string) {
  const client = new TestClient(server.url);
  await client.get('/register');
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD });
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

/** A fresh visitor (its own cookies and CSRF token) from client IP `n`. */
async function visitorFrom(server: TestServer, n: number): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.get('/login', from(n));
  return client;
}

describe('LOGIN_MAX_FAILURES_PER_ACCOUNT=3', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', TRUST_PROXY: '1', REGISTER_MAX_PER_HOUR: '100' });
    assert.equal(server.config.throttle.loginMaxFailuresPerAccount, 3);
    await register(server, 'window-target');
    await register(server, 'bystander');
  });
  after(() => server.stop());

  test('the 4th failure on one account, from a 4th client IP, gets 429 even with the right password; other accounts are untouched', async () => {
    for (const n of [1, 2, 3]) {
      const client = await visitorFrom(server, n);
      // Each IP spells the account differently: one account, one counter.
      const username = ['window-target', 'WINDOW-TARGET', 'window-target@example.test'][n - 1]!;
      const response = await client.postForm('/login', { username, password: `${WRONG} ${n}` }, from(n));
      assert.equal(response.status, 401, `failure ${n} from 203.0.113.${n}`);
    }

    const fourth = await visitorFrom(server, 4);
    const page = await fourth.postForm('/login', { username: 'window-target', password: `${WRONG} 4` }, from(4));
    assertThrottled(page, '4th failure, 4th IP');
    assert.equal(sessionCookieSet(page), undefined);

    const owner = await visitorFrom(server, 5);
    const right = await owner.postForm('/login', { username: 'window-target', password: GOOD_PASSWORD }, from(5));
    assertThrottled(right, 'the right password from a 5th IP');
    assert.equal(sessionCookieSet(right), undefined, 'no session while the account window is full');
    const api = await owner.postJson('/api/v1/login', { username: 'Window-Target@Example.test', password: GOOD_PASSWORD }, from(5));
    assertThrottled(api, 'API, another spelling');
    assert.equal(api.json().error, 'too_many_requests');
    assert.equal(sessionCookieSet(api), undefined);

    // The IPs that guessed are not blocked: another account signs in from each of them.
    for (const n of [1, 2, 3, 4]) {
      const client = await visitorFrom(server, n);
      const response = await client.postForm('/login', { username: 'bystander', password: GOOD_PASSWORD }, from(n));
      assert.equal(response.status, 303, `bystander from 203.0.113.${n}`);
    }
  });
});

describe('LOGIN_MAX_FAILURES_PER_ACCOUNT unset (100)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: '1' });
    await register(server, 'window-default');
  });
  after(() => server.stop());

  test('four failures from four IPs are four 401s, and the owner then signs in', async () => {
    for (const n of [1, 2, 3, 4]) {
      const client = await visitorFrom(server, n);
      const response = await client.postForm('/login', { username: 'window-default', password: `${WRONG} ${n}` }, from(n));
      assert.equal(response.status, 401, `failure ${n}`);
    }
    const owner = await visitorFrom(server, 5);
    const response = await owner.postForm('/login', { username: 'window-default', password: GOOD_PASSWORD }, from(5));
    assert.equal(response.status, 303);
  });
});
