// Property: two Gatehouse processes on one PostgreSQL + Redis behind one BASE_URL act as one —
// a session made on A works on B, a logout on B kills it on A, failed sign-ins count across
// both, a role change made with A's CLI applies on B's next request, and an OpenID Connect
// flow may hop between them at every step (interaction begun on B and finished on A, code
// redeemed on A, userinfo and refresh on B; a sign-out on A ends the grant on B).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ProvisionedBackend, provisionBackend, SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { type Instance, runCliCommand, startInstance } from '../helpers/process.ts';
import { FAST_HASH_ENV } from '../helpers/server.ts';
import { follow, oidc, REDIRECT_URI, startAuthorization } from '../http/oidc-helpers.ts';

const available = !!SERVICE_URLS.postgres && !!SERVICE_URLS.redis;
const SECRET = 'a3f1c9e27b4d58e06f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a';
/** The one public address both instances serve (a load balancer's), never resolved: requests go to A or B. */
const BASE_URL = 'http://gatehouse.example.test';

describe('two instances on PostgreSQL + Redis', { skip: !available && !servicesRequired ? 'PostgreSQL + Redis not available: TEST_POSTGRES_URL or TEST_REDIS_URL is not set' : false }, () => {
  let backend: ProvisionedBackend;
  let a: Instance;
  let b: Instance;
  let env: Record<string, string>;

  before(async () => {
    backend = await provisionBackend('postgres+redis');
    env = { ...backend.env, ...FAST_HASH_ENV, SECRET_KEY: SECRET, BASE_URL, GLOBAL_RATE_LIMIT: '0', LOGIN_MAX_FAILURES: '5' };
    // Both start at once on PORT=0: the migration lock lets exactly one apply the schema.
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await backend?.cleanup();
  });

  /** A client for instance `to` carrying the cookies of `from` (the same browser, another node). */
  function sameBrowserOn(from: TestClient, to: Instance): TestClient {
    const other = new TestClient(to.url);
    for (const [name, value] of from.cookies) other.cookies.set(name, value);
    return other;
  }

  test('a session made on A is valid on B, and a logout on B ends it on A', async () => {
    const onA = new TestClient(a.url);
    const signedIn = await onA.registerAndSignIn('shared');
    assert.equal(signedIn.status, 303);
    const onB = sameBrowserOn(onA, b);
    const dashboard = await onB.get('/dashboard');
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.body, /shared/);

    // The token B rendered is the one A would render too: both derive it from SECRET_KEY.
    assert.match((await onA.get('/dashboard')).body, new RegExp(`value="${onB.lastCsrf}"`));
    const logout = await onB.postForm('/logout', {}, { origin: BASE_URL });
    assert.equal(logout.status, 303);
    const afterLogout = sameBrowserOn(onA, a);
    assert.equal((await afterLogout.get('/dashboard')).status, 303);
    assert.equal((await afterLogout.get('/api/v1/me')).status, 401);
  });

  test('five failed sign-ins spread over A and B throttle the account on both', async () => {
    const setup = new TestClient(a.url);
    await setup.registerAndSignIn('target');
    const clients = [new TestClient(a.url), new TestClient(b.url)];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const client = clients[attempt % 2]!;
      const failed = await client.signIn('target', 'wrong password guess');
      assert.equal(failed.status, 401, `attempt ${attempt + 1}`);
    }
    for (const client of clients) {
      const blocked = await client.signIn('target', GOOD_PASSWORD);
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    }
  });

  test("a role change made with A's CLI applies on B's next request", async () => {
    const onB = new TestClient(b.url);
    await onB.registerAndSignIn('promoted');
    assert.match((await onB.get('/dashboard')).body, /data-role>user</);
    const cli = await runCliCommand(['set-role', 'promoted', 'admin'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match((await onB.get('/dashboard')).body, /data-role>admin</);
  });

  test('an OpenID Connect flow hops between the instances at every step (provider state in Redis, keys from SECRET_KEY; v5.0.0-7.4.1)', async () => {
    const added = await runCliCommand(['oidc-client', 'add', '--name', 'Wiki', '--redirect-uri', REDIRECT_URI, '--first-party', '--json'], env);
    assert.equal(added.code, 0, added.stderr);
    const client = JSON.parse(added.stdout) as { client_id: string; client_secret: string };
    // The relying party reaches BASE_URL; `via` decides which instance answers each call.
    let via = a;
    const routed: oidc.CustomFetch = (url, options) => fetch(url.replace(BASE_URL, via.url), options as RequestInit);
    const rp = await oidc.discovery(new URL(`${BASE_URL}/oidc`), client.client_id, client.client_secret, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: routed,
    });
    rp[oidc.customFetch] = routed;

    const onA = new TestClient(a.url);
    assert.equal((await onA.registerAndSignIn('roaming')).status, 303);
    const start = await startAuthorization(rp);
    // The authorization request reaches B, which begins the interaction...
    const onB = sameBrowserOn(onA, b);
    const begun = await onB.get(`${start.url.pathname}${start.url.search}`);
    assert.equal(begun.status, 303);
    assert.match(begun.location ?? '', /\/oidc\/interaction\/[\w-]+$/);
    // ...and A finishes it with the cookies B set.
    const done = await follow(sameBrowserOn(onB, a), begun.location!);
    assert.ok(done.rpUrl, `reached the relying party (stopped at ${done.path})`);

    via = a;
    const tokens = await oidc.authorizationCodeGrant(rp, done.rpUrl, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
    const sub = tokens.claims()!.sub;
    assert.equal(tokens.claims()!.preferred_username, 'roaming');
    via = b;
    assert.equal((await oidc.fetchUserInfo(rp, tokens.access_token, sub)).preferred_username, 'roaming');
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
    via = a;
    assert.equal((await oidc.fetchUserInfo(rp, refreshed.access_token, sub)).preferred_username, 'roaming');

    // Signing out of Gatehouse on A ends the grant B would refresh.
    const signingOut = sameBrowserOn(onA, a);
    await signingOut.get('/dashboard');
    assert.equal((await signingOut.postForm('/logout', {}, { origin: BASE_URL })).status, 303);
    via = b;
    await assert.rejects(oidc.refreshTokenGrant(rp, refreshed.refresh_token!), (error: any) => error.error === 'invalid_grant');
  });
});
