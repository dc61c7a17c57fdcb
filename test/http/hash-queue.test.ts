// Property: sign-ins beyond the hashing pool and its queue get 503 with Retry-After at once
// (nothing grows without bound), while those within it succeed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({
    ARGON2_MEMORY_KIB: '19456',
    ARGON2_TIME_COST: '2',
    HASH_CONCURRENCY: '1',
    HASH_QUEUE_LIMIT: '1',
    LOGIN_MAX_FAILURES: '1000',
  });
  await new TestClient(server.url).registerAndSignIn('queued');
});
after(() => server?.stop());

test('eight simultaneous sign-ins: the pool and queue take two, the rest get 503 with Retry-After', async () => {
  const clients = Array.from({ length: 8 }, () => new TestClient(server.url));
  for (const client of clients) await client.get('/login');
  const responses = await Promise.all(clients.map((client) => client.postForm('/login', { username: 'queued', password: GOOD_PASSWORD })));
  const statuses = responses.map((r) => r.status);
  const refused = responses.filter((r) => r.status === 503);
  assert.ok(statuses.filter((s) => s === 303).length >= 2, statuses.join(','));
  assert.ok(refused.length >= 1, statuses.join(','));
  for (const response of refused) {
    assert.equal(response.headers.get('retry-after'), '1');
    assert.match(response.body, /temporarily unavailable/);
  }
  assert.ok(statuses.every((s) => s === 303 || s === 503), statuses.join(','));
  assert.equal(server.deps.hasher.pending, 0);
});
