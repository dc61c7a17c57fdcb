// /settings/activity (issue #11): a user sees their own recent security events — sign-ins
// with device and IP, refused attempts, changes, what an administrator or operator did to the
// account — and nobody else's (v5.0.0-8.2.2), in English and Spanish.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('security activity', () => {
  let server: TestServer;
  let olga: TestClient;
  let olgaId = 0;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
    olga = new TestClient(server.url);
    await olga.registerAndSignIn('olga', GOOD_PASSWORD);
    olgaId = Number(/data-user-id="(\d+)"/.exec((await olga.get('/profile')).body)?.[1]);
    // A refused attempt from a browser, an admin action by an operator, a second sign-in.
    await new TestClient(server.url).signIn('olga', 'wrong password from elsewhere');
    const browser = new TestClient(server.url);
    await browser.get('/login', { 'user-agent': FIREFOX });
    await browser.postForm('/login', { username: 'olga', password: 'not her password' }, { 'user-agent': FIREFOX });
    assert.ok((await server.deps.userService.revokeSessions({ username: 'olga' }, CLI_CONTEXT)).ok);
    olga = new TestClient(server.url);
    await olga.signIn('olga', GOOD_PASSWORD);
    // Someone else's events, which olga must not see.
    const pat = new TestClient(server.url);
    await pat.registerAndSignIn('patricia', GOOD_PASSWORD, 'pat@example.test');
  });
  after(() => server.stop());

  const rowTypes = (body: string) => [...body.matchAll(/<tr data-event-type="([^"]+)"/g)].map((m) => m[1]);

  test('newest first: the sign-ins, the refused attempts (with device and IP), the operator\'s action', async () => {
    const page = await olga.get('/settings/activity');
    assert.equal(page.status, 200);
    assert.deepEqual(rowTypes(page.body), ['login.succeeded', 'session.revoked', 'login.failed', 'login.failed', 'login.succeeded', 'user.registered']);
    assert.match(page.body, /Sign-in attempt refused <strong>\(failed\)<\/strong>/);
    assert.match(page.body, /Firefox 133 on Windows/);
    assert.match(page.body, /Session ended by an operator \(command line\)/);
    assert.match(page.body, /<td>127\.0\.0\.1<\/td>/);
    assert.match(page.body, /href="\/settings\/secure-account"/);
  });

  test('only one\'s own events: another account\'s are not there', async () => {
    const page = await olga.get('/settings/activity');
    assert.equal(rowTypes(page.body).filter((type) => type === 'user.registered').length, 1, 'another user\'s registration leaked');
    const pat = new TestClient(server.url);
    await pat.signIn('patricia', GOOD_PASSWORD);
    const theirs = await pat.get(`/settings/activity?user=${olgaId}&id=${olgaId}`);
    assert.equal(theirs.status, 200);
    assert.ok(!rowTypes(theirs.body).includes('session.revoked'), 'a query parameter showed olga\'s events');
  });

  test('Spanish, and signed-out visitors are sent to sign in', async () => {
    const page = await olga.get('/settings/activity?lang=es');
    assert.match(page.body, /<html lang="es"/);
    assert.match(page.body, /Actividad de seguridad/);
    assert.match(page.body, /Intento de inicio de sesión rechazado/);
    const anonymous = await new TestClient(server.url).get('/settings/activity');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.location, '/login?next=%2Fsettings%2Factivity');
  });
});
