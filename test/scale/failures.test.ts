// Property: when the database or Redis goes away the server stays up, answers 503 with a
// clear message (never 500, never an unthrottled sign-in), writes nothing half-way, and
// recovers by itself when the service returns. The outage is a real one: a TCP proxy in
// front of the service drops every connection and refuses new ones.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ProvisionedBackend, provisionBackend, SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy, viaProxy } from '../helpers/tcp-proxy.ts';

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail('the server did not recover in time');
}

function skipUnless(url: string | undefined, what: string) {
  return !url && !servicesRequired ? `${what} not available: its TEST_*_URL is not set` : false;
}

for (const dialect of ['postgres', 'mysql'] as const) {
  const adminUrl = dialect === 'postgres' ? SERVICE_URLS.postgres : SERVICE_URLS.mysql;
  describe(`database outage [${dialect}]`, { skip: skipUnless(adminUrl, dialect) }, () => {
    let backend: ProvisionedBackend;
    let proxy: TcpProxy;
    let server: TestServer;
    const client = () => new TestClient(server.url);
    let signedIn: TestClient;

    before(async () => {
      backend = await provisionBackend(dialect);
      const target = new URL(backend.env.DATABASE_URL!);
      proxy = await startTcpProxy(target.hostname, Number(target.port));
      server = await startTestServer({ DATABASE_URL: viaProxy(backend.env.DATABASE_URL!, proxy) });
      signedIn = client();
      await signedIn.registerAndSignIn('survivor');
    });
    after(async () => {
      await server?.stop();
      await proxy?.close();
      await backend?.cleanup();
    });

    test('healthz, pages and the API answer 503 while it is down, then recover', async () => {
      const usersBefore = await server.deps.database.db.selectFrom('users').select('id').execute();
      await proxy.cut();

      const health = await client().get('/healthz');
      assert.equal(health.status, 503);
      assert.deepEqual(health.json(), { status: 'unavailable' });

      const page = await signedIn.get('/dashboard');
      assert.equal(page.status, 503);
      assert.match(page.body, /temporarily unavailable/);
      assert.doesNotMatch(page.body, /\bat .*\.(ts|js):\d+/);

      const me = await signedIn.get('/api/v1/me');
      assert.equal(me.status, 503);
      assert.equal(me.json().error, 'service_unavailable');

      const anonymous = client();
      await anonymous.get('/register');
      const register = await anonymous.postForm('/register', { username: 'halfway', email: 'halfway@example.test', password: GOOD_PASSWORD });
      assert.equal(register.status, 503);

      await proxy.restore();
      await eventually(async () => (await client().get('/healthz')).status === 200);
      assert.equal((await signedIn.get('/dashboard')).status, 200);
      const usersAfter = await server.deps.database.db.selectFrom('users').select('id').execute();
      assert.equal(usersAfter.length, usersBefore.length, 'nothing was written during the outage');
    });
  });
}

describe('Redis outage [postgres+redis]', { skip: skipUnless(SERVICE_URLS.postgres && SERVICE_URLS.redis, 'PostgreSQL + Redis') }, () => {
  let backend: ProvisionedBackend;
  let proxy: TcpProxy;
  let server: TestServer;
  let signedIn: TestClient;

  before(async () => {
    backend = await provisionBackend('postgres+redis');
    const target = new URL(backend.env.REDIS_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    server = await startTestServer({ ...backend.env, REDIS_URL: viaProxy(backend.env.REDIS_URL!, proxy) });
    signedIn = new TestClient(server.url);
    await signedIn.registerAndSignIn('redis-user');
  });
  after(async () => {
    await server?.stop();
    await proxy?.close();
    await backend?.cleanup();
  });

  test('sign-in fails closed and signed-in requests fail clearly, then both recover', async () => {
    const attacker = new TestClient(server.url);
    await attacker.get('/login');
    await proxy.cut();

    const verificationsBefore = server.deps.hasher.pending;
    const login = await attacker.postForm('/login', { username: 'redis-user', password: GOOD_PASSWORD });
    assert.equal(login.status, 503, 'no sign-in without the throttle');
    assert.equal(login.setCookies.some((c) => c.startsWith('gatehouse_session=') && !c.includes('Max-Age=0')), false);
    assert.equal(server.deps.hasher.pending, verificationsBefore);

    const page = await signedIn.get('/dashboard');
    assert.equal(page.status, 503);
    assert.match(page.body, /temporarily unavailable/);
    assert.equal((await signedIn.get('/api/v1/me')).json().error, 'service_unavailable');

    await proxy.restore();
    await eventually(async () => (await signedIn.get('/dashboard')).status === 200);
    await attacker.get('/login');
    assert.equal((await attacker.postForm('/login', { username: 'redis-user', password: GOOD_PASSWORD })).status, 303);
  });
});
