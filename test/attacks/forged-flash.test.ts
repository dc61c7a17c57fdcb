// Property: a flash notice is only ever one of the server's own messages, and only when the
// server signed it: a forged or unsigned `gatehouse_flash` cookie shows nothing, and a real
// notice is shown once and then cleared.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NOTICE = /class="notice"/;

describe('forged flash cookies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('unsigned, mis-signed and markup values show no notice', async () => {
    for (const value of ['registered', 'registered.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '%3Cscript%3Ealert(1)%3C%2Fscript%3E']) {
      const response = await new TestClient(server.url).get('/', { cookie: `gatehouse_flash=${value}` });
      assert.equal(response.status, 200);
      assert.doesNotMatch(response.body, NOTICE, value);
      assert.doesNotMatch(response.body, /<script>alert/);
    }
  });

  test('a notice the server set is shown once, then cleared', async () => {
    const client = new TestClient(server.url);
    await client.get('/register');
    const registered = await client.postForm('/register', { username: 'flashy', email: 'flashy@example.test', password: GOOD_PASSWORD });
    assert.equal(registered.status, 303);
    const first = await client.get('/login');
    assert.match(first.body, /Your account was created/);
    assert.ok(first.setCookies.some((line) => /^gatehouse_flash=;/.test(line)), 'the notice cookie is cleared');
    assert.doesNotMatch((await client.get('/login')).body, NOTICE);
  });
});
