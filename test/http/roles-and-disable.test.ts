// Property: roles and the disabled flag are read from the database on every request, not from the session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
});
after(async () => {
  await server.stop();
});

async function signedIn(username: string): Promise<TestClient> {
  const c = new TestClient(server.url);
  const res = await c.registerAndSignIn(username);
  assert.equal(res.status, 303);
  return c;
}

function role(body: string): string | undefined {
  return /<strong data-role>([^<]*)<\/strong>/.exec(body)?.[1];
}

test('a role change applies on the next request of a live session', async () => {
  // Another admin, so that demoting `promoted` is not refused by the last-admin rule.
  await signedIn('standing-admin');
  assert.ok((await server.deps.userService.setRole({ username: 'standing-admin' }, 'admin', CLI_CONTEXT)).ok);
  const c = await signedIn('promoted');
  assert.equal(role((await c.get('/dashboard')).body), 'user');
  assert.ok((await server.deps.userService.setRole({ username: 'promoted' }, 'admin', CLI_CONTEXT)).ok);
  assert.equal(role((await c.get('/dashboard')).body), 'admin');
  assert.equal((await c.get('/api/v1/me')).json().user.role, 'admin');
  assert.ok((await server.deps.userService.setRole({ username: 'promoted' }, 'user', CLI_CONTEXT)).ok);
  assert.equal(role((await c.get('/dashboard')).body), 'user');
});

test('disabling ends live sessions on their next request: /dashboard redirects to sign-in, /me is 401', async () => {
  const page = await signedIn('disabled-live');
  const api = new TestClient(server.url);
  const apiLogin = await api.postJson('/api/v1/login', { username: 'disabled-live', password: GOOD_PASSWORD });
  assert.equal(apiLogin.status, 200);
  assert.equal((await page.get('/dashboard')).status, 200);

  assert.ok((await server.deps.userService.setDisabled({ username: 'disabled-live' }, true, CLI_CONTEXT)).ok);

  const res = await page.get('/dashboard');
  assert.equal(res.status, 303);
  assert.equal(res.location, '/login?next=%2Fdashboard');
  assert.equal((await api.get('/api/v1/me')).status, 401);
});

test('the disabled flag alone (sessions left in the store) is enough to refuse the session', async () => {
  const c = await signedIn('flag-only');
  const user = await server.deps.users.findUserByUsername('flag-only');
  assert.ok(user);
  // The store-level flag, without the service's session clean-up: the check must be per request.
  assert.ok(await server.deps.users.setDisabled(user.id, true));
  const res = await c.get('/dashboard');
  assert.equal(res.status, 303);
  assert.equal(res.location, '/login?next=%2Fdashboard');
});

test('a disabled user cannot sign in and gets the same generic 401 as a wrong password', async () => {
  await signedIn('disabled-login');
  const wrong = await new TestClient(server.url).signIn('disabled-login', 'definitely the wrong one');
  assert.ok((await server.deps.userService.setDisabled({ username: 'disabled-login' }, true, CLI_CONTEXT)).ok);
  const disabled = await new TestClient(server.url).signIn('disabled-login', GOOD_PASSWORD);
  assert.equal(disabled.status, 401);
  assert.equal(wrong.status, 401);
  const errors = (body: string) => /<div class="errors"[\s\S]*?<\/div>/.exec(body)?.[0];
  assert.ok(errors(disabled.body));
  assert.equal(errors(disabled.body), errors(wrong.body));
  assert.ok(!/disabled/i.test(errors(disabled.body)!), 'the answer must not reveal the account state');
  assert.equal(disabled.setCookies.find((l) => l.startsWith('gatehouse_session=')), undefined);

  const api = await new TestClient(server.url).postJson('/api/v1/login', { username: 'disabled-login', password: GOOD_PASSWORD });
  assert.equal(api.status, 401);
  assert.equal(api.json().error, 'invalid_credentials');
});

test('enabling the account again allows sign-in', async () => {
  await signedIn('reenabled');
  assert.ok((await server.deps.userService.setDisabled({ username: 'reenabled' }, true, CLI_CONTEXT)).ok);
  assert.equal((await new TestClient(server.url).signIn('reenabled', GOOD_PASSWORD)).status, 401);
  assert.ok((await server.deps.userService.setDisabled({ username: 'reenabled' }, false, CLI_CONTEXT)).ok);
  const c = new TestClient(server.url);
  const res = await c.signIn('reenabled', GOOD_PASSWORD);
  assert.equal(res.status, 303);
  assert.equal(res.location, '/dashboard');
  assert.equal((await c.get('/dashboard')).status, 200);
});
