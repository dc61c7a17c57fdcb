// Property: the throttles key on the real client address and cannot be escaped by lying
// about it. Without TRUST_PROXY, X-Forwarded-For (and its cousins) are ignored: rotating
// them earns no fresh guesses, registrations or requests. With TRUST_PROXY=1 (loopback is
// the one trusted proxy) the address that proxy appended is the client, so another client
// is another pair, while addresses the client prepends itself change nothing. Registrations
// are capped per IP per hour (page and API), and the global per-IP request rate answers 429
// with Retry-After past GLOBAL_RATE_LIMIT a minute, /healthz exempt.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sessionCookieSet } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const WRONG = 'not the password, attempt';

/** Client-supplied address headers, a different address each call. */
function spoofedHeaders(n: number): Record<string, string> {
  const ip = `198.51.100.${(n % 250) + 1}`;
  return {
    'x-forwarded-for': `${ip}, 203.0.113.${(n % 250) + 1}`,
    'x-real-ip': ip,
    'x-client-ip': ip,
    'true-client-ip': ip,
    'cf-connecting-ip': ip,
    forwarded: `for=${ip}`,
  };
}

function assertThrottled(response: TestResponse, label: string) {
  assert.equal(response.status, 429, `${label}: status`);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `${label}: Retry-After ${response.headers.get('retry-after')}`);
}

async function visitor(server: TestServer): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.get('/register');
  return client;
}

async function registerUser(server: TestServer, username: string) {
  const client = await visitor(server);
  const response = await client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD });
  assert.equal(response.status, 303, `register ${username}: ${response.body.slice(0, 300)}`);
}

describe('without TRUST_PROXY, spoofed client-address headers are ignored', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '3' });
    assert.equal(server.config.trustProxy, false);
  });
  after(() => server.stop());

  test('rotating X-Forwarded-For does not escape the (account, IP) block', async () => {
    await registerUser(server, 'victim');
    const client = await visitor(server);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await client.postForm('/login', { username: 'victim', password: `${WRONG} ${attempt}` }, spoofedHeaders(attempt));
      assert.equal(response.status, 401, `attempt ${attempt}`);
    }
    for (let attempt = 6; attempt <= 25; attempt += 1) {
      const headers = spoofedHeaders(attempt);
      assertThrottled(await client.postForm('/login', { username: 'victim', password: GOOD_PASSWORD }, headers), `page attempt ${attempt}`);
      const api = await client.postJson('/api/v1/login', { username: 'victim', password: GOOD_PASSWORD }, headers);
      assertThrottled(api, `API attempt ${attempt}`);
      assert.equal(sessionCookieSet(api), undefined);
    }
  });

  test('rotating X-Forwarded-For does not escape the registration limit (1 + 2 more, then 429)', async () => {
    // `victim` above was this IP's first registration of the hour.
    const client = await visitor(server);
    for (const n of [1, 2]) {
      const name = `spoofreg${n}`;
      const response = await client.postForm('/register', { username: name, email: `${name}@example.test`, password: GOOD_PASSWORD }, spoofedHeaders(n));
      assert.equal(response.status, 303, name);
    }
    const refused = await client.postForm('/register', { username: 'spoofreg3', email: 'spoofreg3@example.test', password: GOOD_PASSWORD }, spoofedHeaders(3));
    assertThrottled(refused, 'fourth registration, new XFF');
    assert.equal(await server.deps.users.findUserByUsername('spoofreg3'), undefined);
  });
});

describe('with TRUST_PROXY=1, the address the proxy appended is the client', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: '1' });
    await registerUser(server, 'target');
  });
  after(() => server.stop());

  const behind = (chain: string) => ({ 'x-forwarded-for': chain });

  test('a blocked client stays blocked; another client IP is another pair and signs in', async () => {
    const attacker = await visitor(server);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await attacker.postForm('/login', { username: 'target', password: `${WRONG} ${attempt}` }, behind('203.0.113.10'));
      assert.equal(response.status, 401, `attempt ${attempt}`);
    }
    assertThrottled(await attacker.postForm('/login', { username: 'target', password: GOOD_PASSWORD }, behind('203.0.113.10')), 'same client');
    // What a client writes itself sits left of what the proxy appended: it changes nothing.
    assertThrottled(
      await attacker.postForm('/login', { username: 'target', password: GOOD_PASSWORD }, behind('192.0.2.99, 203.0.113.10')),
      'client-prepended address',
    );

    const owner = await visitor(server);
    const response = await owner.postForm('/login', { username: 'target', password: GOOD_PASSWORD }, behind('203.0.113.11'));
    assert.equal(response.status, 303, 'another client IP is not blocked');
    assert.equal(response.location, '/dashboard');
  });

  test('other spellings of one client do not escape: IPv4-mapped IPv6, and any address in the same IPv6 /64', async () => {
    await registerUser(server, 'target6');
    const attacker = await visitor(server);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await attacker.postForm('/login', { username: 'target6', password: `${WRONG} ${attempt}` }, behind('203.0.113.30'));
      assert.equal(response.status, 401, `v4 attempt ${attempt}`);
    }
    assertThrottled(await attacker.postForm('/login', { username: 'target6', password: GOOD_PASSWORD }, behind('::ffff:203.0.113.30')), 'IPv4-mapped');

    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const response = await attacker.postForm('/login', { username: 'target', password: `${WRONG} ${attempt}` }, behind(`2001:db8:1:2::${attempt}`));
      assert.equal(response.status, 401, `v6 attempt ${attempt}`);
    }
    for (const address of ['2001:db8:1:2::99', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002::abcd']) {
      assertThrottled(await attacker.postForm('/login', { username: 'target', password: GOOD_PASSWORD }, behind(address)), address);
    }
    const neighbour = await attacker.postForm('/login', { username: 'target', password: GOOD_PASSWORD }, behind('2001:db8:1:3::1'));
    assert.equal(neighbour.status, 303, 'the next /64 is another client');
  });
});

describe('registration limit per IP (REGISTER_MAX_PER_HOUR=3)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '3', TRUST_PROXY: '1' });
  });
  after(() => server.stop());

  test('page: the 4th registration from one IP gets 429 with Retry-After and stores nothing', async () => {
    const client = await visitor(server);
    const from = { 'x-forwarded-for': '203.0.113.20' };
    for (const n of [1, 2, 3]) {
      const name = `pagereg${n}`;
      const response = await client.postForm('/register', { username: name, email: `${name}@example.test`, password: GOOD_PASSWORD }, from);
      assert.equal(response.status, 303, name);
    }
    const refused = await client.postForm('/register', { username: 'pagereg4', email: 'pagereg4@example.test', password: GOOD_PASSWORD }, from);
    assertThrottled(refused, 'page, 4th');
    assert.match(refused.body, /Too many attempts/);
    assert.equal(await server.deps.users.findUserByUsername('pagereg4'), undefined);
    // The same IP is refused on the API too: one counter per IP.
    const api = await client.postJson('/api/v1/register', { username: 'pagereg5', email: 'pagereg5@example.test', password: GOOD_PASSWORD }, from);
    assertThrottled(api, 'API after the page limit');
    assert.equal(api.json().error, 'too_many_requests');
  });

  test('API: the 4th registration from one IP gets 429 too_many_requests and stores nothing', async () => {
    const client = new TestClient(server.url);
    const from = { 'x-forwarded-for': '203.0.113.21' };
    for (const n of [1, 2, 3]) {
      const name = `apireg${n}`;
      const response = await client.postJson('/api/v1/register', { username: name, email: `${name}@example.test`, password: GOOD_PASSWORD }, from);
      assert.equal(response.status, 201, name);
    }
    const refused = await client.postJson('/api/v1/register', { username: 'apireg4', email: 'apireg4@example.test', password: GOOD_PASSWORD }, from);
    assertThrottled(refused, 'API, 4th');
    assert.equal(refused.json().error, 'too_many_requests');
    assert.equal(await server.deps.users.findUserByUsername('apireg4'), undefined);
  });
});

describe('global per-IP request rate (GLOBAL_RATE_LIMIT=30)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ GLOBAL_RATE_LIMIT: '30' });
  });
  after(() => server.stop());

  test('the 31st request in a minute gets 429 with Retry-After; spoofed XFF does not help; /healthz is exempt', async () => {
    const client = new TestClient(server.url);
    for (let i = 0; i < 10; i += 1) assert.equal((await client.get('/healthz')).status, 200, 'healthz before');
    const paths = ['/', '/login', '/register', '/api/v1/csrf', '/static/styles.css'];
    for (let n = 1; n <= 30; n += 1) {
      const response = await client.get(paths[n % paths.length]!);
      assert.equal(response.status, 200, `request ${n}`);
    }
    const page = await client.get('/');
    assertThrottled(page, 'request 31');
    assert.ok(Number(page.headers.get('retry-after')) <= 60, 'within the minute window');
    assertThrottled(await client.get('/login', spoofedHeaders(7)), 'with spoofed XFF');
    const api = await client.get('/api/v1/csrf');
    assertThrottled(api, 'API');
    assert.equal(api.json().error, 'too_many_requests');
    assertThrottled(await client.postForm('/login', { username: 'x', password: 'y' }), 'POST');
    const health = await client.get('/healthz');
    assert.equal(health.status, 200, '/healthz is exempt');
    assert.deepEqual(health.json(), { status: 'ok' });
  });
});
