// Property: the admin console's "Applications (OIDC)" pages and their API (issue #13) register,
// list and remove OpenID Connect clients for administrators only, with every admin action's
// guards:
//  - a member gets 403 with no data on every page and API route, a visitor the sign-in page
//    or 401 (v5.0.0-8.2.1, v5.0.0-8.3.1);
//  - a POST or DELETE without its CSRF token is 403 and registers or removes nothing
//    (v5.0.0-3.5.1); past SUDO_SECONDS it is sent to /sudo (pages) or refused (API);
//  - a new client's secret is shown once, on the answer to the call that made it, and never
//    again: not on the list, not in the API's list, not in the audit log (v5.0.0-13.3.1);
//  - a redirect URI that is not absolute https (http only on loopback), or has a fragment or a
//    wildcard, is refused with 400 and the reason, nothing registered (v5.0.0-10.4.1);
//  - removal asks first, then revokes the client's grants and tokens; both are audited.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Clock } from '../../src/domain/clock.ts';
import { normalizeUsername } from '../../src/domain/users/user.ts';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let admin: TestClient;
let member: TestClient;
let skew = 0;
const clock: Clock = { now: () => Date.now() + skew };

const GOOD = { name: 'Grafana', redirect_uris: 'https://grafana.example/login/generic_oauth\r\nhttp://127.0.0.1:3000/login/generic_oauth', post_logout_redirect_uris: 'https://grafana.example/', alg: 'ES256' };

async function clientCount() {
  return (await server.deps.database.db.selectFrom('oidc_clients').select('client_id').execute()).length;
}

async function apiCall(client: TestClient, method: string, url: string, body?: unknown, csrf = true) {
  if (csrf && !client.apiCsrf) client.apiCsrf = (await client.get('/api/v1/csrf')).json().csrfToken;
  const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(csrf ? { 'x-csrf-token': client.apiCsrf! } : {}) };
  return client.request(method, url, { body: body === undefined ? undefined : JSON.stringify(body), headers });
}

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' }, { clock });
  admin = new TestClient(server.url);
  assert.equal((await admin.registerAndSignIn('oidc-admin')).status, 303);
  const adminUser = await server.deps.users.findUserByUsername(normalizeUsername('oidc-admin'));
  assert.ok(adminUser && (await server.deps.users.setRole(adminUser.id, 'admin')));
  member = new TestClient(server.url);
  assert.equal((await member.registerAndSignIn('oidc-member')).status, 303);
});
after(() => server?.stop());

test('members get 403 with no data, visitors the sign-in page or 401 (v5.0.0-8.2.1)', async () => {
  await server.deps.oidc.clients.add({ name: 'Hidden app', redirectUris: ['https://hidden.example/cb'] }, { actorUserId: null, ip: null, userAgent: null, channel: 'cli' });
  const [hidden] = await server.deps.oidc.clients.list();
  await member.get('/dashboard');
  for (const [method, url] of [['GET', '/admin/oidc-clients'], ['GET', `/admin/oidc-clients/${hidden!.clientId}/remove`]] as const) {
    const response = await member.request(method, url);
    assert.equal(response.status, 403, url);
    assert.ok(!response.body.includes('Hidden app') && !response.body.includes(hidden!.clientId), `${url}: no data`);
  }
  const post = await member.postForm('/admin/oidc-clients', GOOD);
  assert.equal(post.status, 403);
  const remove = await member.postForm(`/admin/oidc-clients/${hidden!.clientId}/remove`, { confirm: 'yes' });
  assert.equal(remove.status, 403);
  assert.equal((await apiCall(member, 'GET', '/api/v1/admin/oidc-clients')).status, 403);
  assert.equal((await apiCall(member, 'POST', '/api/v1/admin/oidc-clients', { name: 'X', redirect_uris: ['https://x.example/cb'] })).status, 403);
  assert.equal((await apiCall(member, 'DELETE', `/api/v1/admin/oidc-clients/${hidden!.clientId}`)).status, 403);
  const visitor = new TestClient(server.url);
  assert.equal((await visitor.get('/admin/oidc-clients')).status, 303);
  assert.equal((await visitor.get('/api/v1/admin/oidc-clients')).status, 401);
  assert.ok(await server.deps.oidc.clients.find(hidden!.clientId), 'nothing removed');
  await server.deps.oidc.clients.remove(hidden!.clientId, { actorUserId: null, ip: null, userAgent: null, channel: 'cli' });
});

test('add on the page: the secret is shown once, never again; the list shows the client; audited (v5.0.0-13.3.1)', async () => {
  const list = await admin.get('/admin/oidc-clients');
  assert.equal(list.status, 200);
  assert.match(list.body, /<a href="\/admin\/oidc-clients" aria-current="page">Applications \(OIDC\)<\/a>/, 'in the admin navigation');
  const created = await admin.postForm('/admin/oidc-clients', { ...GOOD, first_party: 'yes' });
  assert.equal(created.status, 201, created.body.slice(0, 400));
  assert.match(created.headers.get('cache-control') ?? '', /no-store/);
  const clientId = /data-client-id>([^<]+)</.exec(created.body)?.[1];
  const secret = /data-client-secret>([^<]+)</.exec(created.body)?.[1];
  assert.ok(clientId && secret && secret.length >= 43);
  assert.match(created.body, /shown only on this page/);
  assert.ok(created.body.includes(`${server.url.replace(/\/$/, '')}/oidc`), 'the issuer is named');

  const after = await admin.get('/admin/oidc-clients');
  assert.ok(after.body.includes(clientId) && after.body.includes('Grafana') && after.body.includes('http://127.0.0.1:3000/login/generic_oauth'));
  assert.ok(!after.body.includes(secret), 'the list never shows the secret');
  const api = await apiCall(admin, 'GET', '/api/v1/admin/oidc-clients');
  assert.equal(api.status, 200);
  assert.ok(!api.body.includes(secret), 'nor the API');
  const entry = api.json().clients.find((c: { client_id: string }) => c.client_id === clientId);
  assert.deepEqual({ ...entry, created_at: undefined }, {
    client_id: clientId,
    name: 'Grafana',
    redirect_uris: ['https://grafana.example/login/generic_oauth', 'http://127.0.0.1:3000/login/generic_oauth'],
    post_logout_redirect_uris: ['https://grafana.example/'],
    first_party: true,
    public: false,
    id_token_signed_response_alg: 'ES256',
    token_endpoint_auth_method: 'client_secret_basic',
    created_at: undefined,
  });
  const metadata = await new server.deps.oidc.adapter('Client').find(clientId);
  assert.equal(metadata?.client_secret, secret, 'the provider can check the secret');
  const rows = await server.deps.database.db.selectFrom('audit_events').selectAll().where('type', '=', 'oidc.client_added').execute();
  const row = rows.find((r) => JSON.parse(r.details).client_id === clientId);
  assert.ok(row && row.channel === 'web' && row.actor_user_id !== null);
  assert.ok(!JSON.stringify(rows).includes(secret), 'never in the audit log');
  // In Spanish too.
  assert.match((await admin.get('/admin/oidc-clients?lang=es')).body, /Aplicaciones registradas/);
  await admin.get('/admin/oidc-clients?lang=en');
});

test('bad redirect URIs are 400 with the reason, the form kept, nothing registered (v5.0.0-10.4.1)', async () => {
  const before = await clientCount();
  await admin.get('/admin/oidc-clients');
  for (const uri of ['http://app.example/cb', 'https://app.example/cb#frag', 'https://*.app.example/cb', '/relative', 'javascript:alert(1)', 'https://user:pw@app.example/cb']) {
    const page = await admin.postForm('/admin/oidc-clients', { ...GOOD, name: 'Bad one', redirect_uris: uri });
    assert.equal(page.status, 400, uri);
    assert.match(page.body, /cannot be a redirect URI/, uri);
    assert.match(page.body, /aria-invalid="true"/);
    assert.ok(page.body.includes('value="Bad one"'), 'the form is kept');
    const api = await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'Bad one', redirect_uris: [uri] });
    assert.equal(api.status, 400, `API ${uri}`);
    assert.equal(api.json().error, 'invalid_input');
  }
  assert.equal((await admin.postForm('/admin/oidc-clients', { ...GOOD, redirect_uris: '' })).status, 400);
  assert.equal((await admin.postForm('/admin/oidc-clients', { ...GOOD, alg: 'HS256' })).status, 400);
  assert.equal((await admin.postForm('/admin/oidc-clients', { ...GOOD, auth_method: 'none' })).status, 400);
  assert.equal((await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'X', redirect_uris: ['https://x.example/cb'], public: true, token_endpoint_auth_method: 'client_secret_post' })).status, 400, 'no auth method for a public client');
  assert.equal((await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'X', redirect_uris: ['https://x.example/cb'], client_secret: 'mine' })).status, 400, 'unknown fields refused');
  assert.equal(await clientCount(), before);
});

test('without the CSRF token: 403, nothing registered or removed (v5.0.0-3.5.1)', async () => {
  const before = await clientCount();
  assert.equal((await admin.postForm('/admin/oidc-clients', { ...GOOD, csrf_token: null })).status, 403);
  assert.equal((await admin.postForm('/admin/oidc-clients', { ...GOOD, csrf_token: 'forged' })).status, 403);
  assert.equal((await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'X', redirect_uris: ['https://x.example/cb'] }, false)).status, 403);
  assert.equal(await clientCount(), before);
  const [some] = await server.deps.oidc.clients.list();
  assert.ok(some);
  assert.equal((await admin.postForm(`/admin/oidc-clients/${some.clientId}/remove`, { confirm: 'yes', csrf_token: null })).status, 403);
  assert.equal((await apiCall(admin, 'DELETE', `/api/v1/admin/oidc-clients/${some.clientId}`, undefined, false)).status, 403);
  assert.ok(await server.deps.oidc.clients.find(some.clientId));
});

test('the API registers (secret once) and removes; removal on the page asks first and revokes grants and tokens', async () => {
  const made = await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'Gitea', redirect_uris: ['https://git.example/user/oauth2/gh/callback'], id_token_signed_response_alg: 'RS256' });
  assert.equal(made.status, 201, made.body);
  const { client, client_secret } = made.json();
  assert.ok(client_secret.length >= 43);
  assert.equal(client.id_token_signed_response_alg, 'RS256');
  const post = await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'Nextcloud', redirect_uris: ['https://cloud.example/apps/user_oidc/code'], token_endpoint_auth_method: 'client_secret_post' });
  assert.equal(post.status, 201, post.body);
  assert.equal(post.json().client.token_endpoint_auth_method, 'client_secret_post');
  const pub = await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'SPA', redirect_uris: ['https://spa.example/cb'], public: true });
  assert.equal(pub.status, 201);
  assert.equal('client_secret' in pub.json(), false, 'a public client has no secret');
  assert.equal((await apiCall(admin, 'DELETE', `/api/v1/admin/oidc-clients/${pub.json().client.client_id}`)).status, 204);
  assert.equal((await apiCall(admin, 'DELETE', `/api/v1/admin/oidc-clients/${pub.json().client.client_id}`)).status, 404);

  await server.deps.oidc.payloads.upsert('Grant', 'page-grant', { accountId: 'someone', clientId: client.client_id }, 3600);
  await server.deps.oidc.payloads.upsert('RefreshToken', 'page-token', { grantId: 'page-grant', accountId: 'someone', clientId: client.client_id }, 3600);
  const confirm = await admin.get(`/admin/oidc-clients/${client.client_id}/remove`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /<input type="hidden" name="confirm" value="yes">/);
  const unconfirmed = await admin.postForm(`/admin/oidc-clients/${client.client_id}/remove`, {});
  assert.equal(unconfirmed.status, 200, 'without confirm=yes: the confirmation again');
  assert.ok(await server.deps.oidc.clients.find(client.client_id), 'nothing removed yet');
  const removed = await admin.postForm(`/admin/oidc-clients/${client.client_id}/remove`, { confirm: 'yes' });
  assert.equal(removed.status, 303);
  assert.equal(removed.location, '/admin/oidc-clients');
  assert.match((await admin.get('/admin/oidc-clients')).body, /The application was removed/);
  assert.equal(await server.deps.oidc.clients.find(client.client_id), undefined);
  assert.equal(await server.deps.oidc.payloads.find('RefreshToken', 'page-token'), undefined, 'its tokens are revoked');
  assert.equal(await server.deps.oidc.payloads.find('Grant', 'page-grant'), undefined);
  assert.equal((await admin.get(`/admin/oidc-clients/${client.client_id}/remove`)).status, 404);
  assert.equal((await admin.get('/admin/oidc-clients/not%20an%20id/remove')).status, 404);
});

test('sudo: past SUDO_SECONDS adding or removing is sent to /sudo (pages) or refused (API); nothing changes', async () => {
  const before = await clientCount();
  await admin.get('/admin/oidc-clients');
  skew += 11 * 60 * 1000;
  try {
    const post = await admin.postForm('/admin/oidc-clients', GOOD);
    assert.equal(post.status, 303);
    assert.match(post.location ?? '', /^\/sudo\?next=/);
    const api = await apiCall(admin, 'POST', '/api/v1/admin/oidc-clients', { name: 'X', redirect_uris: ['https://x.example/cb'] });
    assert.equal(api.status, 403);
    assert.equal(api.json().error, 'reauthentication_required');
    assert.equal(await clientCount(), before);
  } finally {
    skew = 0;
  }
});
