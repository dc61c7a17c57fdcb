// Property: access control holds for every route the server declares, including routes added
// after this file was written: it walks `app.declaredRoutes` of a real running server and,
// with plausible values in every path parameter, checks that
//  - the areas the contract keeps private (/dashboard, /profile, /settings, /admin and their
//    API twins) are declared non-public, and everything under /admin needs a permission;
//  - an anonymous request to a signed-in or permission route is sent to /login?next=<path>
//    (pages) or answered 401 (API), with no user's data in the body (v5.0.0-8.2.1, v5.0.0-8.3.1);
//  - a signed-in user without the permission gets 403 on every permission route, with a valid
//    CSRF token too (so the refusal is the permission's), and none of the admin's or another
//    user's data; nothing changes (v5.0.0-8.2.1, v5.0.0-8.1.1);
//  - every state-changing route (declared `csrf: 'exempt'` or not) refuses a signed-in request
//    without its CSRF token, with another session's token, from a foreign Origin or a
//    cross-site fetch: 403, nothing changed (v5.0.0-3.5.1);
//  - IDOR: a route that takes an object id (a path parameter, or an id field named in
//    ID_FIELDS) refuses another user's object to a non-admin with 403 or 404, no data and no
//    change, and accepts the user's own object (so the refusal is about ownership, not a bad
//    value) (v5.0.0-8.2.2);
//  - and, for every signed-in route, id-like query and form fields pointing at another user
//    change nothing of that user's and show none of their data (v5.0.0-8.2.2, v5.0.0-15.3.3).
// The only hand-written parts are the fillers: which object a path parameter names (by the
// collection segment before it) and the few routes whose ids travel in the query or the form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeclaredRoute } from '../../src/http/route-rules.ts';
import { TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PASSWORD = 'juniper ledger harbour 3318 kestrel';

/** Areas the contract keeps for signed-in users; a route declared under one as public fails. */
const PRIVATE_AREAS = ['/dashboard', '/profile', '/settings', '/admin', '/api/v1/me', '/api/v1/sessions', '/api/v1/settings', '/api/v1/admin'];
/** Areas for admins only ("admins only (others 403)"): every route under one needs a permission. */
const ADMIN_AREAS = ['/admin', '/api/v1/admin'];

/** The kinds of object a route can name, and where each id comes from. */
type ObjectKind = 'user' | 'session' | 'oidc-client' | 'oidc-interaction';

/** A path parameter names an object of the collection segment just before it: `/users/:id`. */
const COLLECTIONS: Readonly<Record<string, ObjectKind>> = { users: 'user', sessions: 'session', 'oidc-clients': 'oidc-client', interaction: 'oidc-interaction' };

/**
 * Objects bound to one browser rather than to an account: an OpenID Connect interaction is
 * named by its uid and by a signed cookie only the browser that began it holds, so here every
 * uid is someone else's (404). The browser's own is accepted in test/http/oidc-flow.test.ts.
 */
const BROWSER_BOUND: ReadonlySet<ObjectKind> = new Set(['oidc-interaction']);

/** Object ids that travel in the query string or the form rather than the path. */
const ID_FIELDS: Readonly<Record<string, { query?: Record<string, ObjectKind>; body?: Record<string, ObjectKind> }>> = {
  'GET /profile': { query: { id: 'user' } },
  'HEAD /profile': { query: { id: 'user' } },
  'POST /settings/sessions/revoke': { body: { session_id: 'session' } },
};

/**
 * State-changing routes whose callers are not browsers and that authenticate otherwise (an
 * OAuth token endpoint), with why: the CSRF sweep skips them.
 */
const NOT_FOR_BROWSERS: Readonly<Record<string, string>> = {
  'POST /oidc/*':
    "oidc-provider's endpoints: token, revocation and userinfo authenticate the client or bearer token themselves; the sign-out confirmation carries the provider's own anti-forgery field (xsrf, checked by the library); an authorization request by POST is what a cross-site link does anyway (src/http/oidc/oidc-routes.ts)",
};

interface Account {
  username: string;
  email: string;
  id: number;
  /** The public id of one of its live sessions (not the client's own, where it has two). */
  sessionId: string;
  client: TestClient;
}

let server: TestServer;
let routes: readonly DeclaredRoute[];
let admin: Account;
let victim: Account;
let plain: Account;
let accounts = 0;
/** A registered OpenID Connect client, the filler of `/oidc-clients/:id`. */
let oidcClientId = '';

function inArea(url: string, areas: readonly string[]): boolean {
  return areas.some((area) => url === area || url.startsWith(`${area}/`) || url.startsWith(`${area}.`));
}

function isApi(route: DeclaredRoute): boolean {
  return route.url.startsWith('/api/');
}

const label = (route: DeclaredRoute) => `${route.method} ${route.url}`;

function idOf(owner: Account, kind: ObjectKind): string {
  // OpenID Connect clients belong to no account (admin-only routes): one registered in `before`.
  if (kind === 'oidc-client') return oidcClientId;
  if (kind === 'oidc-interaction') return `interaction-of-${owner.id}`;
  return kind === 'user' ? String(owner.id) : owner.sessionId;
}

/** The route's path with each parameter naming `owner`'s object; throws for an unknown parameter. */
function pathFor(route: DeclaredRoute, owner: Account): string {
  return route.url
    .replace(/([^/]*)\/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_match, collection: string, name: string) => {
      const kind = COLLECTIONS[collection];
      if (!kind) throw new Error(`${label(route)}: no filler for :${name} after "${collection}/"; add the collection to COLLECTIONS in ${import.meta.filename}`);
      return `${collection}/${encodeURIComponent(idOf(owner, kind))}`;
    })
    .replace(/\*$/, 'styles.css');
}

/** The ids a route names: from its path parameters and from ID_FIELDS. */
function namedKinds(route: DeclaredRoute): { path: boolean; query: Record<string, ObjectKind>; body: Record<string, ObjectKind> } {
  const fields = ID_FIELDS[label(route)] ?? {};
  return { path: /\/:/.test(route.url), query: fields.query ?? {}, body: fields.body ?? {} };
}

function takesObjectId(route: DeclaredRoute): boolean {
  const named = namedKinds(route);
  return named.path || Object.keys(named.query).length > 0 || Object.keys(named.body).length > 0;
}

/** Fields a real form of any route might carry, for `actor`, with ids pointing at `target`. */
function plausibleFields(actor: Account, target: Account): Record<string, string> {
  return {
    username: actor.username,
    password: PASSWORD,
    current_password: PASSWORD,
    new_password: 'a brand new passphrase 7240 lilac',
    email: `changed.${actor.username}@example.test`,
    code: '123456',
    token: 'A'.repeat(43),
    role: 'admin',
    disabled: '1',
    id: String(target.id),
    user_id: String(target.id),
    userId: String(target.id),
    session_id: target.sessionId,
    sessionId: target.sessionId,
    confirm: 'yes',
  };
}

type JsonSchema = { type?: string; enum?: unknown[]; properties?: Record<string, JsonSchema>; additionalProperties?: boolean; $ref?: string };

/** The server's OpenAPI document: API bodies are built from it, so a probe is a request the route would accept. */
let openapi: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>; components?: { schemas?: Record<string, JsonSchema> } };

/**
 * An API body the route's schema accepts, its fields filled from `fields` (ids, passwords,
 * role=admin where the schema allows it); only `fields` when the document has no body for it.
 */
function apiBody(route: DeclaredRoute, fields: Record<string, string>): Record<string, unknown> {
  const operation = openapi.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
  let schema = operation?.requestBody?.content?.['application/json']?.schema;
  if (schema?.$ref) schema = openapi.components?.schemas?.[schema.$ref.split('/').at(-1)!];
  if (!schema?.properties) return fields;
  const body: Record<string, unknown> = schema.additionalProperties === false ? {} : { ...fields };
  for (const [name, property] of Object.entries(schema.properties)) {
    const given = fields[name];
    if (property.enum) body[name] = property.enum.includes(given) ? given : property.enum.includes('admin') ? 'admin' : property.enum[0];
    else if (property.type === 'boolean') body[name] = true;
    else if (property.type === 'integer' || property.type === 'number') body[name] = Number(given ?? 1);
    else body[name] = given ?? 'x';
  }
  return body;
}

interface SendOptions {
  /** Whose objects the path, query and id fields name. */
  owner: Account;
  /** Form or JSON fields; their id fields are overridden from ID_FIELDS. */
  fields?: Record<string, string>;
  /** Extra query parameters. */
  query?: Record<string, string>;
  /** 'valid': the client's own token; 'other': a token of another session; 'none'. */
  csrf?: 'valid' | 'other' | 'none';
  headers?: Record<string, string>;
}

/** The path with its query string, as the server sees `request.url`. */
function urlFor(route: DeclaredRoute, options: SendOptions): string {
  const named = namedKinds(route);
  const query = new URLSearchParams(options.query);
  for (const [name, kind] of Object.entries(named.query)) query.set(name, idOf(options.owner, kind));
  const search = query.toString();
  return search ? `${pathFor(route, options.owner)}?${search}` : pathFor(route, options.owner);
}

async function send(client: TestClient, route: DeclaredRoute, options: SendOptions, otherToken?: { form?: string; api?: string }): Promise<TestResponse> {
  const url = urlFor(route, options);
  const headers = { ...options.headers };
  if (SAFE_METHODS.has(route.method)) return client.request(route.method, url, { headers });
  const fields: Record<string, string> = { ...options.fields };
  for (const [name, kind] of Object.entries(namedKinds(route).body)) fields[name] = idOf(options.owner, kind);
  const csrf = options.csrf ?? 'none';
  if (isApi(route)) {
    if (csrf === 'valid') headers['x-csrf-token'] = client.apiCsrf!;
    if (csrf === 'other') headers['x-csrf-token'] = otherToken!.api!;
    return client.request(route.method, url, { body: JSON.stringify(apiBody(route, fields)), headers: { 'content-type': 'application/json', ...headers } });
  }
  if (csrf === 'valid') fields.csrf_token = client.lastCsrf!;
  if (csrf === 'other') fields.csrf_token = otherToken!.form!;
  return client.request(route.method, url, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

/** Loads the client's page and API CSRF tokens for its current session. */
async function refreshTokens(client: TestClient): Promise<void> {
  client.lastCsrf = undefined;
  const dashboard = await client.get('/dashboard');
  assert.equal(dashboard.status, 200, `dashboard: ${dashboard.status}`);
  assert.ok(client.lastCsrf, 'no csrf_token on the dashboard');
  client.apiCsrf = (await client.get('/api/v1/csrf')).json().csrfToken;
}

async function signIn(username: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const response = await client.signIn(username, PASSWORD);
  assert.equal(response.status, 303, `sign-in of ${username}: ${response.status}`);
  await refreshTokens(client);
  return client;
}

/** A fresh account, signed in twice: `client` is one session, `sessionId` the other's public id. */
async function createAccount(prefix: string): Promise<Account> {
  accounts += 1;
  const username = `${prefix}-${accounts}`;
  const email = `${username}@example.test`;
  const client = new TestClient(server.url);
  assert.equal((await client.registerAndSignIn(username, PASSWORD, email)).status, 303);
  const id = Number(/data-user-id="(\d+)"/.exec((await client.get('/profile')).body)?.[1]);
  assert.ok(id > 0, `no data-user-id on ${username}'s profile`);
  const second = await signIn(username);
  const listed = (await second.get('/api/v1/sessions')).json().sessions as Array<{ id: string; current: boolean }>;
  const sessionId = listed.find((session) => !session.current)?.id;
  assert.ok(sessionId, `${username} has no second session`);
  await refreshTokens(client);
  return { username, email, id, sessionId, client };
}

/** What must not change for `account` when someone else acts: its row, its sessions, and that they work. */
async function snapshot(account: Account): Promise<string> {
  const user = await server.deps.users.findUserById(account.id);
  const sessions = await server.deps.sessions.listSessions({ id: account.id, credentialVersion: user?.credentialVersion ?? -1 }, null);
  return JSON.stringify({
    user: user && { ...user, createdAt: user.createdAt.toISOString(), emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null },
    sessions: sessions.map((session) => session.publicId).sort(),
    dashboard: (await account.client.get('/dashboard')).status,
  });
}

/** Fails when the body shows any of `accounts`' username, email or profile id marker. */
function assertShowsNothingOf(response: TestResponse, owners: readonly Account[], where: string): void {
  for (const owner of owners) {
    for (const marker of [owner.username, owner.email, `data-user-id="${owner.id}"`, owner.sessionId]) {
      assert.ok(!response.body.includes(marker), `${where}: the body shows ${JSON.stringify(marker)} of another account`);
    }
  }
}

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '10000' });
  assert.ok(server.app.hasDecorator('declaredRoutes'), 'route-rules is not registered: see src/http/route-rules.ts');
  routes = server.app.declaredRoutes;
  openapi = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  admin = await createAccount('ac-admin');
  assert.ok(await server.deps.users.setRole(admin.id, 'admin'));
  await refreshTokens(admin.client);
  victim = await createAccount('ac-victim');
  plain = await createAccount('ac-plain');
  const registered = await server.deps.oidc.clients.add({ name: 'Access-control probe', redirectUris: ['https://probe.example/cb'] }, { actorUserId: null, ip: null, userAgent: null, channel: 'cli' });
  assert.ok(registered.ok);
  oidcClientId = registered.client.clientId;
});
after(async () => {
  await server?.stop();
});

describe('access control over every declared route', () => {
  test('the private areas are declared non-public, and every route under /admin needs a permission', (t) => {
    t.diagnostic(`${routes.length} declared routes, ${routes.filter((r) => typeof r.access === 'object').length} with a permission`);
    assert.ok(routes.some((route) => route.url === '/dashboard') && routes.some((route) => route.url === '/api/v1/me'), 'the real table');
    const exposed = routes.filter((route) => inArea(route.url, PRIVATE_AREAS) && route.access === 'public').map(label);
    assert.deepEqual(exposed, [], 'private routes declared public');
    const weak = routes.filter((route) => inArea(route.url, ADMIN_AREAS) && typeof route.access !== 'object').map(label);
    assert.deepEqual(weak, [], 'admin routes declared without a permission');
    // Every parameter has a filler (throws naming the one missing).
    for (const route of routes) pathFor(route, victim);
  });

  test('anonymous requests to signed-in and permission routes: 303 to /login?next=<path> for pages, 401 for the API, no data', async () => {
    const guarded = routes.filter((route) => route.access !== 'public');
    assert.ok(guarded.length > 0);
    for (const route of guarded) {
      const anonymous = new TestClient(server.url);
      const url = urlFor(route, { owner: victim });
      const response = await send(anonymous, route, { owner: victim, fields: plausibleFields(victim, victim) });
      if (isApi(route)) {
        assert.equal(response.status, 401, label(route));
        if (route.method !== 'HEAD') assert.equal(response.json().error, 'unauthenticated', label(route));
      } else {
        assert.equal(response.status, 303, label(route));
        assert.equal(response.location, `/login?next=${encodeURIComponent(url)}`, label(route));
      }
      assertShowsNothingOf(response, [victim, admin, plain], `anonymous ${label(route)}`);
    }
  });

  test('a signed-in user without the permission gets 403 on every permission and admin route, even with a valid CSRF token; nothing changes', async () => {
    const before = [await snapshot(victim), await snapshot(admin)];
    const adminOnly = routes.filter((route) => typeof route.access === 'object' || inArea(route.url, ADMIN_AREAS));
    for (const route of adminOnly) {
      for (const owner of [victim, admin]) {
        const options: SendOptions = { owner, fields: plausibleFields(plain, owner), csrf: 'valid', query: { user: owner.username, q: owner.username } };
        const response = await send(plain.client, route, options);
        assert.equal(response.status, 403, `${label(route)} as a plain user`);
        if (isApi(route) && route.method !== 'HEAD') assert.equal(response.json().error, 'forbidden', label(route));
        assertShowsNothingOf(response, [victim, admin], `${label(route)} as a plain user`);
      }
      // The filler values are real: the admin gets past the guard on the same request.
      if (SAFE_METHODS.has(route.method)) {
        const allowed = await send(admin.client, route, { owner: victim });
        assert.ok(allowed.status < 400, `${label(route)} as admin with the filled-in path: ${allowed.status}`);
      }
    }
    assert.deepEqual([await snapshot(victim), await snapshot(admin)], before, 'a refused request changed an account');
    assert.equal((await server.deps.users.findUserById(plain.id))?.role, 'user');
  });

  test('every state-changing route refuses a missing CSRF token, another session\'s token and a foreign Origin: 403, nothing changed', async () => {
    // Exempt routes too: an exemption moves the check into the handler (POST /api/v1/logout
    // checks it whenever a session is live), it does not switch it off for browsers.
    const required = routes.filter((route) => !SAFE_METHODS.has(route.method) && !(label(route) in NOT_FOR_BROWSERS));
    assert.ok(required.length > 0);
    const other = await signIn(plain.username);
    const otherToken = { form: other.lastCsrf, api: other.apiCsrf };
    // Each attempt carries the actor's real password and ids, so a route that skipped the
    // check would really act (sign out, change the password, delete the account).
    const actor = await createAccount('ac-csrf');
    const before = [await snapshot(actor), await snapshot(admin)];
    const attempts: Array<{ csrf: SendOptions['csrf']; headers?: Record<string, string>; name: string }> = [
      { csrf: 'none', name: 'no token' },
      { csrf: 'other', name: "another session's token" },
      { csrf: 'valid', headers: { origin: 'https://evil.example' }, name: 'a foreign Origin' },
      { csrf: 'valid', headers: { 'sec-fetch-site': 'cross-site' }, name: 'Sec-Fetch-Site: cross-site' },
    ];
    for (const route of required) {
      const subject = typeof route.access === 'object' ? admin : actor;
      for (const attempt of attempts) {
        const options: SendOptions = { owner: subject, fields: plausibleFields(subject, subject), csrf: attempt.csrf, headers: attempt.headers };
        const response = await send(subject.client, route, options, otherToken);
        assert.equal(response.status, 403, `${label(route)} with ${attempt.name}`);
        if (isApi(route)) assert.equal(response.json().error, 'csrf_failed', `${label(route)} with ${attempt.name}`);
      }
      if (route.access === 'public') {
        const anonymous = new TestClient(server.url);
        await anonymous.get('/login');
        const response = await send(anonymous, route, { owner: actor, fields: plausibleFields(actor, actor), csrf: 'none' });
        // 403; a sign-out without a session has nothing to end and answers as the contract's
        // stale tab (303 to /, or 204 from the API), but starts nothing either.
        const nothingToEnd = route.url.endsWith('/logout') && ((response.status === 303 && response.location === '/') || response.status === 204);
        assert.ok(response.status === 403 || nothingToEnd, `anonymous ${label(route)} without a token: ${response.status}`);
        const issued = response.setCookies.filter((line) => /^gatehouse_session=[^;]+/.test(line) && !/max-age=0/i.test(line));
        assert.deepEqual(issued, [], `anonymous ${label(route)} without a token started a session`);
      }
    }
    assert.deepEqual([await snapshot(actor), await snapshot(admin)], before, 'a forged request changed an account');
    // The password did not change either: it still signs in.
    await signIn(actor.username);
  });

  test('IDOR: a route taking an object id refuses another user\'s object to a non-admin (403/404, no data, no change) and accepts the user\'s own', async (t) => {
    const byId = routes.filter(takesObjectId);
    t.diagnostic(`routes taking an object id: ${byId.map(label).join(', ')}`);
    assert.ok(byId.some((route) => route.url === '/profile'), 'ID_FIELDS names /profile');
    for (const route of byId) {
      // A fresh attacker per route: state-changing ones act on the attacker's own session.
      const attacker = await createAccount('ac-attacker');
      const before = [await snapshot(victim), await snapshot(admin)];
      for (const owner of [victim, admin]) {
        const response = await send(attacker.client, route, { owner, fields: plausibleFields(attacker, owner), csrf: 'valid' });
        assert.ok([403, 404].includes(response.status), `${label(route)} on another user's object: ${response.status}`);
        assertShowsNothingOf(response, [victim, admin], `${label(route)} on another user's object`);
      }
      assert.deepEqual([await snapshot(victim), await snapshot(admin)], before, `${label(route)} changed another account`);
      const browserBound = [...route.url.matchAll(/([^/]*)\/:/g)].some(([, collection]) => BROWSER_BOUND.has(COLLECTIONS[collection!]!));
      if (typeof route.access !== 'object' && !browserBound) {
        const own = await send(attacker.client, route, { owner: attacker, fields: plausibleFields(attacker, attacker), csrf: 'valid' });
        assert.ok(own.status < 400, `${label(route)} on the user's own object: ${own.status} (is the filler plausible?)`);
      }
    }
  });

  test('id-like query and form fields pointing at another user change nothing of theirs and show none of their data', async () => {
    const signedIn = routes.filter((route) => route.access === 'signed-in');
    const ids = (owner: Account) => ({ id: String(owner.id), user_id: String(owner.id), userId: String(owner.id), user: String(owner.id), session_id: owner.sessionId });
    let attacker = await createAccount('ac-prober');
    for (const route of signedIn) {
      const before = [await snapshot(victim), await snapshot(admin)];
      for (const owner of [victim, admin]) {
        const options: SendOptions = { owner: attacker, query: SAFE_METHODS.has(route.method) ? ids(owner) : undefined, fields: plausibleFields(attacker, owner), csrf: 'valid' };
        const response = await send(attacker.client, route, options);
        assertShowsNothingOf(response, [victim, admin], `${label(route)} with ids of another user`);
      }
      assert.deepEqual([await snapshot(victim), await snapshot(admin)], before, `${label(route)} changed another account`);
      assert.equal((await server.deps.users.findUserById(attacker.id))?.role ?? 'user', 'user', `${label(route)}: role taken from the form`);
      // State-changing routes act on the attacker's own account (sign-out, deletion): start afresh.
      if (!SAFE_METHODS.has(route.method)) attacker = await createAccount('ac-prober');
    }
  });
});
