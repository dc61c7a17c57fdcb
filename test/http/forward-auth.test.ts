// Property: the forward-auth endpoints answer a reverse proxy exactly as CONTRACT says, and only
// a reverse proxy (issue #13), called here directly with the headers a proxy would send:
//  - v5.0.0-4.1.3: a peer outside TRUST_PROXY is refused (403) whatever headers it sends;
//  - signed out: 302 (GET/HEAD) or 303 to <BASE_URL>/login?rd=<target>, 401 for XHR/JSON, and
//    always 401 with Location on the nginx endpoint (never 3xx);
//  - a target outside FORWARD_AUTH_DOMAINS, or plain http outside development: 403;
//  - signed in: 200, empty body, no-store, Remote-* always, and an ES256 X-Gatehouse-Jwt that
//    verifies against /auth/jwks.json for its audience only (v5.0.0-10.1.1: no session token);
//  - rules: ?group=, ?mfa=1, ?max_age= (403 when they fail): JSON, or for a browser navigation
//    a page in the visitor's language with the way forward (max_age: /sudo, back to the target);
//  - the proxy cookie: its own ≥128-bit token, stored only as its SHA-256, Domain= the cookie
//    domain, accepted by the verify endpoints only, dead with its session (logout v5.0.0-7.4.1,
//    disable v5.0.0-7.4.2, a password change elsewhere), checked on every call (v5.0.0-7.2.1);
//  - /login?rd=: honoured only inside FORWARD_AUTH_DOMAINS (v5.0.0-3.7.2, v5.0.0-1.2.2), also
//    through the two-factor step and passkey sign-in; so is /logout?rd= (the application's
//    sign-out link: a confirmation page, then back to rd);
//  - refusals audited as forward_auth.denied, a burst coalesced into one row; every decision
//    counted and logged (`forward-auth decisions`) at shutdown;
//  - a trusted proxy's calls are not counted by GLOBAL_RATE_LIMIT (an office behind one address
//    loading protected apps); any other peer's are.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { normalizeUsername } from '../../src/domain/users/user.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BASE_URL = 'http://auth.example.test';
const APP = 'https://app.example.test';
let server: TestServer;
let offsetMs = 0;

const forwarded = (url: string, extra: Record<string, string> = {}) => {
  const target = new URL(url);
  return { 'x-forwarded-proto': target.protocol.slice(0, -1), 'x-forwarded-host': target.host, 'x-forwarded-uri': `${target.pathname}${target.search}`, 'x-forwarded-method': 'GET', ...extra };
};
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A client whose only cookie is the proxy cookie, as a protected subdomain's verify call carries it. */
function onlyProxyCookie(from: TestClient): TestClient {
  const client = new TestClient(server.url);
  const value = from.cookies.get('gatehouse_proxy');
  assert.ok(value, 'the proxy cookie was minted');
  client.cookies.set('gatehouse_proxy', value);
  return client;
}

/** The proxy token hash stored with a session: its SQL row, or its Redis hash (postgres+redis). */
async function storedProxyHash(sessionHash: string): Promise<string | null | undefined> {
  if (server.config.redisUrl) {
    const redis = new Redis(server.config.redisUrl, { keyPrefix: server.config.redisKeyPrefix, lazyConnect: true });
    try {
      await redis.connect();
      return await redis.hget(`s:${sessionHash}`, 'proxyTokenHash');
    } finally {
      redis.disconnect();
    }
  }
  const row = await server.deps.database.db.selectFrom('sessions').select(['proxy_token_hash']).where('id_hash', '=', sessionHash).executeTakeFirst();
  return row?.proxy_token_hash;
}

async function signedIn(username: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const response = await client.registerAndSignIn(username);
  assert.equal(response.status, 303);
  return client;
}

async function userId(username: string): Promise<number> {
  const user = await server.deps.users.findUserByUsername(normalizeUsername(username));
  assert.ok(user);
  return user.id;
}

before(async () => {
  server = await startTestServer(
    { BASE_URL, TRUST_PROXY: '127.0.0.1', FORWARD_AUTH_DOMAINS: 'example.test', FORWARD_AUTH_COOKIE_DOMAIN: 'example.test', REGISTER_MAX_PER_HOUR: '1000' },
    { clock: { now: () => Date.now() + offsetMs } },
  );
});
after(() => server.stop());

describe('who may ask, and for what', () => {
  test('v5.0.0-4.1.3: a peer outside TRUST_PROXY is refused whatever it sends', async () => {
    const untrusted = await startTestServer({ TRUST_PROXY: '10.9.9.9', FORWARD_AUTH_DOMAINS: 'example.test' });
    try {
      const client = new TestClient(untrusted.url);
      await client.registerAndSignIn('peer-pat');
      for (const [path, headers] of [['/auth/verify', forwarded(`${APP}/`)], ['/auth/verify/nginx', { 'x-original-url': `${APP}/` }]] as const) {
        const response = await client.get(path, { ...headers, 'x-forwarded-for': '10.9.9.9' });
        assert.equal(response.status, 403, path);
        assert.equal(response.json().reason, 'untrusted_peer');
        assert.equal(response.headers.get('remote-user'), null);
      }
    } finally {
      await untrusted.stop();
    }
    // Decisions are counted in memory and logged (every 5 minutes, and at shutdown).
    const counted = untrusted.logs.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'forward-auth decisions');
    assert.deepEqual(counted?.forwardAuth, { allowed: 0, unauthenticated: 0, denied: 2 });
  });

  test('v5.0.0-3.7.2: a target outside FORWARD_AUTH_DOMAINS, or plain http outside development, is refused (403)', async () => {
    const client = new TestClient(server.url);
    for (const target of ['https://evilexample.test/', 'https://evil.test/', 'http://app.example.test/', 'https://app.example.test@evil.test/', 'javascript:alert(1)']) {
      const nginx = await client.get('/auth/verify/nginx', { 'x-original-url': target });
      assert.equal(nginx.status, 403, target);
      assert.equal(nginx.json().reason, 'target_refused');
    }
    assert.equal((await client.get('/auth/verify', forwarded(`${APP}/`, { 'x-forwarded-host': 'evil.test/.example.test' }))).status, 403);
    assert.equal((await client.get('/auth/verify', {})).status, 403, 'no target at all');
    assert.equal((await client.get('/auth/verify?group=', forwarded(`${APP}/`))).json().reason, 'rules_invalid');
    // A client's copy of a rule appended to the operator's (Caddy keeps the query string) never loosens it.
    assert.equal((await client.get('/auth/verify?group=admin&group=user', forwarded(`${APP}/`))).json().reason, 'rules_invalid');
    assert.equal((await client.get('/auth/verify?mfa=1&mfa=0', forwarded(`${APP}/`))).json().reason, 'rules_invalid');
  });
});

describe('signed out', () => {
  test('a browser navigation is sent to sign in: 302 for GET/HEAD, 303 for other methods, rd = the target', async () => {
    const client = new TestClient(server.url);
    const get = await client.get('/auth/verify', forwarded(`${APP}/page?x=1`));
    assert.equal(get.status, 302);
    assert.equal(get.location, `${BASE_URL}/login?rd=${encodeURIComponent(`${APP}/page?x=1`)}`);
    assert.equal(get.headers.get('cache-control'), 'no-store');
    const post = await client.get('/auth/verify', forwarded(`${APP}/form`, { 'x-forwarded-method': 'POST' }));
    assert.equal(post.status, 303);
  });

  test('XHR and Accept: application/json get 401; the nginx endpoint always 401 with Location, never 3xx', async () => {
    const client = new TestClient(server.url);
    assert.equal((await client.get('/auth/verify', forwarded(`${APP}/api`, { 'x-requested-with': 'XMLHttpRequest' }))).status, 401);
    const json = await client.get('/auth/verify', forwarded(`${APP}/api`, { accept: 'application/json' }));
    assert.equal(json.status, 401);
    assert.equal(json.json().error, 'unauthenticated');
    const nginx = await client.get('/auth/verify/nginx', { 'x-original-url': `${APP}/x`, 'x-original-method': 'POST' });
    assert.equal(nginx.status, 401);
    assert.equal(nginx.location, `${BASE_URL}/login?rd=${encodeURIComponent(`${APP}/x`)}`);
    // Spanish for a Spanish browser (Traefik shows this body).
    assert.match((await client.get('/auth/verify/nginx', { 'x-original-url': `${APP}/x`, 'accept-language': 'es' })).json().message, /Inicia sesión/);
  });
});

describe('signed in', () => {
  let ana: TestClient;
  before(async () => {
    ana = await signedIn('fa-ana');
  });

  test('200, empty body, no-store, Remote-* and a JWT that verifies for its audience only', async () => {
    const response = await ana.get('/auth/verify', forwarded(`${APP}/`));
    assert.equal(response.status, 200);
    assert.equal(response.body, '');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('remote-user'), 'fa-ana');
    assert.equal(response.headers.get('remote-email'), 'fa-ana@example.test');
    assert.equal(response.headers.get('remote-name'), 'fa-ana');
    assert.equal(response.headers.get('remote-groups'), 'user');
    const jwt = response.headers.get('x-gatehouse-jwt');
    assert.ok(jwt);
    const jwksResponse = await ana.get('/auth/jwks.json');
    assert.equal(jwksResponse.status, 200);
    const jwks = jwksResponse.json();
    assert.equal(JSON.stringify(jwks).includes('"d"'), false, 'no private part in the JWKS');
    const keys = createLocalJWKSet(jwks);
    const { payload, protectedHeader } = await jwtVerify(jwt, keys, { issuer: BASE_URL, audience: APP, algorithms: ['ES256'], typ: 'JWT' });
    assert.equal(payload.sub, 'fa-ana');
    assert.equal(payload.exp! - payload.iat!, 60);
    assert.equal(protectedHeader.alg, 'ES256');
    await assert.rejects(jwtVerify(jwt, keys, { issuer: BASE_URL, audience: 'https://other.example.test' }), /aud/);
    // v5.0.0-10.1.1: neither cookie's token rides along upstream.
    for (const token of ana.cookies.values()) assert.equal(JSON.stringify(payload).includes(token), false);
  });

  test('the nginx dialect gives the same answer', async () => {
    const response = await ana.get('/auth/verify/nginx', { 'x-original-url': `${APP}/x` });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('remote-user'), 'fa-ana');
  });

  test('rules: group must be the role, mfa=1 needs a second factor, max_age the last authentication', async () => {
    const proxied = onlyProxyCookie(ana);
    const group = await proxied.get('/auth/verify?group=admin', forwarded(`${APP}/`));
    assert.equal(group.status, 403);
    assert.equal(group.json().reason, 'group_required');
    assert.equal(group.headers.get('remote-user'), null);
    assert.ok(await server.deps.users.setRole(await userId('fa-ana'), 'admin'));
    assert.equal((await proxied.get('/auth/verify?group=admin', forwarded(`${APP}/`))).headers.get('remote-groups'), 'admin');
    assert.equal((await proxied.get('/auth/verify?mfa=1', forwarded(`${APP}/`))).json().reason, 'second_factor_required');
    assert.equal((await proxied.get('/auth/verify?max_age=300', forwarded(`${APP}/`))).status, 200);
    offsetMs += 301_000;
    try {
      assert.equal((await proxied.get('/auth/verify?max_age=300', forwarded(`${APP}/`))).json().reason, 'reauthentication_required');
    } finally {
      offsetMs -= 301_000;
    }
  });
});

describe('a refused browser navigation', () => {
  const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

  test('v5.0.0-7.2.1, 3.7.2: max_age: a page (not JSON) in the visitor\'s language; its link confirms the password at /sudo and returns to the target, which then opens', async () => {
    const client = await signedIn('fa-fresh');
    const proxied = onlyProxyCookie(client);
    const target = `${APP}/reports/q3?tab=1`;
    offsetMs += 601_000;
    try {
      const refused = await proxied.get('/auth/verify?max_age=600', forwarded(target, NAVIGATION));
      assert.equal(refused.status, 403);
      assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(refused.headers.get('cache-control'), 'no-store');
      assert.match(refused.body, /<html lang="en">/);
      assert.match(refused.body, /data-refusal="reauthentication_required"/);
      assert.match(refused.body, /signed in to Gatehouse as fa-fresh/);
      const link = `${BASE_URL}/sudo?next=${encodeURIComponent(target)}`;
      assert.ok(refused.body.includes(`href="${link}"`), refused.body);
      // The same refusal in Spanish, and as JSON for a script: the 403 and its reason either way.
      assert.match((await proxied.get('/auth/verify?max_age=600', forwarded(target, { ...NAVIGATION, 'accept-language': 'es' }))).body, /<html lang="es">[\s\S]*Confirma tu contraseña/);
      assert.equal((await proxied.get('/auth/verify?max_age=600', forwarded(target, { accept: 'application/json' }))).json().reason, 'reauthentication_required');

      // Following the link on Gatehouse's host: the password is confirmed and the browser goes back.
      const sudo = await client.get(new URL(link).pathname + new URL(link).search);
      assert.equal(sudo.status, 200);
      assert.ok(sudo.body.includes(`name="next" value="${target.replace(/&/g, '&amp;')}"`), 'the target rides in the form');
      const confirmed = await client.postForm('/sudo', { current_password: GOOD_PASSWORD, next: target });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, target);
      assert.equal((await proxied.get('/auth/verify?max_age=600', forwarded(target, NAVIGATION))).status, 200);
    } finally {
      offsetMs -= 601_000;
    }
  });

  test('v5.0.0-3.7.2: /sudo returns only inside FORWARD_AUTH_DOMAINS; anything else goes to the dashboard', async () => {
    const client = await signedIn('fa-sudo-rd');
    for (const next of ['https://evil.test/', '//evil.test/', 'https://app.example.test@evil.test/', 'javascript:alert(1)', 'http://app.example.test/']) {
      assert.ok((await client.get(`/sudo?next=${encodeURIComponent(next)}`)).body.includes('name="next" value="/dashboard"'), next);
      const confirmed = await client.postForm('/sudo', { current_password: GOOD_PASSWORD, next });
      assert.equal(confirmed.location, '/dashboard', next);
    }
  });

  test('v5.0.0-3.4.3: mfa=1 and group: the page names the rule and links to Gatehouse; the nginx endpoint stays JSON (nginx shows its own page)', async () => {
    const client = await signedIn('fa-page');
    const proxied = onlyProxyCookie(client);
    const mfa = await proxied.get('/auth/verify?mfa=1', forwarded(`${APP}/`, NAVIGATION));
    assert.equal(mfa.status, 403);
    assert.match(mfa.body, /data-refusal="second_factor_required"/);
    assert.ok(mfa.body.includes(`href="${BASE_URL}/settings/two-factor"`));
    const group = await proxied.get('/auth/verify?group=admin', forwarded(`${APP}/`, NAVIGATION));
    assert.match(group.body, /data-refusal="group_required"/);
    assert.ok(group.body.includes(`href="${BASE_URL}/dashboard"`));
    assert.doesNotMatch(group.body, /<script|<link rel="stylesheet"|style=|src=/, 'self-contained: nothing to load from the application\'s host');
    // Its one style element is allowed by hash, nothing inline else (v5.0.0-3.4.3).
    const csp = group.headers.get('content-security-policy') ?? '';
    const style = /<style>([^<]*)<\/style>/.exec(group.body)![1]!;
    assert.ok(csp.includes(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`), csp);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /script-src 'self'/);
    const nginx = await proxied.get('/auth/verify/nginx?group=admin', { 'x-original-url': `${APP}/`, ...NAVIGATION });
    assert.equal(nginx.status, 403);
    assert.equal(nginx.json().reason, 'group_required');
  });
});

describe('the proxy cookie', () => {
  test('v5.0.0-3.3.3: its own random token, Domain= the cookie domain, HttpOnly, SameSite=Lax, stored only as a hash', async () => {
    const client = new TestClient(server.url);
    const response = await client.registerAndSignIn('fa-bo');
    const line = response.setCookies.find((cookie) => cookie.startsWith('gatehouse_proxy='));
    assert.ok(line);
    assert.match(line, /Domain=example\.test/i);
    assert.match(line, /HttpOnly/i);
    assert.match(line, /SameSite=Lax/i);
    assert.match(line, /Path=\//);
    const proxyToken = client.cookies.get('gatehouse_proxy')!;
    const sessionToken = client.cookies.get('gatehouse_session')!;
    assert.match(proxyToken, /^[A-Za-z0-9_-]{43}$/, '256 bits');
    assert.notEqual(proxyToken, sessionToken);
    assert.equal(await storedProxyHash(sha256(sessionToken)), sha256(proxyToken));
    // Never the session cookie: as gatehouse_session it opens nothing.
    const impostor = new TestClient(server.url);
    impostor.cookies.set('gatehouse_session', proxyToken);
    assert.equal((await impostor.get('/dashboard')).status, 303);
    // Under its own name it opens no page or API of Gatehouse's own either...
    assert.equal((await onlyProxyCookie(client).get('/dashboard')).status, 303);
    assert.equal((await onlyProxyCookie(client).get('/api/v1/me', { accept: 'application/json' })).status, 401);
    // ...and the verify endpoints take it alone.
    assert.equal((await onlyProxyCookie(client).get('/auth/verify', forwarded(`${APP}/`))).status, 200);
  });

  test('v5.0.0-7.4.1: after sign-out the proxy cookie is refused at once, and cleared', async () => {
    const client = await signedIn('fa-cy');
    const proxied = onlyProxyCookie(client);
    assert.equal((await proxied.get('/auth/verify/nginx', { 'x-original-url': `${APP}/` })).status, 200);
    await client.get('/dashboard');
    const out = await client.postForm('/logout', {});
    assert.equal(out.status, 303);
    assert.ok(out.setCookies.some((cookie) => /^gatehouse_proxy=;/.test(cookie) && /Domain=example\.test/i.test(cookie)), 'cleared with its Domain');
    assert.equal((await proxied.get('/auth/verify/nginx', { 'x-original-url': `${APP}/` })).status, 401);
  });

  test('v5.0.0-7.4.2: disabling the account refuses its proxy cookie at the next call', async () => {
    const client = await signedIn('fa-di');
    const proxied = onlyProxyCookie(client);
    assert.equal((await proxied.get('/auth/verify', forwarded(`${APP}/`))).status, 200);
    assert.ok((await server.deps.userService.setDisabled({ id: await userId('fa-di') }, true, CLI_CONTEXT)).ok);
    assert.equal((await proxied.get('/auth/verify', forwarded(`${APP}/`, { accept: 'application/json' }))).status, 401);
  });

  test('a password change elsewhere voids the other sessions\' proxy cookies; the changing session keeps its own', async () => {
    const first = await signedIn('fa-pw');
    const second = new TestClient(server.url);
    assert.equal((await second.signIn('fa-pw', GOOD_PASSWORD)).status, 303);
    const firstProxy = onlyProxyCookie(first);
    const secondProxy = onlyProxyCookie(second);
    await second.get('/settings/password');
    assert.equal((await second.postForm('/settings/password', { current_password: GOOD_PASSWORD, new_password: 'a different horse battery staple' })).status, 303);
    assert.equal((await firstProxy.get('/auth/verify/nginx', { 'x-original-url': `${APP}/` })).status, 401);
    assert.equal((await secondProxy.get('/auth/verify/nginx', { 'x-original-url': `${APP}/` })).status, 200);
  });
});

describe('rd after sign-in', () => {
  const EVIL = ['https://evil.test/', '//evil.test/', '/\\evil.test/', 'https://app.example.test@evil.test/', 'https://evilexample.test/', 'javascript:alert(1)', 'data:text/html,x', 'http://app.example.test/'];

  test('an allowed rd is carried through the form and followed; the proxy cookie comes with it', async () => {
    const client = new TestClient(server.url);
    await client.get('/register');
    await client.postForm('/register', { username: 'fa-rd', email: 'fa-rd@example.test', password: GOOD_PASSWORD });
    const page = await client.get(`/login?rd=${encodeURIComponent(`${APP}/deep?x=1`)}`);
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(`name="next" value="${APP}/deep\\?x=1"`));
    const done = await client.postForm('/login', { username: 'fa-rd', password: GOOD_PASSWORD, next: `${APP}/deep?x=1` });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${APP}/deep?x=1`);
    assert.ok(client.cookies.get('gatehouse_proxy'));
    // Signed in already: /login?rd= goes straight there, with a fresh proxy cookie (the old one void).
    const old = client.cookies.get('gatehouse_proxy')!;
    const again = await client.get(`/login?rd=${encodeURIComponent(`${APP}/other`)}`);
    assert.equal(again.status, 303);
    assert.equal(again.location, `${APP}/other`);
    assert.notEqual(client.cookies.get('gatehouse_proxy'), old);
    const stale = new TestClient(server.url);
    stale.cookies.set('gatehouse_proxy', old);
    assert.equal((await stale.get('/auth/verify/nginx', { 'x-original-url': `${APP}/` })).status, 401);
  });

  test('rd survives the two-factor step; that sign-in passes ?mfa=1', async () => {
    const client = await signedIn('fa-tf');
    const page = await client.get('/settings/two-factor');
    const secret = /data-totp-secret="([A-Z2-7]{32})"/.exec(page.body)?.[1];
    assert.ok(secret);
    assert.equal((await client.postForm('/settings/two-factor', { code: codeAt(secret, Date.now() + offsetMs), current_password: GOOD_PASSWORD })).status, 200);
    offsetMs += 61_000; // the enrolment used its time step
    const fresh = new TestClient(server.url);
    await fresh.get(`/login?rd=${encodeURIComponent(`${APP}/after-2fa`)}`);
    const password = await fresh.postForm('/login', { username: 'fa-tf', password: GOOD_PASSWORD, next: `${APP}/after-2fa` });
    assert.equal(password.location, '/login/two-factor');
    await fresh.get('/login/two-factor');
    const done = await fresh.postForm('/login/two-factor', { code: codeAt(secret, Date.now() + offsetMs) });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${APP}/after-2fa`);
    assert.equal((await onlyProxyCookie(fresh).get('/auth/verify?mfa=1', forwarded(`${APP}/`))).status, 200);
    // The first session signed in with the password alone: still refused under ?mfa=1.
    assert.equal((await onlyProxyCookie(client).get('/auth/verify?mfa=1', forwarded(`${APP}/`))).status, 403);
  });

  test('passkey sign-in follows an allowed rd and drops a foreign one', async () => {
    const owner = await signedIn('fa-pk');
    const authenticator = new SoftAuthenticator(BASE_URL);
    const regOptions = await owner.postJson('/api/v1/passkeys/registration/options', {});
    assert.equal(regOptions.status, 200, regOptions.body);
    assert.equal((await owner.postJson('/api/v1/passkeys/registration/verify', { response: authenticator.register(regOptions.json()) })).status, 201);
    for (const [next, expected] of [[`${APP}/by-passkey`, `${APP}/by-passkey`], ['https://evil.test/', '/dashboard']] as const) {
      const visitor = new TestClient(server.url);
      assert.equal((await visitor.get('/login')).status, 200);
      const json = (path: string, body: unknown) =>
        visitor.request('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': visitor.lastCsrf ?? '' } });
      const options = await json('/login/passkey/options', {});
      assert.equal(options.status, 200, options.body);
      const verified = await json('/login/passkey/verify', { response: authenticator.assert(options.json()), next });
      assert.equal(verified.status, 200, verified.body);
      assert.equal(verified.json().redirect, expected);
      assert.ok(visitor.cookies.get('gatehouse_proxy'), 'the proxy cookie comes with a passkey sign-in too');
    }
  });

  test('v5.0.0-3.7.2, v5.0.0-1.2.2: rd outside FORWARD_AUTH_DOMAINS is dropped on the page, on the post and when signed in', async () => {
    const client = new TestClient(server.url);
    await client.get('/register');
    await client.postForm('/register', { username: 'fa-ev', email: 'fa-ev@example.test', password: GOOD_PASSWORD });
    for (const rd of EVIL) {
      const page = await client.get(`/login?rd=${encodeURIComponent(rd)}`);
      assert.equal(page.body.includes('evil'), false, rd);
    }
    const first = await client.postForm('/login', { username: 'fa-ev', password: GOOD_PASSWORD, rd: EVIL[0]! });
    assert.equal(first.location, '/dashboard');
    for (const rd of EVIL) {
      const response = await client.get(`/login?rd=${encodeURIComponent(rd)}`);
      assert.equal(response.status, 303, rd);
      assert.equal(response.location, '/dashboard', rd);
    }
  });
});

test('refusals are audited as forward_auth.denied, a burst coalesced; decisions counted in a log line', async () => {
  const client = new TestClient(server.url);
  for (let i = 0; i < 5; i += 1) await client.get('/auth/verify/nginx', { 'x-original-url': 'https://burst.evil.test/' });
  let rows: { details: string | null }[] = [];
  for (let attempt = 0; attempt < 50 && rows.length === 0; attempt += 1) {
    rows = await server.deps.database.db.selectFrom('audit_events').select(['details']).where('type', '=', 'forward_auth.denied').execute();
    if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const targetRefused = rows.filter((row) => String(row.details).includes('target_refused'));
  assert.ok(targetRefused.length >= 1);
  assert.ok(targetRefused.length < 5, 'coalesced, not one row per refusal');
});

describe('the sign-out link of a protected application (GET /logout?rd=)', () => {
  test('v5.0.0-3.5.3, 7.4.1: signed in: a confirmation page (nothing ends on GET); its form signs out, the proxy cookie dies and the browser returns to rd', async () => {
    const client = await signedIn('fa-out');
    const proxied = onlyProxyCookie(client);
    const rd = `${APP}/goodbye?from=app`;
    const page = await client.get(`/logout?rd=${encodeURIComponent(rd)}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(`name="rd" value="${rd}"`), 'rd rides in the form');
    assert.ok(page.body.includes(`href="${rd}"`), 'staying goes back too');
    assert.equal((await proxied.get('/auth/verify', forwarded(`${APP}/`))).status, 200, 'the GET ended nothing');
    const out = await client.postForm('/logout', { rd });
    assert.equal(out.status, 303);
    assert.equal(out.location, rd);
    assert.equal((await proxied.get('/auth/verify', forwarded(`${APP}/`, { accept: 'application/json' }))).status, 401);
    assert.equal((await client.get('/dashboard')).status, 303);
    // Signed out already: the link goes straight on.
    assert.equal((await client.get(`/logout?rd=${encodeURIComponent(rd)}`)).location, rd);
  });

  test('v5.0.0-3.7.2: an rd outside FORWARD_AUTH_DOMAINS is dropped on the page and after the POST; the POST still needs its CSRF token', async () => {
    for (const [n, rd] of ['https://evil.test/', '//evil.test/', `${APP}@evil.test/`, 'javascript:alert(1)'].entries()) {
      const client = await signedIn(`fa-out-${n}`);
      const page = await client.get(`/logout?rd=${encodeURIComponent(rd)}`);
      assert.doesNotMatch(page.body, /name="rd"/, rd);
      assert.ok(page.body.includes('href="/dashboard"'), rd);
      const forged = await client.postForm('/logout', { rd, csrf_token: null });
      assert.equal(forged.status, 403, `${rd}: no token, no sign-out`);
      assert.equal((await client.get('/dashboard')).status, 200, 'still signed in');
      await client.get('/dashboard');
      const out = await client.postForm('/logout', { rd });
      assert.equal(out.location, '/', rd);
    }
    const signedOut = new TestClient(server.url);
    assert.equal((await signedOut.get(`/logout?rd=${encodeURIComponent('https://evil.test/')}`)).location, '/');
  });
});

describe('the global request rate (GLOBAL_RATE_LIMIT=10)', () => {
  const limited = { BASE_URL, FORWARD_AUTH_DOMAINS: 'example.test', GLOBAL_RATE_LIMIT: '10' };
  const user = { 'x-forwarded-for': '203.0.113.7' };

  test('v5.0.0-2.4.1: a trusted proxy\'s verify calls are not counted: 40 page loads of a protected app pass; that user\'s own pages still are', async () => {
    const proxied = await startTestServer({ ...limited, TRUST_PROXY: '127.0.0.1' });
    try {
      const client = new TestClient(proxied.url);
      for (let n = 1; n <= 40; n += 1) {
        const response = await client.get(`/auth/verify/nginx?n=${n}`, { ...user, 'x-original-url': `${APP}/asset-${n}.js` });
        assert.equal(response.status, 401, `verify call ${n}: signed out, never 429`);
      }
      for (let n = 1; n <= 10; n += 1) assert.equal((await client.get('/login', user)).status, 200, `page ${n}`);
      const page = await client.get('/login', user);
      assert.equal(page.status, 429, 'the same address on Gatehouse\'s own pages is counted');
    } finally {
      await proxied.stop();
    }
  });

  test('v5.0.0-2.4.1, 4.1.3: from a peer outside TRUST_PROXY the verify endpoints are counted like any request', async () => {
    const direct = await startTestServer({ ...limited, TRUST_PROXY: '192.0.2.1' });
    try {
      const client = new TestClient(direct.url);
      for (let n = 1; n <= 10; n += 1) assert.equal((await client.get('/auth/verify', forwarded(`${APP}/`))).status, 403, `call ${n}: untrusted peer`);
      assert.equal((await client.get('/auth/verify', forwarded(`${APP}/`))).status, 429);
    } finally {
      await direct.stop();
    }
  });
});
