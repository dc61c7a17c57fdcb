// Property: online password guessing is bounded. After LOGIN_MAX_FAILURES (5) consecutive
// wrong passwords for one account from one IP, that (account, IP) pair gets 429 with
// Retry-After — from exactly the 6th attempt, on the page and on the API — and even the
// right password is refused while it lasts; other accounts from the same IP are unaffected.
// Every spelling of the account (username, other case, email) shares one counter; one IP
// spraying across many account names (real or not) is cut off after LOGIN_MAX_FAILURES_PER_IP;
// the counters survive a restart on SQLite; a refused attempt does no password hashing
// (its timing at production argon2id cost: brute-force.timing.test.ts, run alone).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { apiAttempt, assertThrottled, pageAttempt, registerUser, TOO_MANY, visitor, WRONG } from '../helpers/sign-in-attempts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('brute force on one account (LOGIN_MAX_FAILURES=5)', () => {
  let server: TestServer;
  let limit: number;

  before(async () => {
    server = await startTestServer();
    limit = server.config.throttle.loginMaxFailures;
    assert.equal(limit, 5, 'the default LOGIN_MAX_FAILURES');
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) await registerUser(server, name);
  });
  after(() => server.stop());

  test('page: wrong passwords get 401 up to the limit, then 429 with Retry-After from exactly attempt 6', async () => {
    const client = await visitor(server);
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      const response = await pageAttempt(client, 'alice', `${WRONG} ${attempt}`);
      if (attempt <= limit) {
        assert.equal(response.status, 401, `attempt ${attempt}`);
        assert.match(response.body, /Invalid username or password/);
      } else {
        assertThrottled(response, `attempt ${attempt}`);
        assert.match(response.body, TOO_MANY, `attempt ${attempt}: the page says why`);
      }
    }
  });

  test('page: while the pair is blocked the right password is refused too', async () => {
    const client = await visitor(server);
    const response = await pageAttempt(client, 'alice', GOOD_PASSWORD);
    assertThrottled(response, 'right password while blocked');
    assert.match(response.body, TOO_MANY);
    assert.equal((await client.get('/dashboard')).status, 303, 'not signed in');
  });

  test('another account signs in fine from the same IP while one is blocked', async () => {
    const client = await visitor(server);
    const response = await pageAttempt(client, 'carol', GOOD_PASSWORD);
    assert.equal(response.status, 303);
    assert.equal(response.location, '/dashboard');
    assert.equal((await client.get('/dashboard')).status, 200);
  });

  test('API: 401 invalid_credentials up to the limit, then 429 too_many_requests with Retry-After from attempt 6', async () => {
    const client = new TestClient(server.url);
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      const response = await apiAttempt(client, 'bob', `${WRONG} ${attempt}`);
      if (attempt <= limit) {
        assert.equal(response.status, 401, `attempt ${attempt}`);
        assert.equal(response.json().error, 'invalid_credentials');
      } else {
        assertThrottled(response, `attempt ${attempt}`);
        const body = response.json();
        assert.equal(body.error, 'too_many_requests', `attempt ${attempt}`);
        assert.match(body.message, TOO_MANY);
      }
    }
    const right = await apiAttempt(client, 'bob', GOOD_PASSWORD);
    assertThrottled(right, 'API: right password while blocked');
    assert.equal(right.json().error, 'too_many_requests');
    assert.equal((await client.get('/api/v1/me')).status, 401, 'not signed in');
  });

  test('username, other case, full-width and email share one counter: 5 failures across spellings block them all', async () => {
    const client = await visitor(server);
    const spellings = ['dave', 'DAVE', 'dave@example.test', 'Dave', 'DAVE@EXAMPLE.TEST'];
    for (const [i, spelling] of spellings.entries()) {
      const response = await pageAttempt(client, spelling, `${WRONG} ${i}`);
      assert.equal(response.status, 401, `failure ${i + 1} as ${spelling}`);
    }
    for (const spelling of [...spellings, 'dAvE', ' dave ', 'ｄａｖｅ', 'ｄａｖｅ@ｅｘａｍｐｌｅ.ｔｅｓｔ']) {
      assertThrottled(await pageAttempt(client, spelling, GOOD_PASSWORD), `right password as ${JSON.stringify(spelling)}`);
    }
    assertThrottled(await apiAttempt(new TestClient(server.url), 'Dave@Example.Test', GOOD_PASSWORD), 'API, email spelling');
  });

  test('a blocked attempt does no password hashing (the hasher is never called)', async () => {
    const hasher = server.deps.hasher;
    const calls = { verifyPassword: 0, verifyDummy: 0, hashPassword: 0 };
    const original = { verifyPassword: hasher.verifyPassword, verifyDummy: hasher.verifyDummy, hashPassword: hasher.hashPassword };
    hasher.verifyPassword = (...args) => ((calls.verifyPassword += 1), original.verifyPassword(...args));
    hasher.verifyDummy = (...args) => ((calls.verifyDummy += 1), original.verifyDummy(...args));
    hasher.hashPassword = (...args) => ((calls.hashPassword += 1), original.hashPassword(...args));
    try {
      const client = await visitor(server);
      for (let attempt = 1; attempt <= limit; attempt += 1) {
        assert.equal((await pageAttempt(client, 'erin', `${WRONG} ${attempt}`)).status, 401);
      }
      // Control: the spy sees the work the unblocked attempts did, so zero below means zero.
      assert.equal(calls.verifyPassword, limit, 'each unblocked attempt verified once');
      const unknownBefore = calls.verifyPassword + calls.verifyDummy;
      assert.equal((await pageAttempt(client, 'nobody-here', WRONG)).status, 401);
      // The sign-in asks the hasher once for every path; for no stored hash it spends a dummy.
      assert.equal(calls.verifyPassword + calls.verifyDummy, unknownBefore + 1, 'an unknown user costs one verification');

      const before = { ...calls };
      for (let attempt = 1; attempt <= 20; attempt += 1) {
        assertThrottled(await pageAttempt(client, 'erin', attempt % 2 ? GOOD_PASSWORD : WRONG), `blocked attempt ${attempt}`);
        assertThrottled(await apiAttempt(client, 'ERIN', WRONG), `blocked API attempt ${attempt}`);
      }
      assert.deepEqual(calls, before, 'no hashing while blocked');
    } finally {
      Object.assign(hasher, original);
    }
  });
});

describe('password spraying from one IP (LOGIN_MAX_FAILURES_PER_IP=20)', () => {
  let server: TestServer;

  before(async () => {
    // TRUST_PROXY=1 (loopback is the proxy) so a second client IP can show the bound is per IP.
    server = await startTestServer({ LOGIN_MAX_FAILURES_PER_IP: '20', LOGIN_MAX_FAILURES: '50', TRUST_PROXY: '1' });
    for (const name of ['spray1', 'spray2', 'spray3', 'spray4']) await registerUser(server, name);
  });
  after(() => server.stop());

  test('one wrong password across 200 account names: 401 for 20 failures, then 429 for every name', async () => {
    const client = await visitor(server);
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    const names = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? `spray${(i / 10) % 4 + 1}` : `ghost${i}`));
    const statuses: number[] = [];
    for (const [i, name] of names.entries()) {
      const response = await client.postForm('/login', { username: name, password: 'Summer2024!' }, attacker);
      statuses.push(response.status);
      if (i >= 20) assertThrottled(response, `spray attempt ${i + 1} (${name})`);
    }
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(statuses.slice(20), Array(180).fill(429));
    // No oracle left: a registered account's right password is refused from that IP too.
    assertThrottled(await client.postForm('/login', { username: 'spray2', password: GOOD_PASSWORD }, attacker), 'right password from the spraying IP');
    const api = await client.postJson('/api/v1/login', { username: 'spray3', password: GOOD_PASSWORD }, attacker);
    assertThrottled(api, 'API from the spraying IP');
    assert.equal(api.json().error, 'too_many_requests');
  });

  test('the per-IP bound does not lock out other IPs', async () => {
    const client = await visitor(server);
    const response = await client.postForm('/login', { username: 'spray2', password: GOOD_PASSWORD }, { 'x-forwarded-for': '198.51.100.77' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/dashboard');
  });
});

describe('throttle counters survive a restart (SQLite)', () => {
  let dir: string;
  let env: Record<string, string>;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-brute-restart-'));
    env = { DATABASE_URL: `sqlite:${path.join(dir, 'gatehouse.db')}`, SECRET_KEY: randomBytes(32).toString('hex') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a pair blocked before the restart is still blocked after it, right password included', async () => {
    const first = await startTestServer(env);
    try {
      await registerUser(first, 'frank');
      const client = await visitor(first);
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        assert.equal((await pageAttempt(client, 'frank', `${WRONG} ${attempt}`)).status, 401, `attempt ${attempt}`);
      }
      assertThrottled(await pageAttempt(client, 'frank', GOOD_PASSWORD), 'before the restart');
    } finally {
      await first.stop();
    }

    const second = await startTestServer(env);
    try {
      const client = await visitor(second);
      assertThrottled(await pageAttempt(client, 'frank', GOOD_PASSWORD), 'page, after the restart');
      assertThrottled(await apiAttempt(client, 'frank', GOOD_PASSWORD), 'API, after the restart');
      // The account itself is intact: another account's sign-in works on the new process.
      await registerUser(second, 'grace');
      assert.equal((await pageAttempt(client, 'grace', GOOD_PASSWORD)).status, 303);
    } finally {
      await second.stop();
    }
  });
});
