// Property: a session records the client's own address and user agent (behind a trusted
// proxy, the forwarded address, whole), while throttling keys IPv6 clients by their /64.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { storedSessionFor } from '../helpers/session-records.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ TRUST_PROXY: '1' });
  await new TestClient(server.url).registerAndSignIn('recorded');
});
after(() => server?.stop());

test('the session row holds the forwarded IPv6 address in full and the user agent', async () => {
  const client = new TestClient(server.url);
  const headers = { 'x-forwarded-for': '2001:db8:1:2:3:4:5:6', 'user-agent': 'RecordTest/1.0' };
  await client.get('/login', headers);
  const response = await client.postForm('/login', { username: 'recorded', password: GOOD_PASSWORD }, headers);
  assert.equal(response.status, 303);
  const token = client.cookies.get('gatehouse_session')!;
  const stored = await storedSessionFor(server, token);
  assert.ok(stored);
  const session = await server.deps.sessions.validateSessionToken(token);
  assert.equal(session?.session.ip, '2001:db8:1:2:3:4:5:6');
  assert.equal(session?.session.userAgent, 'RecordTest/1.0');
});
