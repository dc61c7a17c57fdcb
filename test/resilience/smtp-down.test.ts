// Property (issue #14; v5.0.0-16.5.2 graceful degradation): an SMTP outage never costs a user
// their registration or their reset mail. A real `gatehouse serve` whose SMTP_URL points at a
// closed port accepts a registration (303) and a forgot-password (200); the mails wait in the
// queue with their failed attempt counted; the server is then killed with SIGKILL (no chance to
// flush anything), a real SMTP server comes up on that port, and a restarted server delivers
// each mail exactly once, when its retry falls due (the first retry is 30 s after the first
// failure, domain/mail/retry.ts: this test waits for it in real time, up to 45 s).
// test/mail/delivery.test.ts covers the sender alone with a test clock.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CliWorkspace } from '../helpers/cli.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestSmtp } from '../helpers/smtp.ts';

const ADDRESS = 'offline@example.test';

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('SMTP down: mail is queued, survives SIGKILL, and is delivered once SMTP is back', () => {
  const cli = new CliWorkspace();
  cli.forbid(GOOD_PASSWORD);
  const stops: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cli.cleanup();
  });

  test('registration and forgot-password succeed with SMTP down; after a SIGKILL and a restart with SMTP up, each mail arrives once', { timeout: 90_000 }, async () => {
    // A port that refuses connections now and takes them later: the test SMTP server's, closed.
    const smtp = await startTestSmtp();
    await smtp.stop();
    stops.push(() => smtp.stop());
    const env = { SMTP_URL: smtp.url, GLOBAL_RATE_LIMIT: '0' };
    const first = await cli.spawnServe(env);

    const client = new TestClient(first.url);
    await client.get('/register');
    const registered = await client.postForm('/register', { username: 'offline', email: ADDRESS, password: GOOD_PASSWORD });
    assert.equal(registered.status, 303, registered.body.slice(0, 300));
    assert.equal(registered.location, '/login');
    const asker = new TestClient(first.url);
    await asker.get('/forgot-password');
    const asked = await asker.postForm('/forgot-password', { email: ADDRESS });
    assert.equal(asked.status, 200);

    const db = new Database(path.join(cli.dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
    stops.push(async () => db.close());
    const rows = () => db.prepare('SELECT kind, status, attempts, last_error FROM mail_queue WHERE recipient = ? ORDER BY id').all(ADDRESS) as Array<{ kind: string; status: string; attempts: number; last_error: string | null }>;
    // Both tried once and refused (ECONNREFUSED), both still pending.
    const tried = await until('both mails tried once', 15_000, () => {
      const current = rows();
      return current.length === 2 && current.every((row) => row.attempts >= 1) ? current : undefined;
    });
    assert.deepEqual(tried.map((row) => row.status), ['pending', 'pending']);
    assert.ok(tried.every((row) => /ECONNREFUSED|connect/i.test(row.last_error ?? '')), JSON.stringify(tried.map((row) => row.last_error)));
    const kinds = tried.map((row) => row.kind);

    const killed = await first.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    await smtp.start();
    const second = await cli.spawnServe(env);
    stops.push(() => second.stop());

    const delivered = await until('both mails delivered after the restart', 45_000, () => {
      const to = smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === ADDRESS);
      return to.length >= 2 ? to : undefined;
    });
    // One more round of the sender (2 s) must not send anything twice.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === ADDRESS).length, 2, 'each mail once');
    assert.ok(delivered.some((mail) => (mail.text ?? '').includes('/verify-email?token=')), 'the verification mail');
    assert.ok(delivered.some((mail) => (mail.text ?? '').includes('/reset-password?token=')), 'the reset mail');
    assert.deepEqual(rows().map((row) => [row.kind, row.status]), kinds.map((kind) => [kind, 'sent']));
    // The account itself was never in doubt.
    assert.equal((await new TestClient(second.url).signIn('offline', GOOD_PASSWORD)).status, 303);
  });
});
