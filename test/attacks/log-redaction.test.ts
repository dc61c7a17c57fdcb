// Property: no log line ever contains a credential. After registering, signing in right and
// wrong on the page and the API, signing out, sending a malformed JSON body that holds the
// password, and opening a reset link, the captured log holds no password, no session token,
// no CSRF token, no argon2 hash and no reset token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SESSION_COOKIE } from '../helpers/attack-payloads.ts';
import { TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'Zebra-Quartz-Lantern-9431';
const WRONG_PASSWORD = 'Wrong-Guess-Pass-7777';
const RESET_TOKEN = 'SECRETTOKEN123';

describe('secrets in logs', () => {
  let server: TestServer;
  const secrets = new Map<string, string>();

  /** Records every session token this response sets. */
  function collectCookies(response: TestResponse) {
    for (const line of response.setCookies) {
      const value = line.split(';')[0]!.split('=').slice(1).join('=');
      if (line.startsWith(`${SESSION_COOKIE}=`) && value) secrets.set(`session token ${value.slice(0, 6)}…`, value);
    }
  }

  before(async () => {
    server = await startTestServer();
    const client = new TestClient(server.url);
    collectCookies(await client.get('/register'));
    collectCookies(await client.postForm('/register', { username: 'logged-user', email: 'logged@example.test', password: PASSWORD }));
    collectCookies(await client.get('/login'));
    collectCookies(await client.postForm('/login', { username: 'logged-user', password: WRONG_PASSWORD }));
    collectCookies(await client.postForm('/login', { username: 'logged-user', password: PASSWORD }));
    collectCookies(await client.get('/dashboard'));
    secrets.set('page CSRF token', client.lastCsrf!);
    collectCookies(await client.postForm('/logout', {}));

    const api = new TestClient(server.url);
    const csrf = await api.get('/api/v1/csrf');
    collectCookies(csrf);
    secrets.set('anonymous API CSRF token', csrf.json().csrfToken);
    const login = await api.postJson('/api/v1/login', { username: 'logged-user', password: PASSWORD });
    assert.equal(login.status, 200);
    collectCookies(login);
    secrets.set('API CSRF token', login.json().csrfToken);
    collectCookies(await api.postJson('/api/v1/login', { username: 'logged@example.test', password: WRONG_PASSWORD }));
    const malformed = await api.request('POST', '/api/v1/login', {
      body: `{"username":"logged-user","password":"${PASSWORD}"`,
      headers: { 'content-type': 'application/json', 'x-csrf-token': login.json().csrfToken },
    });
    assert.equal(malformed.status, 400);
    assert.ok(!malformed.body.includes(PASSWORD), 'the error response echoes the password');

    await api.get(`/reset-password?token=${RESET_TOKEN}`);
    await api.get(`/reset-password?email=a%40b.c&token=${RESET_TOKEN}&password=${PASSWORD}`);

    secrets.set('password', PASSWORD);
    secrets.set('wrong password', WRONG_PASSWORD);
    secrets.set('reset token', RESET_TOKEN);
    secrets.set('argon2 hash', '$argon2');
    const row = await server.deps.database.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    secrets.set('stored password hash', row.password_hash!);
  });
  after(() => server.stop());

  test('the scenario produced log lines, including the reset request', () => {
    assert.ok(server.logs.length > 20, `only ${server.logs.length} log lines`);
    assert.ok(server.logs.some((line) => line.includes('/reset-password')), 'the reset request was logged');
    assert.ok([...secrets.keys()].filter((k) => k.startsWith('session token')).length >= 3, 'session tokens were collected');
  });

  test('no log line contains a password, session token, CSRF token, hash or reset token', () => {
    const leaks: string[] = [];
    for (const [label, secret] of secrets) {
      for (const line of server.logs) {
        if (line.includes(secret) || line.includes(encodeURIComponent(secret))) leaks.push(`${label}: ${line.slice(0, 300)}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
