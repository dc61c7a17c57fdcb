// Property: nothing a client sends becomes markup or script. Reflected input (the echoed
// sign-in name, `next`) is escaped, the dashboard `message` is not rendered at all; usernames cannot carry markup;
// a markup-bearing email is refused or shown escaped; and the CSP forbids inline and
// eval'd script on every response, so an injection that slipped through would not run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RAW_MARKUP, XSS_PAYLOADS } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** `href`, `src`, `action`, `formaction` pointing at a javascript: URL. */
const SCRIPT_URL_ATTRIBUTE = /\b(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i;

function scriptSources(csp: string | null): string[] {
  const directive = (csp ?? '').split(';').map((d) => d.trim().split(/\s+/));
  const scriptSrc = directive.find(([name]) => name === 'script-src') ?? directive.find(([name]) => name === 'default-src');
  return scriptSrc ? scriptSrc.slice(1) : [];
}

describe('cross-site scripting', () => {
  let server: TestServer;
  let alice: TestClient;

  before(async () => {
    server = await startTestServer();
    alice = new TestClient(server.url);
    await alice.registerAndSignIn('alice');
  });
  after(() => server.stop());

  // The demo's `?message=` lesson, closed for good: the dashboard renders no text from its URL
  // at all (content spoofing: words from a link on a trusted page), escaped or not.
  test('the dashboard message parameter appears nowhere in the page', async () => {
    for (const payload of [...XSS_PAYLOADS, 'Your account is locked: call +1 555 0100 now']) {
      const response = await alice.get(`/dashboard?message=${encodeURIComponent(payload)}`);
      assert.equal(response.status, 200, payload);
      assert.doesNotMatch(response.body, RAW_MARKUP, payload);
      assert.doesNotMatch(response.body, SCRIPT_URL_ATTRIBUTE, payload);
      const escaped = payload.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
      assert.ok(!response.body.includes(escaped) && !response.body.includes(payload), `${payload} is shown`);
    }
  });

  test('a sign-in name echoed back into the form after a failure is escaped', async () => {
    for (const payload of XSS_PAYLOADS) {
      const response = await new TestClient(server.url).signIn(payload, 'wrong password entirely');
      assert.equal(response.status, 401);
      assert.doesNotMatch(response.body, RAW_MARKUP, payload);
      if (/[<>"']/.test(payload)) assert.ok(!response.body.includes(payload), `${payload} is echoed unescaped`);
    }
  });

  /** The `next` hidden input's value as a browser reads it (entities decoded). */
  function hiddenNext(body: string): string | undefined {
    const raw = /<input type="hidden" name="next" value="([^"]*)">/.exec(body)?.[1];
    return raw?.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' })[name]!);
  }

  // The URL parser percent-encodes `"`, `<` and `>` in a path, so a markup payload never
  // reaches the page intact whatever the template does; what survives it (`&`, `'`) is what
  // escaping must handle. A `next` holding text shaped like an entity (`&lt;`) must come back
  // as that text: unescaped, the browser would decode it and post another `next`.
  test('next is escaped into the sign-in form: the browser reads back exactly the path given, entities included', async () => {
    for (const next of ["/it's&lt;script&gt;", '/a&amp;b&quot;c', "/x'&#39;y"]) {
      const page = await new TestClient(server.url).get(`/login?next=${encodeURIComponent(next)}`);
      assert.equal(page.status, 200);
      assert.equal(hiddenNext(page.body), next, `GET /login?next=${next}`);
      assert.doesNotMatch(page.body, RAW_MARKUP);

      const client = new TestClient(server.url);
      await client.get('/login');
      const failed = await client.postForm('/login', { username: 'nobody-here', password: 'wrong password entirely', next });
      assert.equal(failed.status, 401);
      assert.equal(hiddenNext(failed.body), next, `POST /login with next=${next}, echoed after a failure`);
    }
  });

  test('a markup-bearing next reaches the sign-in form only percent-encoded, never as markup', async () => {
    const payload = '/"><script>alert(1)</script>';
    const response = await new TestClient(server.url).get(`/login?next=${encodeURIComponent(payload)}`);
    assert.equal(response.status, 200);
    assert.doesNotMatch(response.body, RAW_MARKUP);
    assert.equal(hiddenNext(response.body), '/%22%3E%3Cscript%3Ealert(1)%3C/script%3E');
  });

  test('every response carries a CSP whose script-src is self only, without unsafe-inline or unsafe-eval', async () => {
    for (const path of ['/', '/login', '/register', '/dashboard', '/profile', '/no-such-page', '/api/v1/me', '/api/v1/csrf']) {
      const response = await alice.get(path);
      const csp = response.headers.get('content-security-policy');
      assert.ok(csp, `${path} has a CSP`);
      assert.deepEqual(scriptSources(csp), ["'self'"], `${path}: ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|strict-dynamic|\*/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  test('pages contain no inline script and no inline event handlers (they would be blocked)', async () => {
    for (const path of ['/', '/login', '/register', '/dashboard', '/profile', '/settings/password', '/no-such-page']) {
      const { body } = await alice.get(path);
      for (const tag of body.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\ssrc="\/[^/]/, `${path}: ${tag}`);
      assert.doesNotMatch(body, /<[^>]+\son[a-z]+\s*=/i, path);
    }
  });

  test('registration refuses a username carrying markup, on the page and the API', async () => {
    const names = ['<script>alert(1)</script>', 'bob<b>', '"><img src=x onerror=alert(1)>', "al'ice"];
    for (const username of names) {
      const client = new TestClient(server.url);
      await client.get('/register');
      const page = await client.postForm('/register', { username, email: 'x1@example.test', password: GOOD_PASSWORD });
      assert.equal(page.status, 400, username);
      assert.doesNotMatch(page.body, RAW_MARKUP);
      const api = await client.postJson('/api/v1/register', { username, email: 'x2@example.test', password: GOOD_PASSWORD });
      assert.equal(api.status, 400, username);
    }
    const stored = await server.deps.database.db
      .selectFrom('users')
      .select('username')
      .where((eb) => eb.or([eb('username', 'like', '%<%'), eb('username', 'like', '%>%'), eb('username', 'like', '%"%')]))
      .execute();
    assert.deepEqual(stored, []);
  });

  test('an email like "<svg/onload=alert(1)>"@x.io is refused, or shown escaped on /profile', async () => {
    const email = '"<svg/onload=alert(1)>"@x.io';
    const eve = new TestClient(server.url);
    await eve.get('/register');
    const registered = await eve.postForm('/register', { username: 'eve', email, password: GOOD_PASSWORD });
    assert.ok(registered.status === 303 || registered.status === 400, `status ${registered.status}`);
    assert.doesNotMatch(registered.body, RAW_MARKUP);
    if (registered.status === 400) return;
    await eve.signIn('eve', GOOD_PASSWORD);
    const profile = await eve.get('/profile');
    assert.equal(profile.status, 200);
    assert.doesNotMatch(profile.body, RAW_MARKUP);
    assert.ok(profile.body.includes('&quot;&lt;svg/onload=alert(1)&gt;&quot;@x.io'), 'the address is shown, escaped');
  });

  test('an email echoed back into the register form after a failure is escaped', async () => {
    const client = new TestClient(server.url);
    await client.get('/register');
    const response = await client.postForm('/register', { username: 'x', email: '"><svg/onload=alert(1)>@x.io', password: 'short' });
    assert.equal(response.status, 400);
    assert.doesNotMatch(response.body, RAW_MARKUP);
  });
});
