// Property: racing registrations of one username create exactly one account; the losers get 400 (page) or 409 (API), never 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const RACERS = 10;

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
});
after(async () => {
  await server.stop();
});

async function rowsNamed(normalized: string) {
  return server.deps.database.db.selectFrom('users').select('id').where('username_normalized', '=', normalized).execute();
}

test('10 concurrent form registrations of one username: one 303, nine 400, one row', async () => {
  const clients = await Promise.all(
    Array.from({ length: RACERS }, async () => {
      const c = new TestClient(server.url);
      await c.get('/register');
      return c;
    }),
  );
  const results = await Promise.all(
    // Different spellings of one name, each with its own email.
    clients.map((c, i) => c.postForm('/register', { username: i % 2 ? 'Racer' : 'racer', email: `racer${i}@example.test`, password: GOOD_PASSWORD })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, ...Array(RACERS - 1).fill(400)], statuses.join(','));
  for (const res of results.filter((r) => r.status === 400)) assert.match(res.body, /That username is taken/);
  assert.equal((await rowsNamed('racer')).length, 1);
  assert.ok(!server.logs.some((line) => /"level":50/.test(line)), 'an error was logged');
});

/** RACERS clients, each with its own pre-session and API CSRF token. */
function apiClients(): Promise<TestClient[]> {
  return Promise.all(
    Array.from({ length: RACERS }, async () => {
      const c = new TestClient(server.url);
      c.apiCsrf = (await c.get('/api/v1/csrf')).json().csrfToken;
      return c;
    }),
  );
}

test('10 concurrent API registrations of one username: one 201, nine 409, one row', async () => {
  const clients = await apiClients();
  const results = await Promise.all(
    clients.map((c, i) => c.postJson('/api/v1/register', { username: 'api-racer', email: `api-racer${i}@example.test`, password: GOOD_PASSWORD })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(RACERS - 1).fill(409)], statuses.join(','));
  for (const res of results.filter((r) => r.status === 409)) assert.equal(res.json().error, 'conflict');
  assert.equal((await rowsNamed('api-racer')).length, 1);
});

test('10 concurrent registrations of one email under different names: all answer 201 alike (issue #10), one row with that email', async () => {
  const clients = await apiClients();
  const results = await Promise.all(
    clients.map((c, i) => c.postJson('/api/v1/register', { username: `mailracer${i}`, email: 'shared@example.test', password: GOOD_PASSWORD })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, Array(RACERS).fill(201), statuses.join(','));
  const rows = await server.deps.database.db.selectFrom('users').select('id').where('email_normalized', '=', 'shared@example.test').execute();
  assert.equal(rows.length, 1);
});
