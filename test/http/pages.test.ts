// Property: the HTML pages behave as the contract's page table says, through a real listening server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const GENERIC_FAILURE = 'Invalid username or password.';

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
});
after(async () => {
  await server.stop();
});

const client = () => new TestClient(server.url);

function sessionCookieLine(response: TestResponse): string | undefined {
  return response.setCookies.find((line) => line.startsWith('gatehouse_session='));
}

async function register(c: TestClient, fields: { username: string; email: string; password: string }) {
  await c.get('/register');
  return c.postForm('/register', fields);
}

function assertSignOutForm(body: string, label: string) {
  const form = /<form[^>]*action="\/logout"[^>]*>([\s\S]*?)<\/form>/.exec(body);
  assert.ok(form, `${label}: sign-out form missing`);
  assert.match(form[0], /method="post"/i, label);
  assert.match(form[1]!, /name="csrf_token" value="[^"]{20,}"/, `${label}: sign-out form has no csrf_token`);
}

describe('home and health', () => {
  test('GET / is an HTML page', async () => {
    const res = await client().get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.body, /<!doctype html>/i);
  });

  test('GET /healthz answers 200 {"status":"ok"}', async () => {
    const res = await client().get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('an unknown path gets the 404 page', async () => {
    const res = await client().get('/no/such/page');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.body, /Not found/);
  });
});

describe('registration', () => {
  test('GET /register shows a form with username, email, password and csrf_token, no confirm field', async () => {
    const res = await client().get('/register');
    assert.equal(res.status, 200);
    for (const name of ['username', 'email', 'password', 'csrf_token']) assert.match(res.body, new RegExp(`name="${name}"`), name);
    assert.doesNotMatch(res.body, /name="(password_confirm|confirm|password2)"/);
  });

  test('success answers 303 to /login, and /login then shows the notice once', async () => {
    const c = client();
    const res = await register(c, { username: 'reg-ok', email: 'reg-ok@example.test', password: GOOD_PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login');
    const login = await c.get('/login');
    assert.match(login.body, /Your account was created/);
    const again = await c.get('/login');
    assert.doesNotMatch(again.body, /Your account was created/);
    assert.ok(await server.deps.users.findUserByUsername('reg-ok'));
  });

  test('invalid input answers 400 with the form and its reasons, and stores nothing', async () => {
    const cases = [
      [{ username: 'ab', email: 'ab@example.test', password: GOOD_PASSWORD }, 'ab', /Username must be 3 to 50 characters/],
      [{ username: 'bad-email', email: 'nope', password: GOOD_PASSWORD }, 'bad-email', /valid email/],
      [{ username: 'short-pw', email: 'short-pw@example.test', password: 'short' }, 'short-pw', /needs at least 12/],
      [{ username: 'has space', email: 'sp@example.test', password: GOOD_PASSWORD }, 'has space', /Username may contain/],
    ] as const;
    for (const [fields, lookup, reason] of cases) {
      const res = await register(client(), fields);
      assert.equal(res.status, 400, fields.username);
      assert.match(res.body, /<form[^>]*action="\/register"/);
      assert.match(res.body, reason, fields.username);
      assert.equal(await server.deps.users.findUserByUsername(lookup), undefined, `${fields.username} was stored`);
    }
  });

  test('a missing or repeated field answers 400, not 500', async () => {
    const c = client();
    await c.get('/register');
    const missing = await c.postForm('/register', { username: 'nofields' });
    assert.equal(missing.status, 400);
    // Plain words for an empty field: asked for, not judged by the policy ("has 0 characters").
    assert.match(missing.body, /Enter your email address\./);
    assert.match(missing.body, /Enter a password\./);
    assert.doesNotMatch(missing.body, /0 characters/);
    const repeated = await c.postForm('/register', { username: ['twice1', 'twice2'], email: 'tw@example.test', password: GOOD_PASSWORD });
    assert.equal(repeated.status, 400);
    assert.equal(await server.deps.users.findUserByUsername('nofields'), undefined);
  });

  test('the form keeps the entered username and email after an error but never the password', async () => {
    const res = await register(client(), { username: 'keepme', email: 'keepme@example.test', password: 'pw-is-short' });
    assert.equal(res.status, 400);
    assert.match(res.body, /value="keepme"/);
    assert.match(res.body, /value="keepme@example.test"/);
    assert.ok(!res.body.includes('pw-is-short'));
  });

  test('a username taken in another case or full-width answers 400 with a clear reason', async () => {
    assert.equal((await register(client(), { username: 'alice', email: 'alice@example.test', password: GOOD_PASSWORD })).status, 303);
    for (const [i, spelling] of ['ALICE', 'Alice', 'ａｌｉｃｅ'].entries()) {
      const res = await register(client(), { username: spelling, email: `alice${i}@example.test`, password: GOOD_PASSWORD });
      assert.equal(res.status, 400, spelling);
      assert.match(res.body, /That username is taken/, spelling);
    }
    const rows = await server.deps.database.db.selectFrom('users').select('id').where('username_normalized', '=', 'alice').execute();
    assert.equal(rows.length, 1);
  });

  // CONTRACT (issue #10): a taken email answers exactly like a new registration; its owner is
  // mailed instead (test/attacks/enumeration-registration.test.ts compares the two answers).
  test('an email taken in another case answers 303 to /login like a new account, and stores nothing', async () => {
    assert.equal((await register(client(), { username: 'emailowner', email: 'owner@example.test', password: GOOD_PASSWORD })).status, 303);
    const res = await register(client(), { username: 'emailthief', email: 'OWNER@example.test', password: GOOD_PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login');
    assert.doesNotMatch(res.body, /already registered/);
    assert.equal(await server.deps.users.findUserByUsername('emailthief'), undefined);
  });
});

describe('sign-in', () => {
  before(async () => {
    const c = client();
    assert.equal((await register(c, { username: 'bob', email: 'bob@example.test', password: GOOD_PASSWORD })).status, 303);
  });

  test('GET /login shows a form with username, password and csrf_token', async () => {
    const res = await client().get('/login');
    assert.equal(res.status, 200);
    for (const name of ['username', 'password', 'csrf_token']) assert.match(res.body, new RegExp(`name="${name}"`), name);
  });

  for (const identifier of ['bob', 'BOB', 'ｂｏｂ', 'bob@example.test', 'Bob@Example.TEST']) {
    test(`signing in as "${identifier}" answers 303 /dashboard with a new HttpOnly, SameSite=Lax, Path=/ session cookie`, async () => {
      const c = client();
      await c.get('/login');
      const preSession = c.cookies.get('gatehouse_session');
      assert.ok(preSession, 'the sign-in form sets a pre-session cookie for its CSRF token');
      const res = await c.postForm('/login', { username: identifier, password: GOOD_PASSWORD });
      assert.equal(res.status, 303);
      assert.equal(res.location, '/dashboard');
      const line = sessionCookieLine(res);
      assert.ok(line, 'no session cookie set');
      assert.match(line, /;\s*HttpOnly/i);
      assert.match(line, /;\s*SameSite=Lax/i);
      assert.match(line, /;\s*Path=\/(;|$)/);
      const token = c.cookies.get('gatehouse_session');
      assert.ok(token && token !== preSession, 'sign-in must issue a new session id');
      assert.equal((await c.get('/dashboard')).status, 200);
    });
  }

  test('a wrong password and an unknown user both answer 401 with the same generic message', async () => {
    const wrong = await client().signIn('bob', 'wrong password entirely');
    const unknown = await client().signIn('nobody-at-all', 'wrong password entirely');
    const unknownEmail = await client().signIn('nobody@example.test', GOOD_PASSWORD);
    for (const res of [wrong, unknown, unknownEmail]) {
      assert.equal(res.status, 401);
      assert.match(res.body, new RegExp(GENERIC_FAILURE.replace('.', '\\.')));
      assert.equal(sessionCookieLine(res), undefined, 'a failed sign-in sets no session');
    }
    const message = (body: string) => /<div class="errors"[\s\S]*?<\/div>/.exec(body)?.[0];
    assert.equal(message(wrong.body), message(unknown.body));
    assert.equal(message(wrong.body), message(unknownEmail.body));
  });

  test('a same-origin `next` path is honoured', async () => {
    const c = client();
    const form = await c.get('/login?next=%2Fprofile%3Fid%3D1');
    assert.match(form.body, /name="next" value="\/profile\?id=1"/);
    const res = await c.postForm('/login', { username: 'bob', password: GOOD_PASSWORD, next: '/profile?id=1' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/profile?id=1');
  });

  test('a foreign or scheme `next` falls back to /dashboard', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const c = client();
      await c.get('/login');
      const res = await c.postForm('/login', { username: 'bob', password: GOOD_PASSWORD, next });
      assert.equal(res.status, 303, next);
      assert.equal(res.location, '/dashboard', next);
    }
  });

  test('signed out, GET /dashboard answers 303 to /login?next=%2Fdashboard', async () => {
    const res = await client().get('/dashboard');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/login?next=%2Fdashboard');
    const profile = await client().get('/profile');
    assert.equal(profile.location, '/login?next=%2Fprofile');
  });
});

describe('signed-in pages', () => {
  let c: TestClient;
  before(async () => {
    c = client();
    const res = await c.registerAndSignIn('carol');
    assert.equal(res.status, 303);
  });

  test('/dashboard shows the username and role', async () => {
    const res = await c.get('/dashboard');
    assert.equal(res.status, 200);
    assert.match(res.body, /<span data-username>carol<\/span>/);
    assert.match(res.body, /<strong data-role>user<\/strong>/);
  });

  // Content spoofing: a link must not put words on a trusted page; notices come only from
  // Gatehouse's own signed flash codes.
  test('/dashboard never renders its message parameter, as text or markup', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const res = await c.get(`/dashboard?message=${encodeURIComponent(payload)}`);
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('alert'), 'the payload appears in the page');
    const plain = await c.get('/dashboard?message=Your%20account%20is%20suspended%2C%20call%20us');
    assert.equal(plain.status, 200);
    assert.ok(!plain.body.includes('suspended'), 'the spoofed sentence appears in the page');
    assert.doesNotMatch(plain.body, /data-message/);
  });

  test('/profile shows id, username, email, role, created and data-user-id', async () => {
    const user = await server.deps.users.findUserByUsername('carol');
    assert.ok(user);
    const res = await c.get('/profile');
    assert.equal(res.status, 200);
    assert.match(res.body, new RegExp(`data-user-id="${user.id}"`));
    assert.match(res.body, new RegExp(`<dd>${user.id}</dd>`));
    assert.match(res.body, /<dd>carol<\/dd>/);
    assert.match(res.body, /<dd>carol@example\.test<\/dd>/);
    assert.match(res.body, /<dd>user<\/dd>/);
    assert.match(res.body, new RegExp(`datetime="${user.createdAt.toISOString()}"`));
  });

  test('every signed-in page carries the sign-out form with its csrf_token', async () => {
    for (const path of ['/', '/dashboard', '/profile', '/settings/password', '/no-such-page']) {
      const res = await c.get(path);
      assertSignOutForm(res.body, path);
    }
  });
});

describe('sign-out', () => {
  test('POST /logout answers 303 /, clears the cookie and deletes the session row', async () => {
    const c = client();
    await c.registerAndSignIn('dave');
    const user = await server.deps.users.findUserByUsername('dave');
    assert.ok(user);
    await c.get('/dashboard');
    const token = c.cookies.get('gatehouse_session')!;
    assert.ok(await server.deps.sessions.validateSessionToken(token), 'signed in before the sign-out');

    const res = await c.postForm('/logout', {});
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    const line = sessionCookieLine(res);
    assert.ok(line, 'the session cookie is cleared with a Set-Cookie');
    assert.match(line, /^gatehouse_session=;/);
    assert.match(line, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    assert.equal(await server.deps.sessions.validateSessionToken(token), undefined);
    // Nothing of the user's is left in the session store (whichever backend holds it).
    assert.equal(await server.deps.sessions.endAllSessionsForUser(user.id), 0);
    if (!server.deps.redis) {
      const rows = await server.deps.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute();
      assert.equal(rows.length, 0);
    }

    // The old token, replayed, no longer works.
    const replay = await client().get('/dashboard', { cookie: `gatehouse_session=${token}` });
    assert.equal(replay.status, 303);
    const home = await c.get('/');
    assert.match(home.body, /You have been signed out/);
  });

  test('POST /logout without the csrf_token answers 403 and keeps the session', async () => {
    const c = client();
    await c.registerAndSignIn('erin');
    await c.get('/dashboard');
    const res = await c.postForm('/logout', { csrf_token: null });
    assert.equal(res.status, 403);
    assert.equal((await c.get('/dashboard')).status, 200);
  });
});

describe('REGISTRATION=closed', () => {
  let closed: TestServer;
  before(async () => {
    closed = await startTestServer({ REGISTRATION: 'closed', REGISTER_MAX_PER_HOUR: '1000' });
  });
  after(async () => {
    await closed.stop();
  });

  test('the register page offers no form and its POST answers 403, storing nothing', async () => {
    const c = new TestClient(closed.url);
    const page = await c.get('/register');
    assert.match(page.body, /Registration is closed/);
    assert.doesNotMatch(page.body, /<form[^>]*action="\/register"/);
    await c.get('/login'); // for a csrf_token bound to this client
    const res = await c.postForm('/register', { username: 'latecomer', email: 'late@example.test', password: GOOD_PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(await closed.deps.users.findUserByUsername('latecomer'), undefined);
  });

  test('the API register answers 403 {"error":"registration_closed"}, storing nothing', async () => {
    const c = new TestClient(closed.url);
    const res = await c.postJson('/api/v1/register', { username: 'latecomer2', email: 'late2@example.test', password: GOOD_PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(res.json().error, 'registration_closed');
    assert.equal(typeof res.json().message, 'string');
    assert.equal(await closed.deps.users.findUserByUsername('latecomer2'), undefined);
  });
});
