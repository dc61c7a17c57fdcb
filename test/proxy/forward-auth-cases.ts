/**
 * The forward-auth cases every real proxy must pass (test/proxy/nginx.test.ts, caddy.test.ts),
 * written once: the proxy's own config is the template in docs/forward-auth/.
 *  - signed out: the browser is sent to <BASE_URL>/login?rd=<the URL it asked for>, and the
 *    application is not reached, whatever Remote-User the client claims;
 *  - signed in (the proxy cookie alone, as on another subdomain): the application receives
 *    Gatehouse's Remote-* and X-Gatehouse-Jwt; the client's own Remote-User, X-Forwarded-Host
 *    and X-Forwarded-Uri are overwritten or stripped (ASVS v5.0.0-4.1.3);
 *  - per-location rules: /admin/ (group=admin), /secure/ (mfa=1), /fresh/ (max_age=600); a
 *    browser refused by one sees Gatehouse's page saying what to do, through either proxy;
 *  - sign-out ends access on the next proxied request (v5.0.0-7.4.1); so does an admin's
 *    disable (v5.0.0-7.4.2);
 *  - a Host outside FORWARD_AUTH_DOMAINS is refused, and the sign-in's rd never leaves them
 *    (v5.0.0-3.7.2).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { normalizeUsername } from '../../src/domain/users/user.ts';
import { TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { APP_HOST, BASE_URL, clockOffset, type RunningProxy, startGatehouse, startUpstream, type Upstream, viaProxy } from './proxy-harness.ts';

export function forwardAuthCases(name: string, startProxy: (gatehousePort: number, appPort: number) => Promise<RunningProxy>) {
  let gatehouse: TestServer;
  let upstream: Upstream;
  let proxy: RunningProxy;

  before(async () => {
    gatehouse = await startGatehouse();
    upstream = await startUpstream();
    proxy = await startProxy(Number(new URL(gatehouse.url).port), upstream.port);
  });
  after(async () => {
    await proxy?.stop();
    upstream?.server.close();
    await gatehouse?.stop();
  });

  async function signedIn(username: string): Promise<{ client: TestClient; cookie: string }> {
    const client = new TestClient(gatehouse.url);
    assert.equal((await client.registerAndSignIn(username)).status, 303);
    const token = client.cookies.get('gatehouse_proxy');
    assert.ok(token, 'the proxy cookie was minted');
    return { client, cookie: `gatehouse_proxy=${token}` };
  }

  async function userId(username: string): Promise<number> {
    const user = await gatehouse.deps.users.findUserByUsername(normalizeUsername(username));
    assert.ok(user);
    return user.id;
  }

  const target = (pathname: string) => `http://${APP_HOST}:${proxy.port}${pathname}`;

  test(`${name}: signed out, the browser is sent to sign in with rd, and the application is not reached`, async () => {
    upstream.last = undefined;
    const response = await viaProxy(proxy.port, '/page?x=1', { headers: { 'remote-user': 'admin' } });
    assert.equal(response.status, 302, response.body);
    assert.equal(response.headers.location, `${BASE_URL}/login?rd=${encodeURIComponent(target('/page?x=1'))}`);
    assert.equal(upstream.last, undefined);
  });

  test(`${name}: signed in, the application gets Gatehouse's headers, never the client's (v5.0.0-4.1.3)`, async () => {
    const { cookie } = await signedIn(`${name}-ana`);
    const response = await viaProxy(proxy.port, '/page', {
      headers: { cookie, 'remote-user': 'admin', 'remote-groups': 'admin', 'x-forwarded-host': 'evil.test', 'x-forwarded-uri': '/elsewhere', 'x-original-url': 'https://evil.test/' },
    });
    assert.equal(response.status, 200, response.body);
    const seen = JSON.parse(response.body) as { path: string; headers: Record<string, string> };
    assert.equal(seen.path, '/page');
    assert.equal(seen.headers['remote-user'], `${name}-ana`);
    assert.equal(seen.headers['remote-email'], `${name}-ana@example.test`);
    assert.equal(seen.headers['remote-groups'], 'user');
    assert.match(seen.headers['x-gatehouse-jwt'] ?? '', /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.notEqual(seen.headers['x-forwarded-host'], 'evil.test');
    assert.notEqual(seen.headers['x-forwarded-uri'], '/elsewhere');
    // The session token never travels upstream (v5.0.0-10.1.1): only the proxy cookie the browser sent.
    assert.equal(JSON.stringify(seen.headers).includes('gatehouse_session'), false);
  });

  test(`${name}: per-location rules: group, mfa and max_age`, async () => {
    const { cookie } = await signedIn(`${name}-bo`);
    assert.equal((await viaProxy(proxy.port, '/admin/x', { headers: { cookie } })).status, 403);
    assert.ok(await gatehouse.deps.users.setRole(await userId(`${name}-bo`), 'admin'));
    assert.equal((await viaProxy(proxy.port, '/admin/x', { headers: { cookie } })).status, 200);
    assert.equal((await viaProxy(proxy.port, '/secure/x', { headers: { cookie } })).status, 403, 'a password-only sign-in');
    // A rule a client tries to override in the query string stays (Caddy passes the query on).
    assert.equal((await viaProxy(proxy.port, '/secure/x?mfa=0', { headers: { cookie } })).status, 403);
    assert.equal((await viaProxy(proxy.port, '/fresh/x', { headers: { cookie } })).status, 200);
    clockOffset.ms += 601_000;
    try {
      assert.equal((await viaProxy(proxy.port, '/fresh/x', { headers: { cookie } })).status, 403);
      // A browser navigation refused by a rule sees Gatehouse's page with the way forward
      // (confirm the password, then back here): Caddy hands it on, nginx asks for it by error_page.
      const page = await viaProxy(proxy.port, '/fresh/x?y=1', { headers: { cookie, accept: 'text/html', 'accept-language': 'es' } });
      assert.equal(page.status, 403);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /<html lang="es">/);
      assert.ok(page.body.includes(`href="${BASE_URL}/sudo?next=${encodeURIComponent(target('/fresh/x?y=1'))}"`), page.body);
      assert.equal(page.headers['remote-user'], undefined);
      // The application's own 403 is not Gatehouse's business: it reaches the browser as sent.
      const own = await viaProxy(proxy.port, '/app-forbidden', { headers: { cookie, accept: 'text/html' } });
      assert.equal(own.status, 403);
      assert.equal(own.body, 'the application says no');
    } finally {
      clockOffset.ms -= 601_000;
    }
  });

  test(`${name}: sign-out (v5.0.0-7.4.1) and an admin's disable (v5.0.0-7.4.2) end access at the next request`, async () => {
    const cy = await signedIn(`${name}-cy`);
    assert.equal((await viaProxy(proxy.port, '/', { headers: { cookie: cy.cookie } })).status, 200);
    await cy.client.get('/dashboard');
    assert.equal((await cy.client.postForm('/logout', {})).status, 303);
    assert.equal((await viaProxy(proxy.port, '/', { headers: { cookie: cy.cookie } })).status, 302);

    const di = await signedIn(`${name}-di`);
    assert.equal((await viaProxy(proxy.port, '/', { headers: { cookie: di.cookie } })).status, 200);
    assert.ok((await gatehouse.deps.userService.setDisabled({ id: await userId(`${name}-di`) }, true, CLI_CONTEXT)).ok);
    assert.equal((await viaProxy(proxy.port, '/', { headers: { cookie: di.cookie } })).status, 302);
  });

  test(`${name}: a Host outside FORWARD_AUTH_DOMAINS is refused; rd on sign-in never leaves them (v5.0.0-3.7.2)`, async () => {
    const { cookie, client } = await signedIn(`${name}-ev`);
    upstream.last = undefined;
    for (const host of ['evilexample.test', 'example.test.evil.test', 'evil.test']) {
      const response = await viaProxy(proxy.port, '/', { host: `${host}:${proxy.port}`, headers: { cookie } });
      // nginx: the only server, so Gatehouse is asked and refuses (403); Caddy: no site has that
      // host, so nothing is proxied at all (Caddy's empty 200). Either way the app is not reached.
      assert.equal(upstream.last, undefined, host);
      assert.equal(response.headers['remote-user'], undefined);
      if (name === 'nginx') assert.equal(response.status, 403, host);
    }
    for (const rd of ['https://evil.test/', '//evil.test/', '/\\evil.test/', `http://${APP_HOST}@evil.test/`]) {
      const response = await client.get(`/login?rd=${encodeURIComponent(rd)}`);
      assert.equal(response.location, '/dashboard', rd);
    }
    const allowed = await client.get(`/login?rd=${encodeURIComponent(target('/back'))}`);
    assert.equal(allowed.location, target('/back'));
  });
}
