// Property: the admin console's pages and reads are for administrators only and show what
// they claim, safely (issue #11).
//  - access: a visitor is sent to /login?next= (pages) or gets 401 (API); a signed-in user
//    without the permission gets 403 on every admin page and API call, reads and actions,
//    with none of any account's data in the body (v5.0.0-8.2.1, v5.0.0-8.3.1);
//  - the home counts what happened: sign-in outcomes in an inline SVG with role="img" and a
//    name, the same numbers as a table, no inline style (CSP), the failing IP and account;
//  - the user search finds by username or email prefix, whatever the case, with regex and
//    LIKE metacharacters as plain text (v5.0.0-1.2.9); keyset pages in both sorts and
//    directions neither skip nor repeat an account; a bad cursor is a 400, never a 500;
//  - a user's page shows the account, its actions (each form with its csrf_token) and its
//    events; opening another account's page records `profile.viewed` (v5.0.0-16.3.3);
//  - markup in a username, an email or a user agent is escaped on every admin page
//    (v5.0.0-1.2.1, v5.0.0-3.2.2), and every page speaks Spanish too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { normalizeEmail, normalizeUsername } from '../../src/domain/users/user.ts';
import { TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_EMAIL = '"><svg onload=alert(2)>@example.test';
const XSS_AGENT = '<script>alert(3)</script>';
/** Accounts seeded straight into the store for the list: 60, four per creation millisecond. */
const SEEDED = 60;

let server: TestServer;
let admin: TestClient;
let plain: TestClient;
let adminId: number;
let plainId: number;
let xssId: number;
/** The seeded accounts as stored: normalised name, creation time, id. */
const seeded: { name: string; createdAt: number; id: number }[] = [];

async function userId(username: string): Promise<number> {
  const user = await server.deps.users.findUserByUsername(normalizeUsername(username));
  assert.ok(user, username);
  return user.id;
}

/** Audit rows of a type, straight from the table (what the log really holds). */
async function auditRows(type: string) {
  return server.deps.database.db.selectFrom('audit_events').selectAll().where('type', '=', type).orderBy('seq').execute();
}

/** The accounts listed on a users page, in order: [id, username]. */
function listed(body: string): [number, string][] {
  return [...body.matchAll(/<tr data-user-id="(\d+)">\s*<th scope="row"><a href="\/admin\/users\/\d+">([^<]*)<\/a>/g)].map((m) => [Number(m[1]), m[2]!]);
}

function unescape(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  admin = new TestClient(server.url);
  assert.equal((await admin.registerAndSignIn('chief')).status, 303);
  adminId = await userId('chief');
  assert.ok(await server.deps.users.setRole(adminId, 'admin'));
  plain = new TestClient(server.url);
  assert.equal((await plain.registerAndSignIn('plain-pat')).status, 303);
  plainId = await userId('plain-pat');
  // An account the registration form would refuse, written straight to the store: its name
  // and address are markup, as an imported or legacy row could be.
  const now = Date.now();
  const created = await server.deps.users.createUser({
    username: XSS_NAME,
    usernameNormalized: normalizeUsername(XSS_NAME),
    email: XSS_EMAIL,
    emailNormalized: normalizeEmail(XSS_EMAIL),
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    role: 'user',
    createdAt: new Date(now),
  });
  assert.ok(created.ok);
  xssId = created.user.id;
  for (let i = 0; i < SEEDED; i += 1) {
    const name = `pg-${String(i).padStart(3, '0')}`;
    const createdAt = now - 1_000_000 + Math.floor((SEEDED - i) / 4);
    const result = await server.deps.users.createUser({
      username: i % 2 === 0 ? name.toUpperCase() : name,
      usernameNormalized: name,
      email: `${name}@seed.test`,
      emailNormalized: `${name}@seed.test`,
      passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      role: 'user',
      createdAt: new Date(createdAt),
    });
    assert.ok(result.ok);
    seeded.push({ name, createdAt, id: result.user.id });
  }
  // A failed sign-in for the markup account, with a markup user agent: it reaches the home
  // page (failing accounts) and the audit log.
  const stranger = new TestClient(server.url);
  await stranger.get('/login');
  assert.equal((await stranger.postForm('/login', { username: XSS_NAME, password: 'not the password at all' }, { 'user-agent': XSS_AGENT })).status, 401);
});
after(() => server?.stop());

/** Every admin route a browser or an API client can call, with a real account's id in it. */
function adminRoutes(id: number): { method: string; path: string }[] {
  const pages = ['/admin', '/admin/users', '/admin/users?q=ch', `/admin/users/${id}`, '/admin/audit', '/admin/audit.csv', '/admin/audit.jsonl'].map((path) => ({ method: 'GET', path }));
  for (const action of ['role', 'disable', 'revoke-sessions', 'delete']) pages.push({ method: 'GET', path: `/admin/users/${id}/${action}` });
  for (const action of ['role', 'disable', 'enable', 'revoke-sessions', 'delete', 'send-reset', 'resend-verification', 'unblock']) pages.push({ method: 'POST', path: `/admin/users/${id}/${action}` });
  const api = ['/api/v1/admin/overview', '/api/v1/admin/users', `/api/v1/admin/users/${id}`, '/api/v1/admin/audit'].map((path) => ({ method: 'GET', path }));
  for (const action of ['role', 'disable', 'enable', 'revoke-sessions', 'send-reset', 'resend-verification', 'unblock']) api.push({ method: 'POST', path: `/api/v1/admin/users/${id}/${action}` });
  api.push({ method: 'DELETE', path: `/api/v1/admin/users/${id}` });
  return [...pages, ...api];
}

async function call(client: TestClient, route: { method: string; path: string }): Promise<TestResponse> {
  if (route.method === 'GET') return client.get(route.path);
  if (route.path.startsWith('/api/')) {
    if (!client.apiCsrf) client.apiCsrf = (await client.get('/api/v1/csrf')).json().csrfToken;
    const body = route.path.endsWith('/role') ? { role: 'admin' } : {};
    return client.request(route.method, route.path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': client.apiCsrf! } });
  }
  await client.get('/dashboard');
  return client.postForm(route.path, { confirm: 'yes', role: 'admin' });
}

function assertNoAccountData(response: TestResponse, label: string) {
  for (const secret of ['chief', 'chief@example.test', 'pg-001', XSS_NAME, '&lt;img', 'audit_events', 'login.failed']) {
    assert.ok(!response.body.includes(secret), `${label}: the body shows ${secret}`);
  }
}

describe('who may use the admin console', () => {
  test('a visitor: pages send to sign-in with next, the API answers 401, no data', async () => {
    for (const route of adminRoutes(adminId)) {
      const response = await call(new TestClient(server.url), route);
      const label = `${route.method} ${route.path}`;
      if (route.path.startsWith('/api/')) {
        assert.equal(response.status, 401, label);
        assert.equal(response.json().error, 'unauthenticated', label);
      } else {
        assert.equal(response.status, 303, label);
        assert.equal(response.location, `/login?next=${encodeURIComponent(route.path)}`, label);
      }
      assertNoAccountData(response, label);
    }
  });

  test('a signed-in user without the permission: 403 on every page, export and API call, even with a valid CSRF token; nothing changes (v5.0.0-8.2.1)', async () => {
    for (const route of adminRoutes(adminId)) {
      const response = await call(plain, route);
      const label = `${route.method} ${route.path}`;
      assert.equal(response.status, 403, label);
      if (route.path.startsWith('/api/')) assert.equal(response.json().error, 'forbidden', label);
      assertNoAccountData(response, label);
    }
    const chief = await server.deps.users.findUserById(adminId);
    assert.equal(chief?.role, 'admin');
    assert.equal(chief?.disabled, false);
    assert.equal((await server.deps.users.findUserById(plainId))?.role, 'user');
    assert.equal((await auditRows('audit.exported')).length, 0, 'no export was made');
    assert.ok(!(await plain.get('/dashboard')).body.includes('href="/admin"'), 'no Admin link for a plain user');
    assert.ok((await admin.get('/dashboard')).body.includes('href="/admin"'), 'an Admin link for an administrator');
  });
});

describe('the home page', () => {
  test('counts, sign-in activity as an accessible inline SVG and a table, the failing IP and account; no inline style', async () => {
    const response = await admin.get('/admin');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy') ?? '', /style-src 'self'/);
    assert.doesNotMatch(response.body, /\sstyle\s*=|<style/i, 'no inline style');
    assert.match(response.body, /<dd data-count="users">63<\/dd>/);
    assert.match(response.body, /<dd data-count="admins">1<\/dd>/);
    assert.match(response.body, /<dd data-count="live-sessions">[1-9]\d*<\/dd>/);
    for (const period of ['hourly', 'daily']) {
      assert.match(response.body, new RegExp(`<svg class="chart-svg"[^>]*role="img" aria-labelledby="chart-${period}-title chart-${period}-desc"`), period);
      assert.match(response.body, new RegExp(`<title id="chart-${period}-title">[^<]+</title>\\s*<desc id="chart-${period}-desc">In total: [^<]+</desc>`), period);
    }
    // The current hour is the chart table's last row: the sign-ins of this test are in it.
    const hourly = response.body.slice(response.body.indexOf('<caption id="chart-hourly-caption">'), response.body.indexOf('<section class="chart" aria-labelledby="chart-daily-heading">'));
    const rows = [...hourly.matchAll(/<tr><th scope="row">.*?<\/th><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => m.slice(1).map(Number));
    assert.equal(rows.length, 24);
    const [succeeded, failed] = rows[23]!;
    assert.ok(succeeded! >= 2 && failed! >= 1, `current hour: ${rows[23]}`);
    assert.match(response.body, /<table class="admin-table" data-failing="ips">[\s\S]*?127\.0\.0\.1/);
    assert.match(response.body, new RegExp(`<table class="admin-table" data-failing="accounts">[\\s\\S]*?<a href="/admin/users/${xssId}">&lt;img`));
    const api = (await admin.get('/api/v1/admin/overview')).json();
    assert.equal(api.hourly.length, 24);
    assert.equal(api.daily.length, 30);
    assert.equal(api.counts.users, 63);
    assert.ok(api.failingAccounts.some((row: { userId: number; username: string }) => row.userId === xssId && row.username === XSS_NAME));
  });

  test('speaks Spanish', async () => {
    const response = await admin.get('/admin?lang=es');
    assert.match(response.body, /<html lang="es">/);
    assert.match(response.body, /<h1>Consola de administración<\/h1>/);
    assert.match(response.body, /Últimas 24 horas, por hora/);
    await admin.get('/admin?lang=en');
  });
});

describe('the user list', () => {
  test('finds by username or email prefix, whatever the case; metacharacters are plain text (v5.0.0-1.2.9)', async () => {
    const byName = listed((await admin.get('/admin/users?q=PG-00')).body).map(([, name]) => name.toLowerCase());
    assert.deepEqual(byName, ['pg-000', 'pg-001', 'pg-002', 'pg-003', 'pg-004', 'pg-005', 'pg-006', 'pg-007', 'pg-008', 'pg-009']);
    assert.deepEqual(listed((await admin.get('/admin/users?q=pg-013%40SEED')).body).map(([, name]) => name), ['pg-013']);
    assert.deepEqual(listed((await admin.get('/admin/users?q=chief%40example')).body).map(([id]) => id), [adminId]);
    for (const q of ['.*(', '%', '_', 'pg-0%', "' or '1'='1"]) {
      const response = await admin.get(`/admin/users?q=${encodeURIComponent(q)}`);
      assert.equal(response.status, 200, q);
      assert.deepEqual(listed(response.body), [], q);
    }
    const api = (await admin.get('/api/v1/admin/users?q=pg-01&role=user&state=unverified')).json();
    assert.equal(api.users.length, 10);
    assert.equal(api.next, null);
  });

  test('keyset pages: 50 a page with a next-page link, each sort and direction, no account skipped or repeated', async () => {
    const first = await admin.get('/admin/users?q=pg-&sort=username&direction=desc');
    const firstRows = listed(first.body);
    assert.equal(firstRows.length, 50);
    assert.equal(firstRows[0]![1].toLowerCase(), 'pg-059');
    const next = /<a href="(\/admin\/users\?[^"]+)" rel="next">Next page<\/a>/.exec(first.body)?.[1];
    assert.ok(next, 'a next-page link');
    const second = await admin.get(unescape(next));
    assert.equal(second.status, 200);
    assert.deepEqual(listed(second.body).map(([, name]) => name.toLowerCase()), ['pg-009', 'pg-008', 'pg-007', 'pg-006', 'pg-005', 'pg-004', 'pg-003', 'pg-002', 'pg-001', 'pg-000']);
    assert.match(second.body, /First page<\/a>/);
    assert.doesNotMatch(second.body, /rel="next"/);
    // Every sort and direction through the API, 7 a page (creation times tie in fours).
    const byName = seeded.map((u) => u.name).sort();
    const byCreation = [...seeded].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id).map((u) => u.name);
    for (const sort of ['username', 'created']) {
      for (const direction of ['asc', 'desc']) {
        const seen: string[] = [];
        let cursor: string | null = '';
        while (cursor !== null) {
          const page: { users: { username: string }[]; next: string | null } = (await admin.get(`/api/v1/admin/users?q=pg-&sort=${sort}&direction=${direction}&limit=7${cursor ? `&cursor=${cursor}` : ''}`)).json();
          seen.push(...page.users.map((user: { username: string }) => user.username.toLowerCase()));
          cursor = page.next;
        }
        assert.equal(new Set(seen).size, SEEDED, `${sort} ${direction}: no repeats`);
        const ascending = sort === 'username' ? byName : byCreation;
        assert.deepEqual(seen, direction === 'asc' ? ascending : [...ascending].reverse(), `${sort} ${direction}`);
      }
    }
  });

  test('a bad, tampered or foreign cursor is a 400 with the reason, never a 500', async () => {
    const { next } = (await admin.get('/api/v1/admin/users?q=pg-&limit=5')).json();
    const forged = Buffer.from('{"s":"username","d":"asc","k":{"$gt":""}}').toString('base64url');
    for (const query of ['cursor=not-a-cursor', `cursor=${forged}`, `cursor=${next}&direction=desc`, `cursor=${next}&sort=created`, `cursor=${'A'.repeat(5000)}`, 'cursor=a&cursor=b', 'sort=name', 'limit=0']) {
      const page = await admin.get(`/admin/users?q=pg-&${query}`);
      assert.equal(page.status, 400, `page ${query}`);
      assert.match(page.body, /role="alert"/, query);
      const api = await admin.get(`/api/v1/admin/users?q=pg-&${query}`);
      assert.equal(api.status, 400, `api ${query}`);
      assert.equal(api.json().error, 'invalid_input', query);
    }
  });
});

describe('one account', () => {
  test('its facts, its actions (each form with its csrf_token), its events; another account viewed is recorded, one\'s own is not', async () => {
    const before = (await auditRows('profile.viewed')).length;
    const own = await admin.get(`/admin/users/${adminId}`);
    assert.equal(own.status, 200);
    assert.equal((await auditRows('profile.viewed')).length, before, 'one\'s own page is no profile view');
    const page = await admin.get(`/admin/users/${plainId}`);
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(`<dl class="facts" data-user-id="${plainId}">`));
    assert.match(page.body, /<dd data-username>plain-pat<\/dd>/);
    assert.match(page.body, /<dd data-count="live-sessions">1<\/dd>/);
    for (const action of ['role', 'disable', 'revoke-sessions', 'delete']) assert.match(page.body, new RegExp(`href="/admin/users/${plainId}/${action}"`), action);
    const forms = [...page.body.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
    assert.deepEqual(forms.map((m) => m[1]).filter((action) => action !== '/logout').sort(), ['send-reset', 'resend-verification', 'unblock'].map((a) => `/admin/users/${plainId}/${a}`).sort());
    assert.ok(forms.every((m) => /name="csrf_token" value="[^"]+"/.test(m[2]!)), 'every form carries its token');
    assert.match(page.body, /<code>login\.succeeded<\/code>/, 'its recent events');
    const viewed = await auditRows('profile.viewed');
    assert.equal(viewed.length, before + 1);
    const last = viewed.at(-1)!;
    assert.deepEqual([Number(last.actor_user_id), Number(last.target_user_id), last.outcome, last.channel], [adminId, plainId, 'success', 'web']);
    const api = await admin.get(`/api/v1/admin/users/${plainId}`);
    assert.equal(api.status, 200);
    assert.equal(api.json().user.username, 'plain-pat');
    assert.ok(api.json().events.some((event: { type: string }) => event.type === 'profile.viewed'));
    assert.equal((await auditRows('profile.viewed')).at(-1)!.channel, 'api');
    for (const id of ['999999', '0', 'abc', '99999999999']) {
      assert.equal((await admin.get(`/admin/users/${id}`)).status, 404, id);
      assert.ok([400, 404].includes((await admin.get(`/api/v1/admin/users/${id}`)).status), id);
    }
  });
});

test('XSS: markup in a username, an email or a user agent is text on every admin page (v5.0.0-1.2.1)', async () => {
  const paths = [
    '/admin',
    '/admin?lang=es',
    '/admin/users',
    `/admin/users?q=${encodeURIComponent(XSS_NAME)}`,
    `/admin/users/${xssId}`,
    `/admin/users/${xssId}/role`,
    `/admin/users/${xssId}/disable`,
    `/admin/users/${xssId}/revoke-sessions`,
    `/admin/users/${xssId}/delete`,
    '/admin/audit',
    `/admin/audit?user=${encodeURIComponent(XSS_NAME)}`,
    `/admin/audit?user=${encodeURIComponent('<b>nobody</b>')}`,
    `/admin/audit?ip=${encodeURIComponent('"><script>x</script>')}`,
  ];
  for (const path of paths) {
    const response = await admin.get(path);
    assert.equal(response.status, 200, path);
    for (const raw of [XSS_NAME, '<svg onload', XSS_AGENT, '<b>nobody</b>', '<script>x']) assert.ok(!response.body.includes(raw), `${path}: ${raw} unescaped`);
  }
  assert.ok((await admin.get(`/admin/users/${xssId}`)).body.includes('&lt;img src=x onerror=alert(1)&gt;'), 'shown, escaped');
  assert.ok((await admin.get(`/admin/audit?user=${encodeURIComponent(XSS_NAME)}`)).body.includes('&lt;script&gt;alert(3)&lt;/script&gt;'), 'the user agent, escaped');
});
