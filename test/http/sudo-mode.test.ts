// Sudo mode (issue #11; ASVS v5.0.0-7.5.1 re-authentication before sensitive changes,
// v5.0.0-7.5.3 before admin functions): a session that authenticated more than SUDO_SECONDS
// ago is sent to /sudo before a sensitive page or action, changes nothing meanwhile, comes back
// to where it was once the password is confirmed, and the API says `reauthentication_required`.
// The clock is mocked (the only mock): sessions stay live (idle timeout 30 min) while time passes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SUDO = 600;
let offset = 0;
const clock = { now: () => Date.now() + offset };
const later = (seconds: number) => {
  offset += seconds * 1000;
};

describe('sudo mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000', SESSION_TOUCH_INTERVAL_SECONDS: '0' }, { clock });
  });
  after(() => server.stop());

  async function signedIn(name: string): Promise<TestClient> {
    const client = new TestClient(server.url);
    assert.equal((await client.registerAndSignIn(name, GOOD_PASSWORD)).status, 303);
    return client;
  }

  async function events(type: string): Promise<Array<{ outcome: string; target_user_id: unknown }>> {
    const { rows } = await sql<{ outcome: string; target_user_id: unknown }>`select outcome, target_user_id from audit_events where type = ${type} order by seq`.execute(server.deps.database.db);
    return rows;
  }

  test('a fresh sign-in opens sensitive pages; after SUDO_SECONDS every one asks for the password first', async () => {
    const client = await signedIn('sudo-pages');
    for (const path of ['/settings/password', '/settings/email', '/settings/delete-account']) {
      assert.equal((await client.get(path)).status, 200, `${path} right after sign-in`);
    }
    later(SUDO + 1);
    for (const path of ['/settings/password', '/settings/email', '/settings/delete-account']) {
      const response = await client.get(path);
      assert.equal(response.status, 303, path);
      assert.equal(response.location, `/sudo?next=${encodeURIComponent(path)}`, path);
    }
    // Not every page is sensitive: the dashboard and the sessions list stay open.
    assert.equal((await client.get('/dashboard')).status, 200);
    assert.equal((await client.get('/settings/sessions')).status, 200);
  });

  test('a form posted after SUDO_SECONDS changes nothing and is sent to /sudo, back to its page', async () => {
    const client = await signedIn('sudo-post');
    await client.get('/settings/sessions'); // a csrf_token for the session
    later(SUDO + 1);
    const response = await client.postForm(
      '/settings/password',
      { current_password: GOOD_PASSWORD, new_password: 'another quite long passphrase 42' },
      { referer: `${server.url}/settings/password` },
    );
    assert.equal(response.status, 303);
    assert.equal(response.location, '/sudo?next=%2Fsettings%2Fpassword');
    // The password did not change: the old one still signs in.
    assert.equal((await new TestClient(server.url).signIn('sudo-post', GOOD_PASSWORD)).status, 303);
    // A post without its CSRF token is refused as forged, not redirected.
    const forged = await client.postForm('/settings/password', { csrf_token: null, current_password: GOOD_PASSWORD, new_password: 'x' });
    assert.equal(forged.status, 403);
  });

  test('confirming the password returns to next and opens sensitive pages again for SUDO_SECONDS; a wrong one is 400 and audited', async () => {
    const client = await signedIn('sudo-confirm');
    later(SUDO + 1);
    const prompt = await client.get('/sudo?next=%2Fsettings%2Fpassword');
    assert.equal(prompt.status, 200);
    assert.match(prompt.body, /name="current_password"/);
    assert.match(prompt.body, /name="next" value="\/settings\/password"/);
    const wrong = await client.postForm('/sudo', { current_password: 'not my password at all', next: '/settings/password' });
    assert.equal(wrong.status, 400);
    assert.equal((await client.get('/settings/password')).status, 303, 'still closed');
    const right = await client.postForm('/sudo', { current_password: GOOD_PASSWORD, next: '/settings/password' });
    assert.equal(right.status, 303);
    assert.equal(right.location, '/settings/password');
    assert.equal((await client.get('/settings/password')).status, 200);
    later(SUDO - 5);
    assert.equal((await client.get('/settings/password')).status, 200, 'still within SUDO_SECONDS of the confirmation');
    later(10);
    assert.equal((await client.get('/settings/password')).status, 303, 'expired again');
    const outcomes = (rows: Array<{ outcome: string }>) => rows.map((row) => row.outcome);
    assert.ok(outcomes(await events('sudo.failed')).includes('failure'));
    assert.ok(outcomes(await events('sudo.succeeded')).includes('success'));
  });

  test('next is a same-origin path only (open redirect)', async () => {
    const client = await signedIn('sudo-redirect');
    later(SUDO + 1);
    await client.get('/sudo');
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const response = await client.postForm('/sudo', { current_password: GOOD_PASSWORD, next });
      assert.equal(response.status, 303, next);
      assert.equal(response.location, '/dashboard', next);
    }
  });

  test('the API answers 403 reauthentication_required, and POST /api/v1/sudo opens it again', async () => {
    const client = new TestClient(server.url);
    await client.registerAndSignIn('sudo-api', GOOD_PASSWORD);
    const csrf = (await client.get('/api/v1/csrf')).json().csrfToken as string;
    later(SUDO + 1);
    const refused = await client.postJson('/api/v1/settings/email', { email: 'new-sudo-api@example.test', current_password: GOOD_PASSWORD }, { 'x-csrf-token': csrf });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().error, 'reauthentication_required');
    const wrong = await client.postJson('/api/v1/sudo', { current_password: 'wrong wrong wrong wrong' }, { 'x-csrf-token': csrf });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().field, 'current_password');
    assert.equal((await client.postJson('/api/v1/sudo', { current_password: GOOD_PASSWORD }, { 'x-csrf-token': csrf })).status, 204);
    const accepted = await client.postJson('/api/v1/settings/email', { email: 'new-sudo-api@example.test', current_password: GOOD_PASSWORD }, { 'x-csrf-token': csrf });
    assert.equal(accepted.status, 202, accepted.body);
  });

  test('every sensitive route declares sudo, admin actions included', () => {
    const sudoRoutes = new Set(server.app.declaredRoutes.filter((route) => route.sudo).map((route) => `${route.method} ${route.url}`));
    for (const route of ['GET /settings/password', 'POST /settings/password', 'GET /settings/email', 'POST /settings/email', 'GET /settings/delete-account', 'POST /settings/delete-account', 'POST /api/v1/settings/email']) {
      assert.ok(sudoRoutes.has(route), `${route} is not behind sudo mode`);
    }
    const adminChanges = server.app.declaredRoutes.filter((route) => /^\/(api\/v1\/)?admin\//.test(route.url) && !['GET', 'HEAD'].includes(route.method));
    for (const route of adminChanges) assert.ok(route.sudo, `${route.method} ${route.url} changes an account without sudo mode`);
  });
});
