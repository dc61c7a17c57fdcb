// The last-admin rule under concurrency (issue #11; ASVS v5.0.0-8.2.1 function-level access,
// v5.0.0-2.3.3 business logic applied in one transaction, v5.0.0-2.3.4 against races): two admins demoting, disabling or
// deleting each other at the same moment cannot both succeed, on every backend (this suite
// runs on SQLite, PostgreSQL, MariaDB and PostgreSQL+Redis). The requests race over real HTTP;
// the service locks the enabled admins before reading its target (account-admin.ts), so the
// second sees the first's commit. Without that lock PostgreSQL let both through (checked once
// by reading the admins without `for update`: on PostgreSQL and MariaDB both demotions, and
// both disablings, answered 200, leaving no admin).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('the last enabled admin, raced', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  });
  after(() => server.stop());

  async function admin(name: string): Promise<{ client: TestClient; id: number }> {
    const client = new TestClient(server.url);
    assert.equal((await client.registerAndSignIn(name, GOOD_PASSWORD)).status, 303);
    const id = Number(/data-user-id="(\d+)"/.exec((await client.get('/profile')).body)?.[1]);
    assert.ok((await server.deps.userService.setRole({ id }, 'admin', CLI_CONTEXT)).ok);
    client.apiCsrf = (await client.get('/api/v1/csrf')).json().csrfToken;
    return { client, id };
  }

  async function activeAdmins(): Promise<number> {
    return server.deps.users.countActiveAdmins();
  }

  /** Every other admin is made a plain user first (through the store: no rule applies there). */
  async function onlyThese(ids: number[]) {
    const all = await server.deps.userDirectory.search({ role: 'admin', sort: 'username', direction: 'asc', limit: 100 });
    for (const user of all.users) if (!ids.includes(user.id)) await server.deps.users.setRole(user.id, 'user');
  }

  for (const action of ['demote', 'disable', 'delete'] as const) {
    test(`two admins who ${action} each other at once: exactly one succeeds, one admin is left`, async () => {
      for (let round = 0; round < 4; round += 1) {
        const a = await admin(`race-${action}-a${round}`);
        const b = await admin(`race-${action}-b${round}`);
        await onlyThese([a.id, b.id]);
        assert.equal(await activeAdmins(), 2);
        const act = (by: TestClient, target: number) =>
          action === 'demote'
            ? by.postJson(`/api/v1/admin/users/${target}/role`, { role: 'user' })
            : action === 'disable'
              ? by.postJson(`/api/v1/admin/users/${target}/disable`, {})
              : by.request('DELETE', `/api/v1/admin/users/${target}`, { headers: { 'x-csrf-token': by.apiCsrf! } });
        const [first, second] = await Promise.all([act(a.client, b.id), act(b.client, a.id)]);
        const statuses = [first.status, second.status].sort();
        // The winner's target loses its admin rights at once: the loser is then refused by the
        // rule (409), no longer an admin (403), or signed out with its account (401): never a
        // second success.
        assert.equal(statuses.filter((status) => status < 300).length, 1, `round ${round}: ${first.status} and ${second.status}: ${first.body} ${second.body}`);
        assert.ok(statuses.some((status) => [401, 403, 409].includes(status)), `round ${round}: ${statuses}`);
        assert.equal(await activeAdmins(), 1, `round ${round}: exactly one admin is left`);
      }
    });
  }
});
