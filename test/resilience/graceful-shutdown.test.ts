// Property (issue #14; v5.0.0-16.5.3): SIGTERM drains, it does not cut. A real `gatehouse
// serve` gets SIGTERM while a mail is half-way through its SMTP delivery (the test SMTP server
// holds DATA for 1.5 s) and while three registrations are in flight (headers and half a body
// sent on open connections). Every in-flight registration completes with its 303 and its user
// signs in after a restart; the mail in delivery is accepted by SMTP exactly once and marked
// sent before the process exits 0; the in-flight registrations' own mails are queued (pending,
// none lost) and a restarted server delivers them, each once. test/http/shutdown.test.ts
// covers one in-flight sign-in and refused new connections.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { CliWorkspace } from '../helpers/cli.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';

/** How long the SMTP server holds each message's DATA before accepting it. */
const HOLD_MS = 1500;

async function slowSmtp(): Promise<{ url: string; received: ParsedMail[]; dataStarted: Promise<void>; stop(): Promise<void> }> {
  const received: ParsedMail[] = [];
  let started: () => void = () => {};
  const dataStarted = new Promise<void>((resolve) => (started = resolve));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      started();
      simpleParser(stream).then(
        (mail) =>
          setTimeout(() => {
            received.push(mail);
            callback();
          }, HOLD_MS),
        callback,
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, dataStarted, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A registration whose headers and first half of the body are sent now; `finish()` sends the rest. */
async function halfSentRegistration(url: string, username: string) {
  const client = new TestClient(url);
  await client.get('/register');
  const body = new URLSearchParams({ csrf_token: client.lastCsrf!, username, email: `${username}@example.test`, password: GOOD_PASSWORD }).toString();
  const request = http.request(`${url}/register`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), cookie: client.cookieHeader(), connection: 'close' },
  });
  const answered = new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    request.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  request.write(body.slice(0, half));
  return { answered, finish: () => request.end(body.slice(half)) };
}

const to = (received: ParsedMail[], address: string) => received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === address);

describe('graceful shutdown drains requests and the mail sender', () => {
  const cli = new CliWorkspace();
  cli.forbid(GOOD_PASSWORD);
  const stops: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cli.cleanup();
  });

  test('SIGTERM mid-delivery and mid-request: the mail is sent once and marked sent, the requests complete, exit 0, the rest is delivered after a restart', { timeout: 60_000 }, async () => {
    const smtp = await slowSmtp();
    stops.push(() => smtp.stop());
    const env = { SMTP_URL: smtp.url, GLOBAL_RATE_LIMIT: '0' };
    const first = await cli.spawnServe(env);
    stops.push(() => first.stop('SIGKILL'));

    const inFlight = await Promise.all(['drain1', 'drain2', 'drain3'].map((name) => halfSentRegistration(first.url, name)));
    // One registration completes; its verification mail starts its (slow) delivery.
    const early = new TestClient(first.url);
    await early.get('/register');
    assert.equal((await early.postForm('/register', { username: 'early', email: 'early@example.test', password: GOOD_PASSWORD })).status, 303);
    await smtp.dataStarted;

    const signalled = first.stop('SIGTERM', 15_000);
    // The signal is handled (the log says so) while the mail is held and the requests wait.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const request of inFlight) request.finish();
    const answers = await Promise.all(inFlight.map((request) => request.answered));
    assert.deepEqual(answers, inFlight.map(() => ({ status: 303, location: '/login' })));
    const exit = await signalled;
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);

    // The mail in delivery went out once and is recorded as sent: a restart will not resend it.
    assert.equal(to(smtp.received, 'early@example.test').length, 1);
    const db = new Database(path.join(cli.dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
    stops.push(async () => db.close());
    const statusOf = (address: string) => (db.prepare("SELECT status FROM mail_queue WHERE recipient = ? AND kind NOT LIKE '%new_device%'").all(address) as Array<{ status: string }>).map((row) => row.status);
    assert.deepEqual(statusOf('early@example.test'), ['sent']);
    for (const name of ['drain1', 'drain2', 'drain3']) assert.equal(statusOf(`${name}@example.test`).length, 1, `${name}'s mail is queued`);

    const second = await cli.spawnServe(env);
    stops.push(() => second.stop());
    const deadline = Date.now() + 20_000;
    while (['drain1', 'drain2', 'drain3'].some((name) => to(smtp.received, `${name}@example.test`).length === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    for (const name of ['early', 'drain1', 'drain2', 'drain3']) assert.equal(to(smtp.received, `${name}@example.test`).length, 1, `${name}: one mail`);
    for (const name of ['drain1', 'drain2', 'drain3']) assert.equal((await new TestClient(second.url).signIn(name, GOOD_PASSWORD)).status, 303, `${name} signs in`);
  });
});
