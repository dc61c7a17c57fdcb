/**
 * `set-role`, `disable`/`enable` and `revoke-sessions` against a server that keeps running on
 * the same SQLite file: each change applies to the users' very next request, without
 * restarting anything. Commands run in-process (`cli.run`, the same `runCli` the binary
 * calls, on its own database connection); one promotion goes through the real binary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import { assertOneLineError, CliWorkspace, type SharedServer } from '../helpers/cli.ts';

const PASSWORD = 'velvet compass orchard 5521 glacier';

describe('CLI account administration against a running server', () => {
  const cli = new CliWorkspace();
  cli.forbid(PASSWORD);
  let server: SharedServer;

  before(async () => {
    const migrated = await cli.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    server = await cli.startServer();
  });
  after(() => cli.cleanup());

  async function signedIn(username: string): Promise<TestClient> {
    const client = new TestClient(server.url);
    const response = await client.signIn(username, PASSWORD);
    assert.equal(response.status, 303, `${username} could not sign in: ${response.status}`);
    assert.equal(response.location, '/dashboard');
    return client;
  }

  async function register(username: string): Promise<{ client: TestClient; id: number }> {
    const client = new TestClient(server.url);
    const response = await client.registerAndSignIn(username, PASSWORD);
    assert.equal(response.status, 303);
    const profile = await client.get('/profile');
    const id = Number(/data-user-id="(\d+)"/.exec(profile.body)?.[1]);
    assert.ok(id > 0, `no data-user-id on ${username}'s profile`);
    return { client, id };
  }

  /** What the next request of this client sees: its role, or that it was sent to sign in. */
  async function dashboardRole(client: TestClient): Promise<string> {
    const response = await client.get('/dashboard');
    if (response.status === 303) {
      assert.equal(response.location, '/login?next=%2Fdashboard');
      return 'signed out';
    }
    assert.equal(response.status, 200);
    const role = /<strong data-role>([^<]*)<\/strong>/.exec(response.body)?.[1];
    assert.ok(role, 'no role on the dashboard');
    return role;
  }

  test('set-role <user> admin applies to the running server on the next request; set-role user takes it back', async () => {
    const alice = await register('alice');
    const bob = await register('bob');
    assert.equal(await dashboardRole(alice.client), 'user');
    const denied = await alice.client.get(`/profile?id=${bob.id}`);
    assert.ok([403, 404].includes(denied.status), `a user opened another profile: ${denied.status}`);
    assert.doesNotMatch(denied.body, /bob@example\.test/);

    const promote = await cli.runProcess(['set-role', 'alice', 'admin']);
    assert.equal(promote.code, 0, promote.stderr);
    assert.match(promote.stdout, /alice.*admin/);
    assert.equal(await dashboardRole(alice.client), 'admin', 'the live session did not see the new role');
    const allowed = await alice.client.get(`/profile?id=${bob.id}`);
    assert.equal(allowed.status, 200);
    assert.match(allowed.body, new RegExp(`data-user-id="${bob.id}"`));

    // Alice is the only admin: demoting her is refused (the last-admin rule) until bob is one too.
    const refused = await cli.run(['set-role', 'alice', 'user']);
    assert.equal(refused.code, 1);
    assert.match(assertOneLineError(refused, 'demoting the last admin'), /alice/);
    assert.equal(await dashboardRole(alice.client), 'admin');
    assert.equal((await cli.run(['set-role', 'bob', 'admin'])).code, 0);
    const demote = await cli.run(['set-role', 'alice', 'user']);
    assert.equal(demote.code, 0, demote.stderr);
    assert.equal(await dashboardRole(alice.client), 'user');
    const deniedAgain = await alice.client.get(`/profile?id=${bob.id}`);
    assert.ok([403, 404].includes(deniedAgain.status), `a demoted admin still opens other profiles: ${deniedAgain.status}`);
  });

  test('set-role with a bad role, an unknown user, or missing arguments: non-zero, one line, nothing changed', async () => {
    const [badRole, unknownUser, missing, extra] = await Promise.all([
      cli.runProcess(['set-role', 'alice', 'superuser']),
      cli.run(['set-role', 'nobody', 'admin']),
      cli.run(['set-role', 'alice']),
      cli.run(['set-role', 'alice', 'admin', 'now']),
    ]);
    assert.equal(badRole.code, 1);
    const roleReason = assertOneLineError(badRole, 'set-role with a bad role');
    assert.match(roleReason, /role/);
    assert.match(roleReason, /superuser/);
    assert.match(assertOneLineError(unknownUser, 'set-role for an unknown user'), /nobody/);
    assert.equal(missing.code, 2);
    assertOneLineError(missing, 'set-role without a role');
    assert.equal(extra.code, 2);
    assertOneLineError(extra, 'set-role with an extra argument');
    assert.equal(await dashboardRole(await signedIn('alice')), 'user');
  });

  test('disable: the live session stops on its next request and sign-in is refused; enable restores sign-in only', async () => {
    const carol = await register('carol');
    const api = await signedIn('carol');
    assert.equal((await api.get('/api/v1/me')).status, 200);
    assert.equal(await dashboardRole(carol.client), 'user');

    const disabled = await cli.run(['disable', 'carol']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /carol/);

    assert.equal(await dashboardRole(carol.client), 'signed out', 'a disabled user kept using a live session');
    assert.equal((await api.get('/api/v1/me')).status, 401);

    const refused = await new TestClient(server.url).signIn('carol', PASSWORD);
    assert.equal(refused.status, 401);
    const wrongPassword = await new TestClient(server.url).signIn('carol-not-here', PASSWORD);
    assert.equal(wrongPassword.status, 401);
    const message = (body: string) => /<li>([^<]*)<\/li>/.exec(body)?.[1];
    assert.equal(message(refused.body), message(wrongPassword.body), 'a disabled account is told apart from a wrong password');

    const enabled = await cli.run(['enable', 'carol']);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.match(enabled.stdout, /carol/);
    assert.equal(await dashboardRole(await signedIn('carol')), 'user');
    // Enabling is not un-revoking: the sessions that disabling ended stay ended.
    assert.equal(await dashboardRole(carol.client), 'signed out', 'enable brought an old session back');
    assert.equal((await api.get('/api/v1/me')).status, 401);
  });

  test('disable/enable an unknown user or with bad arguments: non-zero, one line', async () => {
    const results = await Promise.all([
      cli.run(['disable', 'nobody']),
      cli.run(['enable', 'nobody']),
      cli.run(['disable']),
      cli.run(['enable', 'carol', 'bob']),
    ]);
    assert.match(assertOneLineError(results[0]!, 'disable nobody'), /nobody/);
    assert.match(assertOneLineError(results[1]!, 'enable nobody'), /nobody/);
    assert.equal(results[2]!.code, 2);
    assertOneLineError(results[2]!, 'disable without a user');
    assert.equal(results[3]!.code, 2);
    assertOneLineError(results[3]!, 'enable with two users');
  });

  test("revoke-sessions ends every live session of that user, and only that user's", async () => {
    const dave = await register('dave');
    const daveElsewhere = await signedIn('dave');
    const erin = await register('erin');
    assert.equal(await dashboardRole(dave.client), 'user');
    assert.equal(await dashboardRole(daveElsewhere), 'user');

    const revoked = await cli.run(['revoke-sessions', 'dave']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /\b2\b/, `expected 2 sessions ended: ${revoked.stdout}`);

    assert.equal(await dashboardRole(dave.client), 'signed out');
    assert.equal(await dashboardRole(daveElsewhere), 'signed out');
    assert.equal(await dashboardRole(erin.client), 'user', "another user's session was ended too");
    // Not a ban: dave signs in again.
    assert.equal(await dashboardRole(await signedIn('dave')), 'user');
  });

  test('revoke-sessions for an unknown user or without one: non-zero, one line', async () => {
    const [unknown, missing] = await Promise.all([cli.run(['revoke-sessions', 'nobody']), cli.run(['revoke-sessions'])]);
    assert.match(assertOneLineError(unknown, 'revoke-sessions nobody'), /nobody/);
    assert.equal(missing.code, 2);
    assertOneLineError(missing, 'revoke-sessions without a user');
  });
});
