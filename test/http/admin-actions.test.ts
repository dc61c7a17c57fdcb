// Property: every admin action does what it says, once, and leaves its audit row; the
// destructive ones only after a server-side confirmation; none without its CSRF token or a
// recent sign-in; and the last enabled admin cannot be demoted, disabled or deleted (issue #11).
//  - confirm first: the GET of a destructive action is a confirmation page that changes
//    nothing, and its POST without `confirm=yes` shows that page again, changing nothing
//    (v5.0.0-3.5.3; no script needed);
//  - each action, on the pages and through the API, changes the account as it says and is
//    recorded in audit_events with the admin as actor, the account as target, and the channel
//    (v5.0.0-16.3.3): role.changed, user.disabled, user.enabled, session.revoked,
//    password.reset_requested (a mail leaves), email.verification_sent, throttle.cleared,
//    user.deleted (the account goes, its events keep the id);
//  - a POST without its token, or with another session's, is 403 and changes nothing (v5.0.0-3.5.1);
//  - the last enabled admin: 409 with the reason, nothing changed, the refusal recorded;
//  - sudo: past SUDO_SECONDS a page action is sent to /sudo and the API answers 403
//    `reauthentication_required`, nothing changed (v5.0.0-7.5.1 applied to admin actions).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../src/domain/clock.ts';
import { normalizeUsername } from '../../src/domain/users/user.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let admin: TestClient;
let adminId: number;
let skew = 0;
const clock: Clock = { now: () => Date.now() + skew };
let accounts = 0;

async function userId(username: string): Promise<number> {
  const user = await server.deps.users.findUserByUsername(normalizeUsername(username));
  assert.ok(user, username);
  return user.id;
}

/** A new account, signed in: its client and id. */
async function member(prefix = 'member'): Promise<{ client: TestClient; id: number; username: string }> {
  accounts += 1;
  const username = `${prefix}-${accounts}`;
  const client = new TestClient(server.url);
  assert.equal((await client.registerAndSignIn(username)).status, 303);
  return { client, id: await userId(username), username };
}

/** The audit rows about `targetId` of a type, oldest first. */
async function eventsAbout(targetId: number, type: string) {
  const rows = await server.deps.database.db.selectFrom('audit_events').selectAll().where('target_user_id', '=', targetId).where('type', '=', type).orderBy('seq').execute();
  return rows.map((row) => ({ actor: row.actor_user_id === null ? null : Number(row.actor_user_id), outcome: row.outcome, channel: row.channel, details: JSON.parse(row.details) }));
}

/** Loads a page of the admin (for its csrf_token), then posts the form. */
async function adminPost(path: string, fields: Record<string, string | null> = {}, from = '/admin') {
  await admin.get(from);
  return admin.postForm(path, fields);
}

async function state(id: number) {
  const user = await server.deps.users.findUserById(id);
  return user && { role: user.role, disabled: user.disabled, credentialVersion: user.credentialVersion };
}

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' }, { clock });
  admin = new TestClient(server.url);
  assert.equal((await admin.registerAndSignIn('overseer')).status, 303);
  adminId = await userId('overseer');
  assert.ok(await server.deps.users.setRole(adminId, 'admin'));
});
after(() => server?.stop());

describe('destructive actions ask first, on the server', () => {
  test('the GET is a confirmation page, and a POST without confirm=yes shows it again: nothing changes', async () => {
    const target = await member();
    const before = await state(target.id);
    for (const action of ['role', 'disable', 'revoke-sessions', 'delete']) {
      const page = await admin.get(`/admin/users/${target.id}/${action}`);
      assert.equal(page.status, 200, action);
      const form = new RegExp(`<form method="post" action="/admin/users/${target.id}/${action}"[^>]*>[\\s\\S]*?name="csrf_token" value="[^"]+"[\\s\\S]*?<input type="hidden" name="confirm" value="yes">`);
      assert.match(page.body, form, `${action}: one form, with its token and confirm=yes`);
      for (const fields of [{}, { confirm: 'no', role: 'admin' }, { confirm: 'YES', role: 'admin' }] as Record<string, string>[]) {
        const unconfirmed = await adminPost(`/admin/users/${target.id}/${action}`, fields);
        assert.equal(unconfirmed.status, 200, `${action} ${JSON.stringify(fields)}`);
        assert.match(unconfirmed.body, form, `${action}: the confirmation page again`);
      }
    }
    assert.deepEqual(await state(target.id), before);
    assert.equal((await target.client.get('/dashboard')).status, 200, 'still signed in');
    const recorded = await server.deps.database.db.selectFrom('audit_events').select('type').where('target_user_id', '=', target.id).where('actor_user_id', '=', adminId).execute();
    assert.deepEqual(recorded.map((row) => row.type).filter((type) => type !== 'profile.viewed'), [], 'no action recorded');
  });
});

describe('each action works and is recorded', () => {
  test('role: promoted and demoted, applied at the next request, role.changed with from and to', async () => {
    const target = await member();
    const promoted = await adminPost(`/admin/users/${target.id}/role`, { confirm: 'yes', role: 'admin' });
    assert.equal(promoted.status, 303);
    assert.equal(promoted.location, `/admin/users/${target.id}`);
    assert.match((await admin.get(promoted.location!)).body, /<p class="notice" role="status">The role was changed\.<\/p>/);
    assert.equal((await state(target.id))?.role, 'admin');
    assert.equal((await target.client.get('/admin')).status, 200, 'the new admin opens the console at once');
    assert.equal((await adminPost(`/admin/users/${target.id}/role`, { confirm: 'yes', role: 'user' })).status, 303);
    assert.equal((await target.client.get('/admin')).status, 403);
    assert.deepEqual(await eventsAbout(target.id, 'role.changed'), [
      { actor: adminId, outcome: 'success', channel: 'web', details: { from: 'user', to: 'admin' } },
      { actor: adminId, outcome: 'success', channel: 'web', details: { from: 'admin', to: 'user' } },
    ]);
  });

  test('disable ends every session and refuses sign-in; enable lets it back; both recorded', async () => {
    const target = await member();
    const disabled = await adminPost(`/admin/users/${target.id}/disable`, { confirm: 'yes' });
    assert.equal(disabled.status, 303);
    assert.equal((await state(target.id))?.disabled, true);
    assert.equal((await target.client.get('/dashboard')).status, 303, 'signed out');
    assert.equal((await new TestClient(server.url).signIn(target.username, GOOD_PASSWORD)).status, 401);
    assert.match((await admin.get(`/admin/users/${target.id}`)).body, /action="\/admin\/users\/\d+\/enable"/, 'the page now offers enable');
    const enabled = await adminPost(`/admin/users/${target.id}/enable`);
    assert.equal(enabled.status, 303);
    assert.equal((await new TestClient(server.url).signIn(target.username, GOOD_PASSWORD)).status, 303);
    assert.deepEqual((await eventsAbout(target.id, 'user.disabled')).map((e) => [e.actor, e.outcome]), [[adminId, 'success']]);
    assert.deepEqual((await eventsAbout(target.id, 'user.enabled')).map((e) => [e.actor, e.outcome]), [[adminId, 'success']]);
  });

  test('sign out everywhere ends every session of the account; session.revoked, scope all', async () => {
    const target = await member();
    const second = new TestClient(server.url);
    assert.equal((await second.signIn(target.username, GOOD_PASSWORD)).status, 303);
    assert.equal((await adminPost(`/admin/users/${target.id}/revoke-sessions`, { confirm: 'yes' })).status, 303);
    assert.equal((await target.client.get('/dashboard')).status, 303);
    assert.equal((await second.get('/dashboard')).status, 303);
    assert.equal((await state(target.id))?.disabled, false, 'it may sign in again');
    assert.deepEqual(await eventsAbout(target.id, 'session.revoked'), [{ actor: adminId, outcome: 'success', channel: 'web', details: { scope: 'all' } }]);
  });

  test('a reset link and a confirmation link are mailed to the account; recorded; a confirmed address is a 409', async () => {
    const target = await member();
    const email = `${target.username}@example.test`;
    assert.equal((await adminPost(`/admin/users/${target.id}/send-reset`)).status, 303);
    assert.equal((await adminPost(`/admin/users/${target.id}/resend-verification`)).status, 303);
    await server.mail.runOnce();
    const outbox = path.join(server.dataDir, 'outbox');
    // The outbox names each file by its kind: <time>-<n>-<kind>.eml.
    const kinds = readdirSync(outbox)
      .filter((file) => readFileSync(path.join(outbox, file), 'utf8').includes(`To: ${email}`))
      .map((file) => /-([a-z-]+)\.eml$/.exec(file)?.[1]);
    assert.ok(kinds.includes('password-reset'), `a reset link: ${kinds}`);
    assert.ok(kinds.filter((kind) => kind === 'verify-email').length >= 2, `the first confirmation link and the new one: ${kinds}`);
    assert.deepEqual((await eventsAbout(target.id, 'password.reset_requested')).map((e) => [e.actor, e.outcome]), [[adminId, 'success']]);
    assert.deepEqual((await eventsAbout(target.id, 'email.verification_sent')).filter((e) => e.actor === adminId).length, 1);
    assert.ok(await server.deps.users.markEmailVerified(target.id, new Date()));
    const refused = await adminPost(`/admin/users/${target.id}/resend-verification`);
    assert.equal(refused.status, 409);
    assert.match(refused.body, /is already confirmed/);
  });

  test('unblock: a throttled account signs in again at once; throttle.cleared', async () => {
    const target = await member();
    const attacker = new TestClient(server.url);
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i += 1) status = (await attacker.signIn(target.username, 'not the right password')).status;
    assert.equal(status, 429, 'throttled');
    assert.equal((await attacker.signIn(target.username, GOOD_PASSWORD)).status, 429, 'even with the right password');
    assert.equal((await adminPost(`/admin/users/${target.id}/unblock`)).status, 303);
    assert.equal((await new TestClient(server.url).signIn(target.username, GOOD_PASSWORD)).status, 303);
    assert.deepEqual((await eventsAbout(target.id, 'throttle.cleared')).map((e) => [e.actor, e.outcome]), [[adminId, 'success']]);
  });

  test('delete: the account and its sessions go, back to the list with a notice; user.deleted keeps the id', async () => {
    const target = await member();
    const deleted = await adminPost(`/admin/users/${target.id}/delete`, { confirm: 'yes' });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/admin/users');
    assert.match((await admin.get('/admin/users')).body, /The account was deleted/);
    assert.equal(await server.deps.users.findUserById(target.id), undefined);
    assert.equal((await target.client.get('/dashboard')).status, 303);
    assert.equal((await admin.get(`/admin/users/${target.id}`)).status, 404);
    assert.deepEqual((await eventsAbout(target.id, 'user.deleted')).map((e) => [e.actor, e.outcome]), [[adminId, 'success']]);
    assert.match((await admin.get(`/admin/audit?type=user.deleted`)).body, new RegExp(`account ${target.id} \\(deleted\\)`));
  });
});

describe('refusals', () => {
  test('CSRF: without a token, or with another session\'s, every action is 403 and nothing changes', async () => {
    const target = await member();
    const other = await member('other');
    const foreignToken = other.client.lastCsrf!;
    const before = await state(target.id);
    for (const action of ['role', 'disable', 'revoke-sessions', 'delete', 'enable', 'send-reset', 'resend-verification', 'unblock']) {
      for (const csrf_token of [null, foreignToken, 'forged']) {
        const response = await adminPost(`/admin/users/${target.id}/${action}`, { confirm: 'yes', role: 'admin', csrf_token });
        assert.equal(response.status, 403, `${action} with ${csrf_token === null ? 'no token' : 'a wrong token'}`);
      }
      const api = await admin.request('POST', `/api/v1/admin/users/${target.id}/${action === 'delete' ? 'disable' : action}`, { body: '{"role":"admin"}', headers: { 'content-type': 'application/json' } });
      assert.equal(api.status, 403, `api ${action} without X-CSRF-Token`);
      assert.equal(api.json().error, 'csrf_failed');
    }
    assert.deepEqual(await state(target.id), before);
    assert.equal((await target.client.get('/dashboard')).status, 200);
    const acted = await server.deps.database.db.selectFrom('audit_events').select('type').where('target_user_id', '=', target.id).where('actor_user_id', '=', adminId).execute();
    assert.deepEqual(acted, [], 'nothing was recorded as done');
  });

  test('the last enabled admin cannot be demoted, disabled or deleted: 409 with the reason, the refusal recorded', async () => {
    for (const [action, fields] of [['role', { confirm: 'yes', role: 'user' }], ['disable', { confirm: 'yes' }], ['delete', { confirm: 'yes' }]] as const) {
      const response = await adminPost(`/admin/users/${adminId}/${action}`, fields);
      assert.equal(response.status, 409, action);
      assert.match(response.body, /overseer is the last enabled administrator/, action);
    }
    for (const [method, url, body] of [['POST', `/api/v1/admin/users/${adminId}/role`, { role: 'user' }], ['POST', `/api/v1/admin/users/${adminId}/disable`, {}], ['DELETE', `/api/v1/admin/users/${adminId}`, undefined]] as const) {
      if (!admin.apiCsrf) admin.apiCsrf = (await admin.get('/api/v1/csrf')).json().csrfToken;
      const response = await admin.request(method, url, { body: body && JSON.stringify(body), headers: { ...(body ? { 'content-type': 'application/json' } : {}), 'x-csrf-token': admin.apiCsrf! } });
      assert.equal(response.status, 409, url);
      assert.equal(response.json().error, 'conflict');
    }
    assert.deepEqual(await state(adminId).then((s) => s && [s.role, s.disabled]), ['admin', false]);
    assert.equal((await admin.get('/admin')).status, 200);
    const refusals = [...(await eventsAbout(adminId, 'role.changed')), ...(await eventsAbout(adminId, 'user.disabled')), ...(await eventsAbout(adminId, 'user.deleted'))];
    assert.ok(refusals.length >= 6 && refusals.every((e) => e.outcome === 'failure' && e.details.reason === 'last_admin'), JSON.stringify(refusals));
  });
});

test('the API: every action works, answers JSON, and is recorded with channel api', async () => {
  const target = await member();
  const api = new TestClient(server.url);
  assert.equal((await api.postJson('/api/v1/login', { username: 'overseer', password: GOOD_PASSWORD })).status, 200);
  api.apiCsrf = (await api.get('/api/v1/csrf')).json().csrfToken;
  const role = await api.postJson(`/api/v1/admin/users/${target.id}/role`, { role: 'admin' });
  assert.equal(role.status, 200);
  assert.equal(role.json().user.role, 'admin');
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/role`, { role: 'root' })).status, 400);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/role`, { role: 'user', id: adminId })).status, 400, 'unknown fields refused');
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/disable`, {})).json().user.disabled, true);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/enable`, {})).json().user.disabled, false);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/revoke-sessions`, {})).status, 200);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/send-reset`, {})).status, 204);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/resend-verification`, {})).status, 204);
  assert.equal((await api.postJson(`/api/v1/admin/users/${target.id}/unblock`, {})).status, 204);
  assert.equal((await api.postJson('/api/v1/admin/users/99999999/unblock', {})).status, 404);
  assert.equal((await api.request('DELETE', `/api/v1/admin/users/${target.id}`, { headers: { 'x-csrf-token': api.apiCsrf! } })).status, 204);
  for (const type of ['role.changed', 'user.disabled', 'user.enabled', 'session.revoked', 'password.reset_requested', 'email.verification_sent', 'throttle.cleared', 'user.deleted']) {
    const rows = (await eventsAbout(target.id, type)).filter((e) => e.actor === adminId && e.outcome === 'success');
    assert.ok(rows.length >= 1 && rows.every((e) => e.channel === 'api'), type);
  }
});

test('sudo: past SUDO_SECONDS an action is sent to confirm the password (pages) or refused (API); nothing changes', async () => {
  const target = await member();
  const api = new TestClient(server.url);
  assert.equal((await api.postJson('/api/v1/login', { username: 'overseer', password: GOOD_PASSWORD })).status, 200);
  api.apiCsrf = (await api.get('/api/v1/csrf')).json().csrfToken;
  skew += 11 * 60 * 1000;
  try {
    const confirmPage = await admin.get(`/admin/users/${target.id}/disable`);
    assert.equal(confirmPage.status, 303);
    assert.equal(confirmPage.location, `/sudo?next=${encodeURIComponent(`/admin/users/${target.id}/disable`)}`);
    const post = await adminPost(`/admin/users/${target.id}/disable`, { confirm: 'yes' }, `/admin/users/${target.id}`);
    assert.equal(post.status, 303);
    assert.match(post.location ?? '', /^\/sudo\?next=/);
    const refused = await api.postJson(`/api/v1/admin/users/${target.id}/disable`, {});
    assert.equal(refused.status, 403);
    assert.equal(refused.json().error, 'reauthentication_required');
    assert.equal((await state(target.id))?.disabled, false);
    assert.equal((await admin.get(`/admin/users/${target.id}`)).status, 200, 'reading needs no recent sign-in');
  } finally {
    skew = 0;
  }
});
