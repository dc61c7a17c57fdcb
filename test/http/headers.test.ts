// Property: every response carries the security headers (a Permissions-Policy that denies the
// powerful browser features and allows passkeys for our own origin only, among them);
// production adds HSTS and Secure __Host- cookies; caching fits the content.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

/** Features a sign-in app never needs: each must be denied to every origin, ours included. */
const DENIED_FEATURES = ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'browsing-topics', 'serial', 'hid', 'display-capture'];

/** The Permissions-Policy header as feature → allowlist (a structured-field dictionary). */
function permissions(header: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const member of header.split(',')) {
    const [feature, allowlist] = member.trim().split('=');
    if (feature) map.set(feature, allowlist ?? '');
  }
  return map;
}

function assertPermissionsPolicy(res: TestResponse, label: string) {
  const header = res.headers.get('permissions-policy');
  assert.ok(header, `${label}: no Permissions-Policy`);
  const policy = permissions(header);
  for (const feature of DENIED_FEATURES) assert.equal(policy.get(feature), '()', `${label}: ${feature} in ${header}`);
  assert.equal(policy.get('publickey-credentials-get'), '(self)', `${label}: passkey sign-in`);
  assert.equal(policy.get('publickey-credentials-create'), '(self)', `${label}: passkey registration`);
  for (const [feature, allowlist] of policy) {
    assert.match(allowlist, /^\((self)?\)$/, `${label}: ${feature}=${allowlist} allows another origin`);
  }
}

function assertSecurityHeaders(res: TestResponse, label: string) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${label}: no Content-Security-Policy`);
  const d = directives(csp);
  const scriptSources = d.get('script-src') ?? d.get('default-src');
  assert.ok(scriptSources, `${label}: CSP restricts no scripts: ${csp}`);
  assert.ok(!scriptSources.includes("'unsafe-inline'"), `${label}: script-src allows 'unsafe-inline'`);
  assert.ok(!scriptSources.includes("'unsafe-eval'"), `${label}: script-src allows 'unsafe-eval'`);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${label}: frame-ancestors`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', label);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', label);
  assert.ok(res.headers.get('referrer-policy'), `${label}: no Referrer-Policy`);
  assert.equal(res.headers.get('x-powered-by'), null, `${label}: X-Powered-By present`);
  assertPermissionsPolicy(res, label);
}

async function sampleResponses(server: TestServer): Promise<[string, TestResponse][]> {
  const c = new TestClient(server.url);
  const page = await c.get('/');
  const api = await c.get('/api/v1/csrf');
  const notFound = await c.get('/no-such-page');
  const apiNotFound = await c.get('/api/v1/no-such-route');
  const asset = await c.get('/static/styles.css');
  const health = await c.get('/healthz');
  await c.get('/register');
  const pageError = await c.postForm('/register', { username: 'x', email: 'bad', password: 'short' });
  const apiError = await c.request('POST', '/api/v1/register', {
    body: '{not json',
    headers: { 'content-type': 'application/json', 'x-csrf-token': api.json().csrfToken },
  });
  const redirect = await c.get('/dashboard');
  assert.equal(asset.status, 200, 'the stylesheet is served');
  assert.equal(pageError.status, 400);
  assert.equal(apiError.status, 400);
  assert.equal(notFound.status, 404);
  return [
    ['page', page],
    ['API', api],
    ['404 page', notFound],
    ['404 API', apiNotFound],
    ['static asset', asset],
    ['health', health],
    ['400 page', pageError],
    ['400 API', apiError],
    ['303 redirect', redirect],
  ];
}

describe('development', () => {
  let server: TestServer;
  let responses: [string, TestResponse][];
  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
    responses = await sampleResponses(server);
  });
  after(async () => {
    await server.stop();
  });

  test('every response has CSP without unsafe script sources, frame-ancestors none, nosniff, DENY, Referrer-Policy, Permissions-Policy, no X-Powered-By', () => {
    for (const [label, res] of responses) assertSecurityHeaders(res, label);
  });

  test('no Strict-Transport-Security outside production', () => {
    for (const [label, res] of responses) assert.equal(res.headers.get('strict-transport-security'), null, label);
  });

  test('static assets are cached for long and immutable', () => {
    const asset = responses.find(([label]) => label === 'static asset')![1];
    const cacheControl = asset.headers.get('cache-control') ?? '';
    assert.match(cacheControl, /\bimmutable\b/);
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1] ?? 0);
    assert.ok(maxAge >= 30 * 86_400, `max-age ${maxAge}`);
    assert.doesNotMatch(cacheControl, /no-store|no-cache/);
  });

  test('pages link the stylesheet with a content-hash version, so immutable caching is safe', async () => {
    const home = responses.find(([label]) => label === 'page')![1];
    assert.match(home.body, /href="\/static\/styles\.css\?v=[0-9a-f]{8,}"/);
  });

  test('pages, API answers and errors are Cache-Control: no-store', () => {
    for (const [label, res] of responses) {
      if (label === 'static asset') continue;
      assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/, label);
    }
  });

  test('signed-in pages are no-store too', async () => {
    const c = new TestClient(server.url);
    await c.registerAndSignIn('headers-user');
    for (const path of ['/dashboard', '/profile', '/api/v1/me']) {
      const res = await c.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/, path);
      assertSecurityHeaders(res, path);
    }
  });
});

describe('production', () => {
  let server: TestServer;
  let responses: [string, TestResponse][];
  before(async () => {
    server = await startTestServer({
      NODE_ENV: 'production',
      SECRET_KEY: randomBytes(32).toString('hex'),
      BASE_URL: 'https://gatehouse.test',
      REGISTER_MAX_PER_HOUR: '1000',
      // Forward-auth on, for the proxy cookie's production form.
      TRUST_PROXY: '127.0.0.1',
      FORWARD_AUTH_DOMAINS: 'gatehouse.test',
      FORWARD_AUTH_COOKIE_DOMAIN: 'gatehouse.test',
    });
    responses = await sampleResponses(server);
  });
  after(async () => {
    await server.stop();
  });

  test('every response has HSTS of at least a year and the other security headers', () => {
    for (const [label, res] of responses) {
      const hsts = res.headers.get('strict-transport-security');
      assert.ok(hsts, `${label}: no HSTS`);
      assert.ok(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0) >= 31_536_000, `${label}: ${hsts}`);
      assertSecurityHeaders(res, label);
    }
  });

  test('the session cookie is __Host-gatehouse_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain', async () => {
    const c = new TestClient(server.url);
    await c.get('/register');
    assert.equal((await c.postForm('/register', { username: 'prod-user', email: 'prod@example.test', password: GOOD_PASSWORD })).status, 303);
    await c.get('/login');
    const res = await c.postForm('/login', { username: 'prod-user', password: GOOD_PASSWORD });
    assert.equal(res.status, 303, res.body.slice(0, 300));
    const line = res.setCookies.find((l) => l.startsWith('__Host-gatehouse_session='));
    assert.ok(line, `no __Host- session cookie in ${JSON.stringify(res.setCookies)}`);
    assert.match(line, /;\s*Secure/i);
    assert.match(line, /;\s*HttpOnly/i);
    assert.match(line, /;\s*SameSite=Lax/i);
    assert.match(line, /;\s*Path=\/(;|$)/);
    assert.doesNotMatch(line, /Domain=/i);
    assert.ok(!res.setCookies.some((l) => l.startsWith('gatehouse_session=')), 'the development cookie name is not used');
    assert.equal((await c.get('/dashboard')).status, 200);
  });

  test('the forward-auth cookie is __Secure-gatehouse_proxy with Secure, HttpOnly, SameSite=Lax and Domain= FORWARD_AUTH_COOKIE_DOMAIN (v5.0.0-3.3.1, 3.3.3)', async () => {
    const c = new TestClient(server.url);
    const res = await c.registerAndSignIn('prod-proxy');
    assert.equal(res.status, 303);
    const line = res.setCookies.find((l) => l.startsWith('__Secure-gatehouse_proxy='));
    assert.ok(line, `no __Secure- proxy cookie in ${JSON.stringify(res.setCookies.map((l) => l.split('=')[0]))}`);
    assert.match(line, /;\s*Secure/i);
    assert.match(line, /;\s*HttpOnly/i);
    assert.match(line, /;\s*SameSite=Lax/i);
    assert.match(line, /;\s*Domain=gatehouse\.test/i);
    assert.ok(!res.setCookies.some((l) => l.startsWith('gatehouse_proxy=')), 'the development cookie name is not used');
    const proxied = new TestClient(server.url);
    proxied.cookies.set('__Secure-gatehouse_proxy', c.cookies.get('__Secure-gatehouse_proxy')!);
    const verify = await proxied.get('/auth/verify/nginx', { 'x-original-url': 'https://app.gatehouse.test/' });
    assert.equal(verify.status, 200, 'the verify endpoint takes it alone');
    assert.equal(verify.headers.get('remote-user'), 'prod-proxy');
  });

  test('no cookie other than the session cookie carries "session" in its name', async () => {
    const c = new TestClient(server.url);
    await c.get('/register');
    await c.postForm('/register', { username: 'prod-user2', email: 'prod2@example.test', password: GOOD_PASSWORD });
    for (const name of c.cookies.keys()) {
      if (name.includes('session')) assert.equal(name, '__Host-gatehouse_session');
    }
  });
});
