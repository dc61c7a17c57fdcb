// Property: a user reads only their own profile. `/profile?id=<someone else>` answers a
// non-admin with 403 or 404 and none of that user's data, and the same answer whether the
// id exists or not (no enumeration); an admin may read anyone's. The role is read from the
// database on every request, so a demotion applies at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userIdOf } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';

const VICTIM = { username: 'victim-bob', email: 'victim.bob@secret.example' };

describe('insecure direct object reference on /profile', () => {
  let server: TestServer;
  let attacker: TestClient;
  let admin: TestClient;
  let victimId: number;
  let attackerId: number;
  const missingId = 987_654;

  before(async () => {
    server = await startTestServer();
    await new TestClient(server.url).registerAndSignIn(VICTIM.username, GOOD_PASSWORD, VICTIM.email);
    attacker = new TestClient(server.url);
    await attacker.registerAndSignIn('mallory');
    admin = new TestClient(server.url);
    await admin.registerAndSignIn('root-admin');
    assert.ok((await server.deps.userService.setRole({ username: 'root-admin' }, 'admin', CLI_CONTEXT)).ok);
    victimId = await userIdOf(server, VICTIM.username);
    attackerId = await userIdOf(server, 'mallory');
  });
  after(() => server.stop());

  function assertNoVictimData(body: string) {
    assert.ok(!body.includes(VICTIM.username), 'victim username leaked');
    assert.ok(!body.includes(VICTIM.email), 'victim email leaked');
    assert.ok(!body.includes(`data-user-id="${victimId}"`), 'victim id marked');
  }

  test("a user cannot read another user's profile", async () => {
    const response = await attacker.get(`/profile?id=${victimId}`);
    assert.ok(response.status === 403 || response.status === 404, `status ${response.status}`);
    assertNoVictimData(response.body);
  });

  test('a user can read their own profile, by default and by id', async () => {
    for (const path of ['/profile', `/profile?id=${attackerId}`]) {
      const response = await attacker.get(path);
      assert.equal(response.status, 200, path);
      assert.match(response.body, new RegExp(`data-user-id="${attackerId}"`));
      assertNoVictimData(response.body);
    }
  });

  test('for a non-admin, a missing id gets exactly the same answer as an existing one', async () => {
    const existing = await attacker.get(`/profile?id=${victimId}`);
    const missing = await attacker.get(`/profile?id=${missingId}`);
    assert.equal(missing.status, existing.status);
    assert.equal(missing.body, existing.body);
  });

  test('ids past the integer range answer 400 for an admin too, never a database error', async () => {
    for (const id of ['2147483648', '999999999999', '9007199254740993']) {
      const response = await admin.get(`/profile?id=${id}`);
      assert.equal(response.status, 400, `id ${id}`);
    }
    assert.equal((await admin.get('/profile?id=2147483647')).status, 404);
  });

  test("an admin can read another user's profile", async () => {
    const response = await admin.get(`/profile?id=${victimId}`);
    assert.equal(response.status, 200);
    assert.match(response.body, new RegExp(`data-user-id="${victimId}"`));
    assert.ok(response.body.includes(VICTIM.username));
    assert.ok(response.body.includes(VICTIM.email));
    assert.equal((await admin.get(`/profile?id=${missingId}`)).status, 404);
  });

  test('a demoted admin loses access on the next request', async () => {
    // Through the store: the last-admin rule (tested elsewhere) would refuse demoting the only admin.
    const rootAdmin = (await server.deps.users.findUserByUsername('root-admin'))!;
    assert.ok(await server.deps.users.setRole(rootAdmin.id, 'user'));
    try {
      const response = await admin.get(`/profile?id=${victimId}`);
      assert.ok(response.status === 403 || response.status === 404, `status ${response.status}`);
      assertNoVictimData(response.body);
    } finally {
      await server.deps.users.setRole(rootAdmin.id, 'admin');
    }
  });

  test('signed out, the profile of anyone redirects to sign-in and shows nothing', async () => {
    const response = await new TestClient(server.url).get(`/profile?id=${victimId}`);
    assert.equal(response.status, 303);
    assert.match(response.location ?? '', /^\/login\?next=/);
    assertNoVictimData(response.body);
  });
});
