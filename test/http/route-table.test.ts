// Property: every route of the real server declares its access rule, and the rule holds: anonymous requests to signed-in and permission routes are turned away with no user data, a plain user gets 403 on permission routes, state-changing routes refuse a request without a CSRF token unless declared exempt, and a known path asked with the wrong method is 405 with Allow (v5.0.0-8.1.1, v5.0.0-8.2.1, v5.0.0-3.5.1, v5.0.0-13.4.4).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { DeclaredRoute } from '../../src/http/route-rules.ts';
import { TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PLAIN = { username: 'table-plain', email: 'table-plain@example.test' };
const ADMIN = { username: 'table-admin', email: 'table-admin@example.test' };

let server: TestServer;
let plain: TestClient;
let admin: TestClient;
let routes: readonly DeclaredRoute[];

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  plain = new TestClient(server.url);
  assert.equal((await plain.registerAndSignIn(PLAIN.username, undefined, PLAIN.email)).status, 303);
  admin = new TestClient(server.url);
  assert.equal((await admin.registerAndSignIn(ADMIN.username, undefined, ADMIN.email)).status, 303);
  assert.ok((await server.deps.userService.setRole({ username: ADMIN.username }, 'admin', CLI_CONTEXT)).ok);
  assert.ok(server.app.hasDecorator('declaredRoutes'), 'route-rules is not registered: see the header of src/http/route-rules.ts');
  routes = server.app.declaredRoutes;
});
after(async () => {
  await server?.stop();
});

/** The router's own table, "METHOD /path", read from printRoutes' tree (labels concatenate along a branch). */
function routerTable(app: FastifyInstance): Set<string> {
  const table = new Set<string>();
  const labels: string[] = [];
  for (const line of app.printRoutes().split('\n').filter((l) => l.trim() !== '')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    assert.ok(match, `unexpected printRoutes line: ${line}`);
    labels.length = match[1]!.length / 4;
    labels.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) table.add(`${method} ${labels.join('')}`);
  }
  return table;
}

/** A request path for a route pattern: parameters become 1, a wildcard a file name. */
function concretePath(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, '1').replace(/\*$/, 'styles.css');
}

function isApi(route: DeclaredRoute): boolean {
  return route.url.startsWith('/api/');
}

function send(client: TestClient, route: DeclaredRoute, headers: Record<string, string> = {}): Promise<TestResponse> {
  const path = concretePath(route.url);
  if (SAFE_METHODS.has(route.method)) return client.request(route.method, path, { headers });
  // A body of the right type with no token in it: CSRF (or the access rule) must refuse it.
  return isApi(route)
    ? client.request(route.method, path, { body: '{}', headers: { 'content-type': 'application/json', ...headers } })
    : client.request(route.method, path, { body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

function assertNoUserData(res: TestResponse, label: string) {
  for (const secret of [PLAIN.username, PLAIN.email, ADMIN.username, ADMIN.email]) {
    assert.ok(!res.body.includes(secret), `${label}: the body shows ${secret}`);
  }
}

const guarded = () => routes.filter((route) => route.access !== 'public');
const withPermission = () => routes.filter((route) => typeof route.access === 'object');

test('every route in the router is declared, with a valid rule and, when it changes state, a CSRF stance', () => {
  const declared = new Set(routes.map((route) => `${route.method} ${route.url}`));
  assert.ok(declared.has('GET /dashboard') && declared.has('POST /login') && declared.has('GET /api/v1/me'), 'the table is the real one');
  // A route registered before route-rules (or in a context it does not reach) would be missing here.
  assert.deepEqual([...routerTable(server.app)].filter((row) => !declared.has(row)), [], 'routes the rules never saw');
  for (const route of routes) {
    const label = `${route.method} ${route.url}`;
    assert.ok(route.access === 'public' || route.access === 'signed-in' || typeof route.access.permission === 'string', label);
    if (!SAFE_METHODS.has(route.method)) assert.ok(route.csrf === 'required' || route.csrf === 'exempt', label);
  }
});

test('signed-in and permission routes refuse an anonymous request: 303 to /login?next= for pages, 401 for the API', async () => {
  assert.ok(guarded().length > 0, 'the server has signed-in routes');
  for (const route of guarded()) {
    const label = `${route.method} ${route.url}`;
    const res = await send(new TestClient(server.url), route);
    if (isApi(route)) {
      assert.equal(res.status, 401, label);
      if (route.method !== 'HEAD') assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'message'], label);
      if (route.method !== 'HEAD') assert.equal(res.json().error, 'unauthenticated', label);
    } else {
      assert.equal(res.status, 303, label);
      assert.equal(res.location, `/login?next=${encodeURIComponent(concretePath(route.url))}`, label);
    }
    assertNoUserData(res, label);
  }
});

test('permission routes answer 403 to a signed-in user without the permission, and let an admin through', async () => {
  for (const route of withPermission()) {
    const label = `${route.method} ${route.url}`;
    const res = await send(plain, route);
    assert.equal(res.status, 403, label);
    assertNoUserData(res, label);
    if (SAFE_METHODS.has(route.method)) assert.ok(![401, 403].includes((await send(admin, route)).status), `${label} as admin`);
  }
});

test('every state-changing route refuses a request without a CSRF token with 403, unless declared exempt', async () => {
  const required = routes.filter((route) => route.csrf === 'required');
  assert.ok(required.length > 0, 'the server has state-changing routes');
  for (const route of required) {
    const label = `${route.method} ${route.url}`;
    // Signed in (as admin where a permission is needed), so that only the missing token can refuse it.
    const res = await send(typeof route.access === 'object' ? admin : plain, route);
    assert.equal(res.status, 403, label);
    if (isApi(route)) assert.equal(res.json().error, 'csrf_failed', label);
  }
  // Nothing happened: POST /logout without a token did not sign anyone out.
  assert.equal((await plain.get('/dashboard')).status, 200);
  assert.equal((await admin.get('/dashboard')).status, 200);
});

test('a known path with the wrong method is 405 with Allow; an unknown path is 404', async () => {
  const anonymous = new TestClient(server.url);
  const login = await anonymous.request('DELETE', '/login');
  assert.equal(login.status, 405);
  assert.equal(login.headers.get('allow'), 'GET, HEAD, POST');
  const me = await anonymous.request('PUT', '/api/v1/me');
  assert.equal(me.status, 405);
  assert.equal(me.headers.get('allow'), 'GET, HEAD');
  assert.equal(me.json().error, 'method_not_allowed');
  const asset = await anonymous.request('POST', '/static/styles.css');
  assert.equal(asset.status, 405);
  assert.equal(asset.headers.get('allow'), 'GET, HEAD');
  assert.equal((await anonymous.request('DELETE', '/no-such-page')).status, 404);
  assert.equal((await anonymous.get('/static/no-such-file.css')).status, 404);
});

test('static assets stay as before: immutable caching, pre-compressed siblings with their Content-Encoding', async () => {
  const css = await new TestClient(server.url).get('/static/styles.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const meter = await fetch(`${server.url}/static/strength-meter.js`, { headers: { 'accept-encoding': 'br' } });
  await meter.arrayBuffer();
  if (meter.status === 404) return; // the bundle is built by `npm ci` (prepare); absent in a bare checkout
  assert.equal(meter.headers.get('content-encoding'), 'br');
});
