// The audit log records every listed security event exactly once, with the right fields,
// after the action that causes it (issue #11; ASVS v5.0.0-16.2.1 who/what/when/where,
// v5.0.0-16.3.1 authentication events, v5.0.0-16.3.2 failed authorization, v5.0.0-16.3.3
// security control bypass attempts, v5.0.0-16.2.5 no sensitive data in logs). Each step runs
// one action and asserts the events written since the previous step, in order: nothing missing,
// nothing twice, nothing extra. At the end no row or log line holds a password or a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { latestLink, NEW_PASSWORD } from './recovery-helpers.ts';

interface Row {
  seq: number;
  type: string;
  actor: number | null;
  target: number | null;
  ip: string | null;
  channel: string;
  outcome: string;
  details: Record<string, unknown>;
  user_agent: string | null;
}

const VERIFY_LINK = /https?:\/\/[^\s"<]+\/verify-email\?token=([A-Za-z0-9_-]{43})/;
const SECOND_PASSWORD = 'a second passphrase for the audit test';

describe('security events are recorded exactly once', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let stop: () => Promise<void>;
  let seen = 0;
  const secrets: string[] = [GOOD_PASSWORD, NEW_PASSWORD, SECOND_PASSWORD];
  let eve: TestClient;
  let eveId = 0;

  before(async () => {
    ({ server, smtp, stop } = await startServerWithSmtp({ REGISTER_MAX_PER_HOUR: '1000', LOGIN_MAX_FAILURES: '3' }));
  });
  after(() => stop());

  async function rowsSince(): Promise<Row[]> {
    const { rows } = await sql<Record<string, unknown>>`select * from audit_events where seq > ${seen} order by seq`.execute(server.deps.database.db);
    const mapped = rows.map((row) => ({
      seq: Number(row.seq),
      type: String(row.type),
      actor: row.actor_user_id === null ? null : Number(row.actor_user_id),
      target: row.target_user_id === null ? null : Number(row.target_user_id),
      ip: row.ip as string | null,
      channel: String(row.channel),
      outcome: String(row.outcome),
      details: JSON.parse(String(row.details)),
      user_agent: row.user_agent as string | null,
    }));
    if (mapped.length > 0) seen = mapped.at(-1)!.seq;
    return mapped;
  }

  /** The events since the last step are exactly `expected` (type and the given fields), in order. */
  async function expectEvents(step: string, expected: Array<Partial<Row> & { type: string }>): Promise<Row[]> {
    // A throttled refusal's event is written with the next group commit, not before the 429
    // (login.ts): give it up to a second to land.
    const before = seen;
    let rows = await rowsSince();
    for (let tries = 0; rows.length < expected.length && tries < 40; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      seen = before;
      rows = await rowsSince();
    }
    assert.deepEqual(
      rows.map((row) => row.type),
      expected.map((event) => event.type),
      `${step}: the events written`,
    );
    rows.forEach((row, i) => {
      for (const [key, value] of Object.entries(expected[i]!)) assert.deepEqual(row[key as keyof Row], value, `${step}: ${row.type}.${key}`);
    });
    return rows;
  }

  async function mailedVerifyToken(address: string): Promise<string> {
    await server.mail.runOnce();
    const mail = smtp.received.filter((m) => !Array.isArray(m.to) && m.to?.text === address && VERIFY_LINK.test(m.text ?? '')).at(-1);
    assert.ok(mail, `a verification link to ${address}`);
    const token = VERIFY_LINK.exec(mail.text ?? '')![1]!;
    secrets.push(token);
    return token;
  }

  test('registration and sign-in', async () => {
    eve = new TestClient(server.url);
    assert.equal((await eve.registerAndSignIn('eve', GOOD_PASSWORD, 'eve@example.test')).status, 303);
    eveId = Number(/data-user-id="(\d+)"/.exec((await eve.get('/profile')).body)?.[1]);
    assert.ok(eveId > 0);
    const [registered, signedIn] = await expectEvents('register + sign in', [
      { type: 'user.registered', outcome: 'success', target: eveId, actor: eveId, channel: 'web', ip: '127.0.0.1' },
      { type: 'login.succeeded', outcome: 'success', target: eveId, actor: eveId, channel: 'web' },
    ]);
    assert.ok(registered && signedIn);
  });

  test('refused sign-ins carry their internal reason; an unknown name is not stored', async () => {
    await new TestClient(server.url).signIn('eve', 'not the password at all');
    await new TestClient(server.url).signIn('mallory-probe-name', 'whatever password here');
    const api = new TestClient(server.url);
    await api.postJson('/api/v1/login', { username: 'eve@example.test', password: 'still not the password' });
    const rows = await expectEvents('failures', [
      { type: 'login.failed', outcome: 'failure', target: eveId, actor: null, details: { reason: 'bad_password' }, channel: 'web' },
      { type: 'login.failed', outcome: 'failure', target: null, actor: null, details: { reason: 'unknown_user' } },
      { type: 'login.failed', outcome: 'failure', target: eveId, details: { reason: 'bad_password' }, channel: 'api' },
    ]);
    assert.ok(!JSON.stringify(rows).includes('mallory-probe-name'), 'the typed name is not kept');
    // One more wrong password reaches LOGIN_MAX_FAILURES=3 for this pair; the next is throttled.
    await new TestClient(server.url).signIn('eve', 'wrong again and again');
    const throttled = await new TestClient(server.url).signIn('eve', GOOD_PASSWORD);
    assert.equal(throttled.status, 429);
    await expectEvents('throttle', [
      { type: 'login.failed', details: { reason: 'bad_password' } },
      { type: 'login.failed', target: eveId, details: { reason: 'throttled' } },
    ]);
    const unblocked = await server.deps.userService.unblock({ username: 'eve' }, CLI_CONTEXT);
    assert.ok(unblocked.ok);
    await expectEvents('unblock', [{ type: 'throttle.cleared', target: eveId, actor: null, channel: 'cli', details: { addresses: 1 } }]);
    assert.equal((await new TestClient(server.url).signIn('eve', GOOD_PASSWORD)).status, 303, 'unblocked');
    await expectEvents('sign-in after unblock', [{ type: 'login.succeeded', target: eveId }]);
  });

  test('email verification, password change, email change', async () => {
    const token = await mailedVerifyToken('eve@example.test');
    await eve.openLink(`/verify-email?token=${token}`);
    assert.equal((await eve.postForm('/verify-email', { token })).status, 303);
    await expectEvents('verify', [{ type: 'email.verified', target: eveId, outcome: 'success' }]);

    await eve.get('/settings/password');
    const changed = await eve.postForm('/settings/password', { current_password: GOOD_PASSWORD, new_password: SECOND_PASSWORD });
    assert.equal(changed.status, 303);
    await expectEvents('password change', [{ type: 'password.changed', target: eveId, actor: eveId }]);

    await eve.get('/settings/email');
    assert.equal((await eve.postForm('/settings/email', { email: 'eve.new@example.test', current_password: SECOND_PASSWORD })).status, 303);
    await expectEvents('email change request', [{ type: 'email.change_requested', target: eveId, actor: eveId }]);
    const changeToken = await mailedVerifyToken('eve.new@example.test');
    await eve.openLink(`/verify-email?token=${changeToken}`);
    assert.equal((await eve.postForm('/verify-email', { token: changeToken })).status, 303);
    await expectEvents('email change confirmed', [{ type: 'email.changed', target: eveId }]);
  });

  test('sessions: ending others, signing out', async () => {
    const other = new TestClient(server.url);
    await other.signIn('eve', SECOND_PASSWORD);
    await eve.get('/settings/sessions');
    assert.equal((await eve.postForm('/settings/sessions/revoke-others', {})).status, 303);
    await expectEvents('revoke others', [
      { type: 'login.succeeded', target: eveId },
      { type: 'session.revoked', target: eveId, actor: eveId, details: { scope: 'others', count: 1 } },
    ]);
    await eve.get('/dashboard');
    assert.equal((await eve.postForm('/logout', {})).status, 303);
    await expectEvents('logout', [{ type: 'logout', target: eveId, actor: eveId }]);
    // A stale tab signing out again records nothing: there was no session.
    await eve.postForm('/logout', {});
    await expectEvents('stale logout', []);
  });

  test('password reset and "this wasn\'t me"', async () => {
    const anonymous = new TestClient(server.url);
    await anonymous.get('/forgot-password');
    await anonymous.postForm('/forgot-password', { email: 'eve.new@example.test' });
    await anonymous.postForm('/forgot-password', { email: 'nobody-here@example.test' });
    await expectEvents('reset requested (an unknown address records nothing)', [{ type: 'password.reset_requested', target: eveId, actor: null }]);
    const reset = await latestLink(server, smtp, 'eve.new@example.test', '/reset-password');
    secrets.push(reset);
    const resetter = new TestClient(server.url);
    await resetter.openLink(`/reset-password?token=${reset}`);
    assert.equal((await resetter.postForm('/reset-password', { token: reset, password: NEW_PASSWORD })).status, 303);
    await expectEvents('reset', [{ type: 'password.reset', target: eveId }]);
    const secure = await latestLink(server, smtp, 'eve.new@example.test', '/secure-account');
    secrets.push(secure);
    const securer = new TestClient(server.url);
    await securer.openLink(`/secure-account?token=${secure}`);
    assert.equal((await securer.postForm('/secure-account', { token: secure })).status, 303);
    await expectEvents('secured', [{ type: 'account.secured', target: eveId, details: { via: 'link' } }]);
  });

  test('admin actions: profile read, role, disable/enable, a disabled sign-in, deletion keeps only the id', async () => {
    const admin = new TestClient(server.url);
    await admin.registerAndSignIn('audit-admin', GOOD_PASSWORD, 'audit-admin@example.test');
    const adminId = Number(/data-user-id="(\d+)"/.exec((await admin.get('/profile')).body)?.[1]);
    assert.ok((await server.deps.userService.setRole({ id: adminId }, 'admin', CLI_CONTEXT)).ok);
    await expectEvents('admin set up', [{ type: 'user.registered' }, { type: 'login.succeeded' }, { type: 'role.changed', target: adminId, channel: 'cli', details: { from: 'user', to: 'admin' } }]);

    assert.equal((await admin.get(`/profile?id=${eveId}`)).status, 200);
    assert.equal((await admin.get('/profile')).status, 200);
    await expectEvents('profile read (their own is not an event)', [{ type: 'profile.viewed', actor: adminId, target: eveId }]);

    const by = { actorUserId: adminId, ip: '127.0.0.1', userAgent: 'test', channel: 'web' as const };
    assert.ok((await server.deps.userService.setDisabled({ id: eveId }, true, by)).ok);
    assert.ok((await server.deps.userService.setDisabled({ id: eveId }, true, by)).ok, 'disabling twice changes nothing');
    await new TestClient(server.url).signIn('eve', NEW_PASSWORD);
    assert.ok((await server.deps.userService.setDisabled({ id: eveId }, false, by)).ok);
    await expectEvents('disable, refused sign-in, enable', [
      { type: 'user.disabled', actor: adminId, target: eveId },
      { type: 'login.failed', target: eveId },
      { type: 'user.enabled', actor: adminId, target: eveId },
    ]);

    const refused = await server.deps.userService.setRole({ id: adminId }, 'user', by);
    assert.deepEqual(refused, { ok: false, reason: 'last_admin' });
    await expectEvents('last admin', [{ type: 'role.changed', outcome: 'failure', target: adminId, details: { reason: 'last_admin' } }]);

    assert.ok((await server.deps.userService.deleteUser({ id: eveId }, by)).ok);
    const [deleted] = await expectEvents('deleted', [{ type: 'user.deleted', actor: adminId, target: eveId, details: {} }]);
    assert.ok(deleted);
    // Nothing personal about eve is left in the log: her events name her by number only.
    const { rows } = await sql<Record<string, unknown>>`select * from audit_events`.execute(server.deps.database.db);
    const all = JSON.stringify(rows);
    for (const personal of ['eve@example.test', 'eve.new@example.test', '"eve"']) assert.ok(!all.includes(personal), `the log keeps ${personal}`);
  });

  test('no row and no log line holds a password or a token; each event is also a structured log line', async () => {
    const { rows } = await sql<Record<string, unknown>>`select * from audit_events`.execute(server.deps.database.db);
    const all = JSON.stringify(rows);
    const logs = server.logs.join('\n');
    for (const secret of secrets) {
      assert.ok(!all.includes(secret), 'a secret in audit_events');
      assert.ok(!logs.includes(secret), 'a secret in the logs');
    }
    const auditLines = server.logs.map((line) => JSON.parse(line)).filter((line) => line.audit);
    assert.equal(auditLines.length, rows.length, 'one log line per event');
    assert.ok(auditLines.every((line) => typeof line.audit.mac === 'string' && line.audit.mac.length === 64));
    assert.equal((await server.deps.auditMaintenance.verify()).ok, true, 'and the chain verifies');
  });
});
