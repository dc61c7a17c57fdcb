// Property (issue #10): mail is never lost and never sent twice. Through a real SMTP server:
// a queued message arrives with both bodies; while the server is down it stays queued with
// its next attempt set, and arrives after the server returns, also when the sender is a new
// one (a restart); two senders racing deliver each message once. Without SMTP_URL each
// message is one .eml file (mode 0600) whose To: names the recipient, and its log line
// carries no link. Time is a test clock, never real waiting.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Clock, OutgoingMail } from '../../src/domain/ports.ts';
import { createMailSender } from '../../src/storage/mail/mail-sender.ts';
import { createOutboxTransport, createSmtpTransport } from '../../src/storage/mail/transports.ts';
import { createSqlMailQueue } from '../../src/storage/sql/mail-queue-store.ts';
import { openTestStores, type TestStores } from '../helpers/stores.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';

const KEY = Buffer.alloc(32, 5);
const FROM = 'Gatehouse <no-reply@auth.example.test>';

function message(n: number): OutgoingMail {
  const link = `https://auth.example.test/verify-email?token=secret-token-${n}`;
  return { to: `person${n}@example.test`, kind: 'verify-email', subject: `Confirm your address ${n}`, text: `Confirm: ${link}`, html: `<p><a href="${link}">Confirm</a></p>` };
}

class TestClock implements Clock {
  ms = Date.UTC(2030, 5, 1);
  now() {
    return this.ms;
  }
}

describe('mail delivery through a real SMTP server', () => {
  let stores: TestStores;
  let smtp: TestSmtp;
  const clock = new TestClock();
  const warnings: string[] = [];
  const sender = (url: string) =>
    createMailSender({ queue: createSqlMailQueue(stores.database.db, KEY), transport: createSmtpTransport(url, FROM), clock, warn: (line, fields) => warnings.push(`${line} ${JSON.stringify(fields)}`) });

  before(async () => {
    stores = await openTestStores(process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite', () => clock.now());
    smtp = await startTestSmtp();
  });
  after(async () => {
    await smtp.stop();
    await stores.close();
  });

  test('a queued message arrives with its headers and both bodies', async () => {
    await createSqlMailQueue(stores.database.db, KEY).enqueue(message(1), new Date(clock.now()));
    const one = sender(smtp.url);
    assert.equal(await one.runOnce(), 1);
    await one.stop();
    const [got] = smtp.received;
    assert.equal(got?.to && 'text' in got.to ? got.to.text : '', 'person1@example.test');
    assert.equal(got?.from?.text, '"Gatehouse" <no-reply@auth.example.test>');
    assert.equal(got?.subject, 'Confirm your address 1');
    assert.match(got?.text ?? '', /verify-email\?token=secret-token-1/);
    assert.match(String(got?.html), /<a href="https:\/\/auth\.example\.test\/verify-email\?token=secret-token-1">/);
  });

  test('SMTP down: the message waits with its next attempt; back up: a new sender delivers it, once', async () => {
    const url = smtp.url;
    await smtp.stop();
    await createSqlMailQueue(stores.database.db, KEY).enqueue(message(2), new Date(clock.now()));
    const first = sender(url);
    assert.equal(await first.runOnce(), 0);
    await first.stop();
    const [waiting] = await createSqlMailQueue(stores.database.db, KEY).listUnsent();
    assert.equal(waiting?.attempts, 1);
    assert.equal(waiting?.nextAttemptAt.getTime(), clock.now() + 30_000, 'retried 30 s later');
    assert.match(warnings.join('\n'), /will retry/);
    assert.doesNotMatch(warnings.join('\n'), /secret-token/, 'no link in a log line');
    await smtp.start();
    clock.ms += 60 * 60 * 1000; // an hour later, after a restart
    const restarted = sender(url);
    const racing = sender(url);
    const delivered = (await Promise.all([restarted.runOnce(), racing.runOnce()])).reduce((a, b) => a + b, 0);
    await Promise.all([restarted.stop(), racing.stop()]);
    assert.equal(delivered, 1);
    assert.equal(smtp.received.filter((m) => m.subject === 'Confirm your address 2').length, 1, 'delivered exactly once');
    assert.deepEqual(await createSqlMailQueue(stores.database.db, KEY).listUnsent(), []);
  });
});

describe('without SMTP_URL: the outbox', () => {
  let stores: TestStores;
  let dataDir: string;
  const logs: string[] = [];
  before(async () => {
    stores = await openTestStores('sqlite');
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-outbox-'));
  });
  after(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('each message is one .eml file whose To: names the recipient; the log line has no link', async () => {
    const queue = createSqlMailQueue(stores.database.db, KEY);
    await queue.enqueue(message(3), new Date());
    const outbox = createMailSender({
      queue,
      transport: createOutboxTransport(dataDir, FROM, (line, fields) => logs.push(`${line} ${JSON.stringify(fields)}`)),
      clock: { now: () => Date.now() },
      warn: (line) => logs.push(line),
    });
    assert.equal(await outbox.runOnce(), 1);
    await outbox.stop();
    const files = readdirSync(path.join(dataDir, 'outbox'));
    assert.equal(files.length, 1);
    const file = path.join(dataDir, 'outbox', files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const eml = readFileSync(file, 'utf8');
    assert.match(eml, /^To: person3@example\.test$/m);
    assert.match(eml, /verify-email\?token=secret-token-3/);
    assert.match(logs.join('\n'), /person3@example\.test/);
    assert.doesNotMatch(logs.join('\n'), /secret-token/);
  });
});

describe('gatehouse mail-queue', () => {
  test('lists what waits and what failed, with attempts and next try, and never a link', async () => {
    const { CliWorkspace } = await import('../helpers/cli.ts');
    const cli = new CliWorkspace();
    try {
      assert.equal((await cli.run(['migrate'])).code, 0);
      assert.match((await cli.run(['mail-queue'])).stdout, /no mail waiting/);
      const server = await cli.startServer({ SMTP_URL: 'smtp://127.0.0.1:1' });
      await server.mail.stop();
      const queue = server.deps.mailQueue;
      await queue.enqueue(message(7), new Date());
      await queue.enqueue(message(8), new Date());
      const [failed] = await queue.claimDue(new Date(), new Date(Date.now() + 60_000), 1);
      await queue.markFailed(failed!.id, 'connect ECONNREFUSED 127.0.0.1:1', null);
      const listed = await cli.run(['mail-queue']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^id +to +kind +status +attempts +next try +last error$/m);
      assert.match(listed.stdout, /person7@example\.test +verify-email +failed +1 +- +connect ECONNREFUSED/);
      assert.match(listed.stdout, /person8@example\.test +verify-email +pending +0 +\d{4}-\d\d-\d\dT/);
      assert.doesNotMatch(listed.stdout, /token|Confirm/);
      const json = (await cli.run(['mail-queue', '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as { to: string; status: string });
      assert.deepEqual(json.map((m) => [m.to, m.status]), [['person7@example.test', 'failed'], ['person8@example.test', 'pending']]);
    } finally {
      await cli.cleanup();
    }
  });
});
