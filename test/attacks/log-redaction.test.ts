// Property: no log line ever contains a credential (v5.0.0-16.2.5). After registering, signing
// in right and wrong on the page and the API, signing out, sending a malformed JSON body that
// holds the password, and opening a reset link, the captured log holds no password, no
// session token, no CSRF token, no argon2 hash and no reset token. And for every
// secret-bearing field name the forms and API use (read from src/http, plus the contract's
// `token`, `code` and the like), a unique secret sent in the URL (plain, upper-cased,
// bracketed, nested in `next` or `rd` once and twice encoded, on pages, the API and a 404)
// and in form and JSON bodies appears in no log line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

/** Field names in src/http (form inputs and schema keys) that look secret-bearing. */
function secretFieldNamesInSource(): string[] {
  const root = path.join(import.meta.dirname, '../../src/http');
  const names = new Set<string>();
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/name="([\w[\]-]+)"|\b(\w+): (?:textField|z\.)/g)) names.add(match[1] ?? match[2]!);
  }
  return [...names].filter((name) => /password|token|code|secret|csrf|otp|key/i.test(name));
}

/** The contract's and the API's secret-bearing names, whether or not a route uses them yet. */
const CONTRACT_SECRET_NAMES = [
  'password',
  'current_password',
  'new_password',
  'csrf_token',
  'csrfToken',
  'x-csrf-token',
  'token',
  'code',
  'recovery_code',
  'secret',
  'client_secret',
  'refresh_token',
  'code_verifier',
];

describe('secret-bearing field names in URLs and bodies', () => {
  let server: TestServer;
  const sourceNames = secretFieldNamesInSource();
  const names = [...new Set([...CONTRACT_SECRET_NAMES, ...sourceNames])];
  /** label → a unique secret that must appear in no log line. */
  const secrets = new Map<string, string>();
  const secret = (label: string) => {
    const value = `leak${randomBytes(8).toString('hex')}`;
    secrets.set(label, value);
    return value;
  };

  before(async () => {
    server = await startTestServer();
    const client = new TestClient(server.url);
    await client.get('/login');
    const api = new TestClient(server.url);
    for (const name of names) {
      const n = encodeURIComponent(name);
      const urls = [
        `/login?${n}=${secret(`${name} plain`)}`,
        `/login?username=alice&${encodeURIComponent(name.toUpperCase())}=${secret(`${name} upper-case`)}`,
        `/login?${name}[]=${secret(`${name}[] raw brackets`)}`,
        `/login?${n}%5B%5D=${secret(`${name}[] encoded brackets`)}`,
        `/login?user%5B${n}%5D=${secret(`user[${name}]`)}`,
        `/login?next=${encodeURIComponent(`/settings/password?${n}=${secret(`${name} in next`)}`)}`,
        `/login?next=${encodeURIComponent(encodeURIComponent(`/settings/password?tab=1&${n}=${secret(`${name} in next, twice encoded`)}`))}`,
        `/login?rd=${encodeURIComponent(`https://app.example.test/cb?next=${encodeURIComponent(`/x?${n}=${secret(`${name} in next in rd`)}`)}`)}`,
        `/no-such-page?${n}=${secret(`${name} on a 404`)}`,
        `/api/v1/csrf?${n}=${secret(`${name} on the API`)}`,
        `/api/v1/no-such-route?${n}=${secret(`${name} on an API 404`)}`,
      ];
      for (const url of urls) await client.get(url);
      await client.postForm(`/login?${n}=${secret(`${name} in a POST URL`)}`, { username: 'nobody', password: 'not the password' });
      await client.postForm('/login', { username: 'nobody', password: 'not the password', [name]: secret(`${name} in a form body`) });
      await api.postJson('/api/v1/login', { username: 'nobody', password: 'not the password', [name]: secret(`${name} in a JSON body`) });
    }
  });
  after(() => server.stop());

  test('the field names come from the source too, and every request was logged', () => {
    for (const name of ['password', 'current_password', 'new_password', 'csrf_token']) assert.ok(sourceNames.includes(name), `${name} not found in src/http`);
    assert.ok(server.logs.length >= secrets.size * 2, `${server.logs.length} log lines for ${secrets.size} requests`);
    assert.ok(server.logs.some((line) => line.includes('/no-such-page?')), 'the 404s were logged with their URL');
  });

  test('no log line contains any of those secrets', () => {
    const leaks: string[] = [];
    for (const [label, value] of secrets) {
      for (const line of server.logs) if (line.includes(value)) leaks.push(`${label}: ${line.slice(0, 400)}`);
    }
    assert.deepEqual(leaks, []);
  });
});
