// Property: a user sees every live session of theirs at /settings/sessions, each named by a
// public id that is neither the token nor its hash, the current one marked, with a readable
// device (ASVS v5.0.0-7.5.2); they can end one, or all others (v5.0.0-7.4.1), and only
// their own: another user's public id is a 404 that ends nothing (v5.0.0-8.2.2, IDOR);
// every form needs its CSRF token (v5.0.0-3.5.1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/domain/crypto.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

function sessionIds(body: string): { id: string; current: boolean }[] {
  return [...body.matchAll(/<li class="card" data-session-id="([^"]+)"( data-current)?>/g)].map((m) => ({ id: m[1]!, current: m[2] !== undefined }));
}

async function signedIn(server: TestServer, username: string, userAgent?: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const headers = userAgent ? { 'user-agent': userAgent } : undefined;
  await client.get('/login', headers);
  const response = await client.postForm('/login', { username, password: GOOD_PASSWORD }, headers);
  assert.equal(response.status, 303);
  return client;
}

describe('the sessions page', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
    for (const name of ['sara', 'tomas']) {
      const client = new TestClient(server.url);
      await client.get('/register');
      assert.equal((await client.postForm('/register', { username: name, email: `${name}@example.test`, password: GOOD_PASSWORD })).status, 303);
    }
  });
  after(() => server.stop());

  test('lists every session with a public id, the current one marked, with device and IP', async () => {
    const phone = await signedIn(server, 'sara');
    const laptop = await signedIn(server, 'sara', FIREFOX);
    const page = await laptop.get('/settings/sessions');
    assert.equal(page.status, 200);
    const ids = sessionIds(page.body);
    assert.ok(ids.length >= 2, page.body.slice(0, 500));
    assert.equal(ids.filter((s) => s.current).length, 1, 'exactly one is current');
    assert.ok(page.body.includes('Firefox 133 on Windows'), 'readable device');
    assert.ok(page.body.includes('127.0.0.1'));
    const token = laptop.cookies.get('gatehouse_session')!;
    for (const { id } of ids) {
      assert.notEqual(id, token);
      assert.notEqual(id, sha256Hex(token));
      assert.ok(!page.body.includes(sha256Hex(token)), 'the hash is not on the page');
    }
    const spanish = await laptop.get('/settings/sessions?lang=es');
    assert.ok(spanish.body.includes('Firefox 133 en Windows'));
    assert.equal(sessionIds((await phone.get('/settings/sessions')).body).filter((s) => s.current).length, 1);
  });

  test('revoke ends that session only; revoke-others ends every other one', async () => {
    const a = await signedIn(server, 'sara');
    const b = await signedIn(server, 'sara');
    const c = await signedIn(server, 'sara');
    const list = sessionIds((await a.get('/settings/sessions')).body);
    const bId = sessionIds((await b.get('/settings/sessions')).body).find((s) => s.current)!.id;
    assert.ok(list.some((s) => s.id === bId));
    await a.get('/settings/sessions');
    const revoked = await a.postForm('/settings/sessions/revoke', { session_id: bId });
    assert.equal(revoked.status, 303);
    assert.equal((await b.get('/dashboard')).status, 303, 'b is signed out');
    assert.equal((await c.get('/dashboard')).status, 200, 'c lives on');
    await a.get('/settings/sessions');
    assert.equal((await a.postForm('/settings/sessions/revoke-others', {})).status, 303);
    assert.equal((await c.get('/dashboard')).status, 303, 'c is signed out');
    assert.equal((await a.get('/dashboard')).status, 200, 'a stays');
    assert.deepEqual(sessionIds((await a.get('/settings/sessions')).body).map((s) => s.current), [true]);
  });

  test('IDOR: another user’s public id is a 404 and ends nothing', async () => {
    const victim = await signedIn(server, 'tomas');
    const victimId = sessionIds((await victim.get('/settings/sessions')).body).find((s) => s.current)!.id;
    const attacker = await signedIn(server, 'sara');
    await attacker.get('/settings/sessions');
    const response = await attacker.postForm('/settings/sessions/revoke', { session_id: victimId });
    assert.equal(response.status, 404);
    assert.equal((await victim.get('/dashboard')).status, 200, 'the victim is still signed in');
    assert.ok(sessionIds((await victim.get('/settings/sessions')).body).some((s) => s.id === victimId));
  });

  test('CSRF: without the token nothing ends', async () => {
    const a = await signedIn(server, 'tomas');
    const b = await signedIn(server, 'tomas');
    const bId = sessionIds((await b.get('/settings/sessions')).body).find((s) => s.current)!.id;
    assert.equal((await a.postForm('/settings/sessions/revoke', { session_id: bId, csrf_token: null })).status, 403);
    assert.equal((await a.postForm('/settings/sessions/revoke-others', { csrf_token: 'forged' })).status, 403);
    assert.equal((await b.get('/dashboard')).status, 200);
  });

  test('signed out: the page sends to sign-in', async () => {
    const response = await new TestClient(server.url).get('/settings/sessions');
    assert.equal(response.status, 303);
    assert.match(response.location ?? '', /^\/login\?next=/);
  });
});
