// Property: changing a password is safe, and the policy also applies to existing passwords.
// POST /settings/password needs a valid CSRF token, the right current password (a wrong one
// is a 400 that changes nothing and counts toward the sign-in throttle) and a new password
// that passes the policy and differs from the old; success keeps this session and ends every
// other session of the user (ASVS 3.3.3). A password that stops passing the policy (the
// minimum rose) still signs in, but the user is sent to /settings/password and every other
// page redirects there until it is changed (ASVS 2.1.7); the API reports mustChangePassword.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NEW_PASSWORD = 'velvet thunder marmalade oscillates quietly beneath nine lanterns';
const CHANGED_NOTICE = 'Your password was changed. Your other sessions were signed out.';

function pageErrors(body: string): string[] {
  // The summary's entries (each a link to its field, or plain text for the whole form).
  const list = /<div class="errors" role="alert"[^>]*>[\s\S]*?<ul>([\s\S]*?)<\/ul>\s*<\/div>/.exec(body)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, '')).map((text) => text.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&'));
}

/** A client signed in through the form, holding a CSRF token of its own session. */
async function signedIn(server: TestServer, username: string, password = GOOD_PASSWORD): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.get('/login');
  const response = await client.postForm('/login', { username, password });
  assert.equal(response.status, 303, `sign in ${username}: ${response.status}`);
  await client.get('/settings/password');
  return client;
}

async function register(server: TestServer, username: string, password = GOOD_PASSWORD) {
  const client = new TestClient(server.url);
  await client.get('/register');
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password });
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

/** Status of a fresh sign-in attempt (303 signed in, 401 refused). */
async function signInStatus(server: TestServer, username: string, password: string): Promise<number> {
  const client = new TestClient(server.url);
  await client.get('/login');
  return (await client.postForm('/login', { username, password })).status;
}

function change(client: TestClient, fields: Record<string, string | null>, headers?: Record<string, string>): Promise<TestResponse> {
  return client.postForm('/settings/password', fields, headers);
}

describe('changing the password at /settings/password', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  });
  after(() => server.stop());

  test('success: 303 back with the notice, this session kept, every other session of the user ended', async () => {
    await register(server, 'ivan');
    await register(server, 'judy');
    const self = await signedIn(server, 'ivan');
    const otherTab = await signedIn(server, 'ivan');
    const apiClient = new TestClient(server.url);
    assert.equal((await apiClient.postJson('/api/v1/login', { username: 'ivan', password: GOOD_PASSWORD })).status, 200);
    const someoneElse = await signedIn(server, 'judy');

    const response = await change(self, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(response.status, 303, response.body.slice(0, 300));
    assert.equal(response.location, '/settings/password');
    const after = await self.get('/settings/password');
    assert.equal(after.status, 200);
    assert.ok(after.body.includes(CHANGED_NOTICE), 'the notice is shown');

    assert.equal((await self.get('/dashboard')).status, 200, 'this session is kept');
    const ended = await otherTab.get('/dashboard');
    assert.equal(ended.status, 303, 'the other page session is ended');
    assert.match(ended.location ?? '', /^\/login\?next=/);
    assert.equal((await apiClient.get('/api/v1/me')).status, 401, 'the API session is ended');
    assert.equal((await someoneElse.get('/dashboard')).status, 200, "another user's session is untouched");

    assert.equal(await signInStatus(server, 'ivan', GOOD_PASSWORD), 401, 'the old password no longer works');
    assert.equal(await signInStatus(server, 'ivan', NEW_PASSWORD), 303, 'the new one does');
  });

  test('a wrong current password: 400, nothing changed, no session ended', async () => {
    await register(server, 'kate');
    const self = await signedIn(server, 'kate');
    const otherTab = await signedIn(server, 'kate');
    const response = await change(self, { current_password: 'not my password at all', new_password: NEW_PASSWORD });
    assert.equal(response.status, 400);
    assert.ok(pageErrors(response.body).some((text) => /current password is not correct/i.test(text)), response.body);
    assert.equal((await otherTab.get('/dashboard')).status, 200);
    assert.equal(await signInStatus(server, 'kate', GOOD_PASSWORD), 303, 'the old password still works');
    assert.equal(await signInStatus(server, 'kate', NEW_PASSWORD), 401, 'the new one was not set');
  });

  test('a new password failing the policy: 400 with the reasons, nothing changed', async () => {
    await register(server, 'leonardo-quill');
    const self = await signedIn(server, 'leonardo-quill');
    const otherTab = await signedIn(server, 'leonardo-quill');
    const cases: Array<[string, RegExp]> = [
      ['password123', /at least 12/],
      ['Leonardo-Quill-2024!', /username/],
      ['qwertyuiop12', /commonly used|sequence|too easy to guess/],
    ];
    for (const [password, reason] of cases) {
      const response = await change(self, { current_password: GOOD_PASSWORD, new_password: password });
      assert.equal(response.status, 400, password);
      const reasons = pageErrors(response.body);
      assert.ok(reasons.some((text) => reason.test(text)), `${password}: ${JSON.stringify(reasons)}`);
      assert.equal(await signInStatus(server, 'leonardo-quill', password), 401, `${password} was not set`);
    }
    assert.equal((await otherTab.get('/dashboard')).status, 200, 'no session ended');
    assert.equal(await signInStatus(server, 'leonardo-quill', GOOD_PASSWORD), 303);
  });

  test('the unchanged password is refused: 400, no session ended', async () => {
    await register(server, 'mallory');
    const self = await signedIn(server, 'mallory');
    const otherTab = await signedIn(server, 'mallory');
    const response = await change(self, { current_password: GOOD_PASSWORD, new_password: GOOD_PASSWORD });
    assert.equal(response.status, 400);
    assert.ok(pageErrors(response.body).some((text) => /different from the current/.test(text)), response.body);
    assert.equal((await otherTab.get('/dashboard')).status, 200, 'no session ended');
  });

  test('the same password in another Unicode form (NFKC-equal, e.g. full-width) counts as unchanged', async () => {
    // The hasher NFKC-normalises, so this "new" password is the old one: same hash input.
    await register(server, 'niaj');
    const self = await signedIn(server, 'niaj');
    const otherTab = await signedIn(server, 'niaj');
    const fullWidth = 'ｃｏｒｒｅｃｔ　ｈｏｒｓｅ　ｂａｔｔｅｒｙ　ｓｔａｐｌｅ';
    assert.equal(fullWidth.normalize('NFKC'), GOOD_PASSWORD);
    const response = await change(self, { current_password: GOOD_PASSWORD, new_password: fullWidth });
    assert.equal(response.status, 400, 'refused as unchanged');
    assert.ok(pageErrors(response.body).some((text) => /different from the current/.test(text)), response.body);
    assert.equal((await otherTab.get('/dashboard')).status, 200, 'no session ended');
  });

  test('CSRF: no token, a forged token, another session’s token or a foreign Origin get 403 and change nothing', async () => {
    await register(server, 'olivia');
    const self = await signedIn(server, 'olivia');
    const otherTab = await signedIn(server, 'olivia');
    const attacker = await signedIn(server, 'ivan', NEW_PASSWORD);
    const attempts: Array<[string, Record<string, string | null>, Record<string, string> | undefined]> = [
      ['no token', { csrf_token: null }, undefined],
      ['empty token', { csrf_token: '' }, undefined],
      ['forged token', { csrf_token: 'A'.repeat(43) }, undefined],
      ["another session's token", { csrf_token: attacker.lastCsrf! }, undefined],
      ['foreign Origin', {}, { origin: 'https://evil.example' }],
    ];
    for (const [label, fields, headers] of attempts) {
      const response = await change(self, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD, ...fields }, headers);
      assert.equal(response.status, 403, label);
    }
    assert.equal((await self.get('/dashboard')).status, 200);
    assert.equal((await otherTab.get('/dashboard')).status, 200, 'no session ended');
    assert.equal(await signInStatus(server, 'olivia', GOOD_PASSWORD), 303, 'the password is unchanged');
  });

  test('signed out: GET redirects to sign-in, POST is refused', async () => {
    const client = new TestClient(server.url);
    const page = await client.get('/settings/password');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/login?next=%2Fsettings%2Fpassword');
    await client.get('/login');
    const post = await change(client, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    assert.ok([303, 401, 403].includes(post.status), `status ${post.status}`);
    assert.notEqual(post.location, '/settings/password');
  });

  test('the form is no side door for guessing: wrong current passwords hit the sign-in limit (429)', async () => {
    await register(server, 'peggy');
    const self = await signedIn(server, 'peggy');
    for (let attempt = 1; attempt <= server.config.throttle.loginMaxFailures; attempt += 1) {
      const response = await change(self, { current_password: `guess ${attempt}`, new_password: NEW_PASSWORD });
      assert.equal(response.status, 400, `guess ${attempt}`);
    }
    const blocked = await change(self, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(blocked.status, 429, 'even the right current password, once blocked');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    assert.equal(await signInStatus(server, 'peggy', GOOD_PASSWORD), 429, 'one counter with sign-in');
  });
});

describe('the policy at sign-in: a password that no longer passes must be changed (ASVS 2.1.7)', () => {
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-policy-raise-'));
    env = { DATABASE_URL: `sqlite:${path.join(dir, 'gatehouse.db')}`, SECRET_KEY: randomBytes(32).toString('hex') };
    const first = await startTestServer(env);
    try {
      await register(first, 'quentin');
      const client = await signedIn(first, 'quentin');
      assert.equal((await client.get('/dashboard')).status, 200, 'under the old policy the password is fine');
      const me = (await client.get('/api/v1/me')).json();
      assert.equal(me.user.mustChangePassword, false);
    } finally {
      await first.stop();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('after PASSWORD_MIN_LENGTH rises to 40: sign-in succeeds into /settings/password, everything else waits for the change', async () => {
    const server = await startTestServer({ ...env, PASSWORD_MIN_LENGTH: '40' });
    try {
      const client = new TestClient(server.url);
      await client.get('/login');
      const signIn = await client.postForm('/login', { username: 'quentin', password: GOOD_PASSWORD });
      assert.equal(signIn.status, 303, 'the old password still signs in');
      assert.equal(signIn.location, '/settings/password');

      for (const page of ['/dashboard', '/profile', '/dashboard?message=hi']) {
        const response = await client.get(page);
        assert.equal(response.status, 303, page);
        assert.equal(response.location, '/settings/password', page);
      }
      const me = await client.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.json().user.mustChangePassword, true);

      const form = await client.get('/settings/password');
      assert.equal(form.status, 200);
      assert.match(form.body, /no longer meets the password policy/);
      assert.match(form.body, /<meter id="password-strength"[^>]*data-min-length="40"/);

      // A new password must pass the raised policy too.
      const tooShort = await change(client, { current_password: GOOD_PASSWORD, new_password: 'Twenty-nine chars, not forty!' });
      assert.equal(tooShort.status, 400);
      assert.ok(pageErrors(tooShort.body).some((text) => /at least 40/.test(text)), tooShort.body);
      assert.equal((await client.get('/dashboard')).location, '/settings/password', 'still required');

      const changed = await change(client, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
      assert.equal(changed.status, 303, changed.body.slice(0, 300));
      assert.equal(changed.location, '/settings/password');
      const notice = await client.get('/settings/password');
      assert.ok(notice.body.includes(CHANGED_NOTICE));
      assert.doesNotMatch(notice.body, /no longer meets the password policy/);

      assert.equal((await client.get('/dashboard')).status, 200, 'the dashboard works after the change');
      assert.equal((await client.get('/profile')).status, 200);
      assert.equal((await client.get('/api/v1/me')).json().user.mustChangePassword, false);

      const again = new TestClient(server.url);
      await again.get('/login');
      const next = await again.postForm('/login', { username: 'quentin', password: NEW_PASSWORD });
      assert.equal(next.status, 303);
      assert.equal(next.location, '/dashboard', 'a compliant password signs in normally');
    } finally {
      await server.stop();
    }
  });

  test('the API sign-in of a non-compliant password reports mustChangePassword', async () => {
    // Register a second user under the old policy, then sign in under the raised one.
    const first = await startTestServer(env);
    try {
      await register(first, 'rupert');
    } finally {
      await first.stop();
    }
    const server = await startTestServer({ ...env, PASSWORD_MIN_LENGTH: '40' });
    try {
      const client = new TestClient(server.url);
      const response = await client.postJson('/api/v1/login', { username: 'rupert', password: GOOD_PASSWORD });
      assert.equal(response.status, 200);
      assert.equal(response.json().user.mustChangePassword, true);
      assert.equal((await client.get('/dashboard')).location, '/settings/password');
    } finally {
      await server.stop();
    }
  });
});
