// Property (ASVS v5.0.0-7.5.2, v5.0.0-8.2.2): through the API a user lists their own live
// sessions by public id (never a token or its hash) with a readable device, ends one of
// their own, and cannot end another user's (404, nothing ends); ending needs the CSRF header.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery staple';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

async function apiSignIn(username: string, userAgent = 'node-test') {
  const client = new TestClient(server.url);
  const signedIn = await client.postJson('/api/v1/login', { username, password: PASSWORD }, { 'user-agent': userAgent });
  assert.equal(signedIn.status, 200, signedIn.body);
  const csrf = (signedIn.json() as { csrfToken: string }).csrfToken;
  return { client, csrf };
}

test('lists my live sessions by public id with their device; the current one is marked; no token shows', async () => {
  assert.equal((await new TestClient(server.url).registerAndSignIn('lister', PASSWORD)).status, 303);
  const laptop = await apiSignIn('lister', FIREFOX);
  await apiSignIn('lister');
  const listed = await laptop.client.get('/api/v1/sessions');
  assert.equal(listed.status, 200);
  const { sessions } = listed.json() as { sessions: { id: string; current: boolean; browser: string | null; os: string | null }[] };
  assert.equal(sessions.length, 3);
  assert.equal(sessions.filter((s) => s.current).length, 1);
  assert.deepEqual(sessions.find((s) => s.current)?.browser, 'Firefox 133');
  assert.equal(sessions.find((s) => s.current)?.os, 'Windows');
  const cookie = laptop.client.cookieHeader();
  for (const s of sessions) assert.ok(!cookie.includes(s.id), 'a public id is not the token');
  assert.doesNotMatch(listed.body, /[0-9a-f]{64}/, 'no token hash');
  assert.equal((await new TestClient(server.url).get('/api/v1/sessions')).status, 401);
});

test("ends one of my sessions with the CSRF header; another user's id is 404 and ends nothing", async () => {
  assert.equal((await new TestClient(server.url).registerAndSignIn('owner', PASSWORD)).status, 303);
  assert.equal((await new TestClient(server.url).registerAndSignIn('intruder', PASSWORD)).status, 303);
  const owner = await apiSignIn('owner');
  const phone = await apiSignIn('owner');
  const intruder = await apiSignIn('intruder');
  const ownerSessions = ((await owner.client.get('/api/v1/sessions')).json() as { sessions: { id: string; current: boolean }[] }).sessions;
  const phoneId = ((await phone.client.get('/api/v1/sessions')).json() as { sessions: { id: string; current: boolean }[] }).sessions.find((s) => s.current)!.id;
  assert.ok(ownerSessions.some((s) => s.id === phoneId));

  const forged = await intruder.client.request('DELETE', `/api/v1/sessions/${phoneId}`, { headers: { 'x-csrf-token': intruder.csrf } });
  assert.equal(forged.status, 404);
  assert.equal((await phone.client.get('/api/v1/me')).status, 200, "the owner's phone is still signed in");
  const noCsrf = await owner.client.request('DELETE', `/api/v1/sessions/${phoneId}`);
  assert.equal(noCsrf.status, 403);
  const ended = await owner.client.request('DELETE', `/api/v1/sessions/${phoneId}`, { headers: { 'x-csrf-token': owner.csrf } });
  assert.equal(ended.status, 204);
  assert.equal((await phone.client.get('/api/v1/me')).status, 401, 'the ended session no longer works');
  assert.equal((await owner.client.get('/api/v1/me')).status, 200);
});
