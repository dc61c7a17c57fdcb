// Property: the JSON API follows the contract: CSRF bootstrap, register/login/logout/me with {error,message} failures, an OpenAPI 3 description.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
});
after(async () => {
  await server.stop();
});

const client = () => new TestClient(server.url);

function assertError(res: TestResponse, status: number, code: string) {
  assert.equal(res.status, status, res.body);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = res.json();
  assert.equal(body.error, code, res.body);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
}

async function registerApi(c: TestClient, username: string, email = `${username}@example.test`, password = GOOD_PASSWORD) {
  return c.postJson('/api/v1/register', { username, email, password });
}

async function loginApi(c: TestClient, username: string, password = GOOD_PASSWORD) {
  const res = await c.postJson('/api/v1/login', { username, password });
  if (res.status === 200) c.apiCsrf = res.json().csrfToken;
  return res;
}

describe('GET /api/v1/csrf', () => {
  test('answers {csrfToken} and sets the session cookie when there is none', async () => {
    const c = client();
    const res = await c.get('/api/v1/csrf');
    assert.equal(res.status, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['csrfToken']);
    assert.equal(typeof body.csrfToken, 'string');
    assert.ok(body.csrfToken.length >= 32);
    const line = res.setCookies.find((l) => l.startsWith('gatehouse_session='));
    assert.ok(line);
    assert.match(line, /HttpOnly/i);
  });

  test('with a cookie already set, sets no new cookie and answers the same token', async () => {
    const c = client();
    const first = await c.get('/api/v1/csrf');
    const second = await c.get('/api/v1/csrf');
    assert.deepEqual(second.setCookies, []);
    assert.equal(second.json().csrfToken, first.json().csrfToken);
  });

  test('the token is bound to its session: another client’s token is refused with 403', async () => {
    const a = client();
    const b = client();
    await a.get('/api/v1/csrf');
    const foreign = (await b.get('/api/v1/csrf')).json().csrfToken;
    const res = await a.postJson('/api/v1/register', { username: 'csrfvictim', email: 'cv@example.test', password: GOOD_PASSWORD }, { 'x-csrf-token': foreign });
    assertError(res, 403, 'csrf_failed');
    assert.equal(await server.deps.users.findUserByUsername('csrfvictim'), undefined);
  });
});

describe('POST /api/v1/register', () => {
  // Issue #10: the 201 body is what a taken email also gets, so it carries no user id.
  test('answers 201 with the registration (username, email, what next) and no password, hash or id', async () => {
    const res = await registerApi(client(), 'api-alice');
    assert.equal(res.status, 201, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['email', 'message', 'username']);
    assert.equal(body.username, 'api-alice');
    assert.equal(body.email, 'api-alice@example.test');
    assert.match(body.message, /confirm your email address/);
    const stored = await server.deps.users.findUserByUsername('api-alice');
    assert.equal(stored?.role, 'user');
    assert.ok(!res.body.includes(GOOD_PASSWORD));
    assert.ok(!res.body.includes('argon2'));
  });

  test('invalid input answers 400 {error:"invalid_input", message} and stores nothing', async () => {
    const res = await registerApi(client(), 'api-short', 'api-short@example.test', 'short');
    assertError(res, 400, 'invalid_input');
    assert.match(res.json().message, /at least 12/);
    assert.equal(await server.deps.users.findUserByUsername('api-short'), undefined);
  });

  test('a body not matching the schema (missing field, extra field, wrong type) answers 400 {error,message}', async () => {
    const c = client();
    for (const body of [
      { username: 'api-x', email: 'x@example.test' },
      { username: 'api-x', email: 'x@example.test', password: GOOD_PASSWORD, role: 'admin' },
      { username: ['api-x'], email: 'x@example.test', password: GOOD_PASSWORD },
    ]) {
      const res = await c.postJson('/api/v1/register', body);
      assertError(res, 400, 'invalid_input');
    }
    assert.equal(await server.deps.users.findUserByUsername('api-x'), undefined);
  });

  test('malformed JSON answers 400 {error,message}', async () => {
    const c = client();
    const csrf = (await c.get('/api/v1/csrf')).json().csrfToken;
    const res = await c.request('POST', '/api/v1/register', { body: '{"username":', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf } });
    assertError(res, 400, 'invalid_input');
  });

  test('a duplicate username (any case or width) answers 409 {error:"conflict"}; a duplicate email answers 201 like a new account', async () => {
    assert.equal((await registerApi(client(), 'api-bob')).status, 201);
    assertError(await registerApi(client(), 'API-BOB', 'other1@example.test'), 409, 'conflict');
    assertError(await registerApi(client(), 'ａｐｉ-ｂｏｂ', 'other2@example.test'), 409, 'conflict');
    assert.equal((await registerApi(client(), 'api-bob2', 'API-BOB@example.test')).status, 201);
    assert.equal(await server.deps.users.findUserByUsername('api-bob2'), undefined);
  });

  test('without X-CSRF-Token answers 403 {error:"csrf_failed"}', async () => {
    const c = client();
    await c.get('/api/v1/csrf');
    const res = await c.request('POST', '/api/v1/register', {
      body: JSON.stringify({ username: 'api-nocsrf', email: 'nocsrf@example.test', password: GOOD_PASSWORD }),
      headers: { 'content-type': 'application/json' },
    });
    assertError(res, 403, 'csrf_failed');
    assert.equal(await server.deps.users.findUserByUsername('api-nocsrf'), undefined);
  });
});

describe('login, me, logout', () => {
  before(async () => {
    assert.equal((await registerApi(client(), 'api-carol')).status, 201);
  });

  test('POST /api/v1/login answers 200 with the user, a new csrfToken and a new session cookie', async () => {
    const c = client();
    const oldCsrf = (await c.get('/api/v1/csrf')).json().csrfToken;
    const preSession = c.cookies.get('gatehouse_session');
    const res = await c.postJson('/api/v1/login', { username: 'api-carol', password: GOOD_PASSWORD });
    assert.equal(res.status, 200, res.body);
    const body = res.json();
    assert.equal(body.user.username, 'api-carol');
    assert.equal(body.user.role, 'user');
    assert.equal(typeof body.csrfToken, 'string');
    assert.notEqual(body.csrfToken, oldCsrf);
    const line = res.setCookies.find((l) => l.startsWith('gatehouse_session='));
    assert.ok(line);
    assert.match(line, /HttpOnly/i);
    assert.match(line, /SameSite=Lax/i);
    assert.notEqual(c.cookies.get('gatehouse_session'), preSession);
    assert.ok(!res.body.includes(GOOD_PASSWORD));
  });

  test('login by email works too', async () => {
    assert.equal((await loginApi(client(), 'API-CAROL@example.test')).status, 200);
  });

  test('a wrong password and an unknown user answer the same 401 {"error":"invalid_credentials"}', async () => {
    const wrong = await client().postJson('/api/v1/login', { username: 'api-carol', password: 'not the password at all' });
    const unknown = await client().postJson('/api/v1/login', { username: 'api-nobody', password: 'not the password at all' });
    assertError(wrong, 401, 'invalid_credentials');
    assertError(unknown, 401, 'invalid_credentials');
    assert.equal(wrong.body, unknown.body);
    assert.equal(wrong.setCookies.find((l) => l.startsWith('gatehouse_session=')), undefined);
  });

  test('GET /api/v1/me answers 200 with the user when signed in and 401 otherwise', async () => {
    const c = client();
    assert.equal((await loginApi(c, 'api-carol')).status, 200);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().user.username, 'api-carol');
    assert.equal(me.json().user.email, 'api-carol@example.test');
    assertError(await client().get('/api/v1/me'), 401, 'unauthenticated');
  });

  test('POST /api/v1/logout ends the session: /me then answers 401, and the old cookie is dead', async () => {
    const c = client();
    assert.equal((await loginApi(c, 'api-carol')).status, 200);
    const token = c.cookies.get('gatehouse_session')!;
    const res = await c.postJson('/api/v1/logout', {});
    assert.ok(res.status === 204 || res.status === 200, `logout answered ${res.status}`);
    assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
    assertError(await client().get('/api/v1/me', { cookie: `gatehouse_session=${token}` }), 401, 'unauthenticated');
  });

  test('the pre-login CSRF token stops working after sign-in (it is bound to the old session)', async () => {
    const c = client();
    const oldCsrf = (await c.get('/api/v1/csrf')).json().csrfToken;
    c.apiCsrf = oldCsrf;
    assert.equal((await c.postJson('/api/v1/login', { username: 'api-carol', password: GOOD_PASSWORD })).status, 200);
    const res = await c.postJson('/api/v1/logout', {}, { 'x-csrf-token': oldCsrf });
    assertError(res, 403, 'csrf_failed');
    assert.equal((await c.get('/api/v1/me')).status, 200);
  });

  test('an unknown API path answers 404 as JSON', async () => {
    assertError(await client().get('/api/v1/nope'), 404, 'not_found');
  });
});

describe('GET /api/v1/openapi.json', () => {
  test('is an OpenAPI 3 document listing the v1 routes with zod-derived request bodies', async () => {
    const res = await client().get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.json();
    assert.match(String(doc.openapi), /^3\./);
    assert.equal(typeof doc.info?.title, 'string');
    const expected = {
      '/api/v1/register': 'post',
      '/api/v1/login': 'post',
      '/api/v1/logout': 'post',
      '/api/v1/me': 'get',
      '/api/v1/csrf': 'get',
    };
    for (const [path, method] of Object.entries(expected)) {
      assert.ok(doc.paths?.[path]?.[method], `${method.toUpperCase()} ${path} missing from ${Object.keys(doc.paths ?? {}).join(', ')}`);
    }
    const registerSchema = doc.paths['/api/v1/register'].post.requestBody?.content?.['application/json']?.schema;
    assert.ok(registerSchema, 'register has no JSON request body schema');
    assert.deepEqual(Object.keys(registerSchema.properties ?? {}).sort(), ['email', 'password', 'username']);
    assert.deepEqual([...(registerSchema.required ?? [])].sort(), ['email', 'password', 'username']);
    const loginSchema = doc.paths['/api/v1/login'].post.requestBody?.content?.['application/json']?.schema;
    assert.deepEqual(Object.keys(loginSchema?.properties ?? {}).sort(), ['password', 'username']);
  });
});

// Errors a client can act on: every problem at once with its field, the conflicting field,
// how to get a CSRF token, 405 with Allow, JSON bodies only, and a second sign-out that is
// not an error (v5.0.0-2.2.1, v5.0.0-3.5.1, v5.0.0-13.4.4).
describe('errors a client can act on', () => {
  const problemsOf = (res: TestResponse) => res.json().problems.map((p: any) => [p.field, p.code]);

  test('a body failing its schema lists every problem, each with its field, code and message', async () => {
    const res = await client().postJson('/api/v1/register', { username: ['api-many'], email: `${'e'.repeat(400)}@example.test`, role: 'admin' });
    assertError(res, 400, 'invalid_input');
    assert.deepEqual(problemsOf(res).sort(), [
      ['email', 'too_long'],
      ['password', 'required'],
      ['role', 'unknown_field'],
      ['username', 'repeated'],
    ]);
    for (const problem of res.json().problems) assert.ok(problem.message.length > 0, problem.field);
    for (const problem of res.json().problems) assert.ok(res.json().message.includes(problem.message), 'the message says every problem');
    assert.equal(await server.deps.users.findUserByUsername('api-many'), undefined);
  });

  test('the rules’ problems come in the same shape: every field at once', async () => {
    const res = await registerApi(client(), 'a!', 'not-an-email', 'short');
    assertError(res, 400, 'invalid_input');
    const fields = new Set(res.json().problems.map((p: any) => p.field));
    assert.deepEqual([...fields].sort(), ['email', 'password', 'username']);
    assert.ok(problemsOf(res).some(([field, code]: [string, string]) => field === 'password' && code === 'password_too_short'));
  });

  test('a 409 names the field that is taken', async () => {
    assert.equal((await registerApi(client(), 'api-dave')).status, 201);
    const byName = await registerApi(client(), 'API-Dave', 'someone-else@example.test');
    assertError(byName, 409, 'conflict');
    assert.equal(byName.json().field, 'username');
    // A taken email is never named (issue #10): the same 201 as a new account.
    const byEmail = await registerApi(client(), 'api-dave2', 'API-DAVE@example.test');
    assert.equal(byEmail.status, 201);
  });

  test('a CSRF failure tells an API client how to get a token, in its language; the code stays', async () => {
    const c = client();
    await c.get('/api/v1/csrf');
    const send = (headers: Record<string, string>) =>
      c.request('POST', '/api/v1/login', { body: JSON.stringify({ username: 'api-carol', password: GOOD_PASSWORD }), headers: { 'content-type': 'application/json', ...headers } });
    const en = await send({});
    assertError(en, 403, 'csrf_failed');
    assert.match(en.json().message, /X-CSRF-Token/);
    assert.match(en.json().message, /GET \/api\/v1\/csrf/);
    const es = await send({ 'accept-language': 'es' });
    assertError(es, 403, 'csrf_failed');
    assert.match(es.json().message, /cabecera X-CSRF-Token/);
    assert.match(es.json().message, /GET \/api\/v1\/csrf/);
    assert.equal(en.setCookies.find((l) => l.startsWith('gatehouse_session=')), undefined, 'no session was issued');
  });

  test('a known API path with the wrong method answers 405 with Allow, as JSON', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/v1/login', 'POST'],
      ['GET', '/api/v1/logout', 'POST'],
      ['PUT', '/api/v1/csrf', 'GET, HEAD'],
      ['POST', '/api/v1/me', 'GET, HEAD'],
    ] as const) {
      const res = await client().request(method, path);
      assertError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
    }
  });

  test('the API takes JSON bodies only: a form post gets 415 before anything runs', async () => {
    const c = client();
    const csrf = (await c.get('/api/v1/csrf')).json().csrfToken;
    const res = await c.request('POST', '/api/v1/register', {
      body: new URLSearchParams({ username: 'api-form', email: 'form@example.test', password: GOOD_PASSWORD, csrf_token: csrf }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf },
    });
    assertError(res, 415, 'unsupported_media_type');
    assert.equal(await server.deps.users.findUserByUsername('api-form'), undefined);
  });

  test('signing out twice is not an error: 204 both times, with or without a cookie or token', async () => {
    const c = client();
    assert.equal((await loginApi(c, 'api-carol')).status, 200);
    const token = c.apiCsrf!;
    const first = await c.postJson('/api/v1/logout', {});
    assert.equal(first.status, 204);
    assert.equal(c.cookies.get('gatehouse_session'), undefined, 'the cookie was cleared');
    const second = await c.request('POST', '/api/v1/logout', { headers: { 'x-csrf-token': token } });
    assert.equal(second.status, 204, second.body);
    assert.equal((await client().request('POST', '/api/v1/logout')).status, 204, 'no cookie, no token');
  });

  test('a session-less sign-out changes nothing without a valid token, not even the cookie', async () => {
    const c = client();
    await c.get('/api/v1/csrf');
    const res = await c.request('POST', '/api/v1/logout');
    assert.equal(res.status, 204);
    assert.equal(res.setCookies.find((l) => l.startsWith('gatehouse_session=')), undefined);
  });

  test('with a live session, sign-out still needs the token: 403 and the session goes on', async () => {
    const c = client();
    assert.equal((await loginApi(c, 'api-carol')).status, 200);
    const res = await c.request('POST', '/api/v1/logout');
    assertError(res, 403, 'csrf_failed');
    assert.equal(res.setCookies.find((l) => l.startsWith('gatehouse_session=')), undefined);
    assert.equal((await c.get('/api/v1/me')).status, 200);
    const foreign = await c.request('POST', '/api/v1/logout', { headers: { 'x-csrf-token': c.apiCsrf!, origin: 'https://evil.example' } });
    assertError(foreign, 403, 'csrf_failed');
    assert.equal((await c.get('/api/v1/me')).status, 200);
  });
});
