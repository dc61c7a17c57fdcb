// Property: malformed input is a client error, never a server error. Duplicate fields, NUL
// bytes, over-long values, malformed or oddly shaped JSON, unsupported content types and
// oversized bodies get 400 / 413 / 415 — never a 500 and never a stack trace — and the API
// answers them as {"error":"<code>","message":"…"}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STACK_TRACE } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ERROR_CODES = new Set(['invalid_input', 'invalid_credentials', 'unauthenticated', 'forbidden', 'csrf_failed', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'too_many_requests']);
const KIB = 1024;

describe('bad input', () => {
  let server: TestServer;
  let visitor: TestClient;
  let member: TestClient;
  let apiCsrf: string;

  before(async () => {
    server = await startTestServer({ LOGIN_MAX_FAILURES: '1000' });
    member = new TestClient(server.url);
    await member.registerAndSignIn('member');
    visitor = new TestClient(server.url);
    await visitor.get('/login');
    apiCsrf = (await visitor.get('/api/v1/csrf')).json().csrfToken;
  });
  after(() => server.stop());

  function assertClientError(response: TestResponse, expected: number | number[], label: string) {
    const allowed = Array.isArray(expected) ? expected : [expected];
    assert.ok(allowed.includes(response.status), `${label}: status ${response.status}, expected ${allowed.join(' or ')}\n${response.body.slice(0, 300)}`);
    assert.doesNotMatch(response.body, STACK_TRACE, `${label}: stack trace in body`);
  }

  function assertApiError(response: TestResponse, expected: number | number[], label: string) {
    assertClientError(response, expected, label);
    const body = response.json();
    assert.equal(typeof body.error, 'string', label);
    assert.ok(ERROR_CODES.has(body.error), `${label}: unknown code ${body.error}`);
    assert.equal(typeof body.message, 'string', label);
    assert.ok(body.message.length > 0, label);
    for (const key of Object.keys(body)) assert.ok(['error', 'message', 'problems', 'field'].includes(key), `${label}: extra key ${key}`);
  }

  const postForm = (path: string, body: string, contentType = 'application/x-www-form-urlencoded') =>
    visitor.request('POST', path, { body, headers: { 'content-type': contentType } });

  const postApi = (path: string, body: string, contentType = 'application/json') =>
    visitor.request('POST', path, { body, headers: { 'content-type': contentType, 'x-csrf-token': apiCsrf } });

  const csrfField = () => `csrf_token=${encodeURIComponent(visitor.lastCsrf!)}`;

  test('duplicate form fields get 400', async () => {
    assertClientError(await postForm('/login', `${csrfField()}&username=a&username=b&password=${GOOD_PASSWORD}`), 400, 'login username twice');
    assertClientError(await postForm('/login', `${csrfField()}&username=member&password=x&password=y`), 400, 'login password twice');
    assertClientError(await postForm('/register', `${csrfField()}&username=dup1&username=dup2&email=d@example.test&password=${GOOD_PASSWORD}`), 400, 'register username twice');
    assert.equal(await server.deps.users.findUserByUsername('dup1'), undefined);
  });

  test('NUL bytes in fields get 400', async () => {
    assertClientError(await visitor.postForm('/login', { username: 'mem\u0000ber', password: GOOD_PASSWORD }), 400, 'login NUL');
    assertClientError(await visitor.postForm('/register', { username: 'nul\u0000user', email: 'n@example.test', password: GOOD_PASSWORD }), 400, 'register NUL');
    assertApiError(await postApi('/api/v1/login', JSON.stringify({ username: 'member', password: `${GOOD_PASSWORD}\u0000` })), 400, 'API login NUL');
    assertApiError(await postApi('/api/v1/register', JSON.stringify({ username: 'nul\u0000user', email: 'n@example.test', password: GOOD_PASSWORD })), 400, 'API register NUL');
  });

  test('over-long values get 400', async () => {
    assertClientError(await visitor.postForm('/login', { username: 'u'.repeat(400), password: GOOD_PASSWORD }), 400, 'long username');
    assertClientError(await visitor.postForm('/login', { username: 'member', password: 'p'.repeat(5000) }), 400, 'long password');
    assertClientError(await visitor.postForm('/register', { username: 'u'.repeat(60), email: 'long@example.test', password: GOOD_PASSWORD }), 400, 'register long username');
    assertClientError(await visitor.postForm('/register', { username: 'longmail', email: `${'e'.repeat(300)}@example.test`, password: GOOD_PASSWORD }), 400, 'register long email');
    assertApiError(await postApi('/api/v1/login', JSON.stringify({ username: 'u'.repeat(400), password: GOOD_PASSWORD })), 400, 'API long username');
    // The dashboard reads no `message` any more (issue #9, content spoofing): ignored, never shown.
    const ignored = await member.get(`/dashboard?message=${'m'.repeat(1001)}`);
    assert.equal(ignored.status, 200, 'long dashboard message');
    assert.ok(!ignored.body.includes('m'.repeat(1001)), 'long dashboard message shown');
  });

  test('a 100 000-character password gets 400 or 413', async () => {
    const password = 'p'.repeat(100_000);
    assertClientError(await visitor.postForm('/login', { username: 'member', password }), [400, 413], 'page login');
    assertClientError(await visitor.postForm('/register', { username: 'hugepass', email: 'h@example.test', password }), [400, 413], 'page register');
    assertApiError(await postApi('/api/v1/login', JSON.stringify({ username: 'member', password })), [400, 413], 'API login');
    assertApiError(await postApi('/api/v1/register', JSON.stringify({ username: 'hugepass', email: 'h@example.test', password })), [400, 413], 'API register');
    assert.equal(await server.deps.users.findUserByUsername('hugepass'), undefined);
  });

  test('malformed, empty, non-object and oddly shaped JSON gets a 400 JSON error', async () => {
    const bodies: Record<string, string> = {
      malformed: '{"username":"member","password":',
      'not JSON at all': 'username=member',
      empty: '',
      'empty object': '{}',
      null: 'null',
      array: `[{"username":"member","password":"${GOOD_PASSWORD}"}]`,
      string: '"member"',
      'extra field': JSON.stringify({ username: 'member', password: GOOD_PASSWORD, role: 'admin' }),
      'wrong types': JSON.stringify({ username: 123, password: null }),
      'nested object': JSON.stringify({ username: { $ne: null }, password: { $ne: null } }),
      'prototype pollution': `{"username":"member","password":"x","__proto__":{"role":"admin"}}`,
      'constructor pollution': `{"username":"member","password":"x","constructor":{"prototype":{"role":"admin"}}}`,
    };
    for (const [label, body] of Object.entries(bodies)) {
      assertApiError(await postApi('/api/v1/login', body), 400, `login: ${label}`);
    }
    assertApiError(await postApi('/api/v1/register', JSON.stringify({ username: 'extra', email: 'x@example.test', password: GOOD_PASSWORD, role: 'admin' })), 400, 'register: extra field');
    assert.equal(await server.deps.users.findUserByUsername('extra'), undefined);
    assert.equal(({} as Record<string, unknown>).role, undefined, 'Object.prototype was polluted');
  });

  test('unsupported content types get 415', async () => {
    const xml = '<login><username>member</username></login>';
    const multipart = '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nmember\r\n--b--\r\n';
    for (const [type, body] of [
      ['application/xml', xml],
      ['multipart/form-data; boundary=b', multipart],
      ['text/plain', 'username=member'],
    ] as const) {
      assertClientError(await postForm('/login', body, type), 415, `page ${type}`);
      assertApiError(await postApi('/api/v1/login', body, type), 415, `API ${type}`);
    }
  });

  test('a body over 64 KiB gets 413', async () => {
    const form = `${csrfField()}&username=member&password=x&filler=${'f'.repeat(70 * KIB)}`;
    assertClientError(await postForm('/login', form), 413, 'page form');
    const json = JSON.stringify({ username: 'member', password: 'x', filler: 'f'.repeat(70 * KIB) });
    assertApiError(await postApi('/api/v1/login', json), 413, 'API JSON');
  });

  test('profile ids that are not numbers, repeated or too long get 400', async () => {
    for (const query of ['id=abc', 'id=1&id=2', 'id=1.5', 'id=0x10', `id=${'9'.repeat(13)}`, 'id=%E0%A4%A', 'id=%00']) {
      assertClientError(await member.get(`/profile?${query}`), 400, query);
    }
  });

  test('odd query strings on other pages never give a 500', async () => {
    for (const path of ['/dashboard?message=%E0%A4%A', '/dashboard?message=a&message=b', '/dashboard?message[x]=1', '/login?next=%ZZ', '/login?next[]=/a', '/%']) {
      const response = await member.get(path);
      assert.ok(response.status < 500, `${path}: ${response.status}`);
      assert.doesNotMatch(response.body, STACK_TRACE, path);
    }
  });
});
