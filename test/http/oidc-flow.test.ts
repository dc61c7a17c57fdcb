/**
 * The OpenID Connect provider end to end with a real relying party (openid-client v6):
 * discovery, authorization code + PKCE + state + nonce, Gatehouse's own sign-in as the login
 * step, consent, code exchange (ID token signature checked against the JWKS by the RP),
 * claims, userinfo, refresh rotation and reuse detection, revocation, RP-initiated logout,
 * connected apps. One server for the file; runs on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { TestClient, GOOD_PASSWORD } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { completeInBrowser, discover, follow, oidc, POST_LOGOUT_URI, REDIRECT_URI, registerClient, startAuthorization } from './oidc-helpers.ts';

let offset = 0;
const clock = { now: () => Date.now() + offset };
let server: TestServer;
let config: oidc.Configuration;
let firstParty: oidc.Configuration;

before(async () => {
  server = await startTestServer({}, { clock });
  config = await discover(server, await registerClient(server, { name: 'Wiki' }));
  firstParty = await discover(server, await registerClient(server, { name: 'Dashboard', firstParty: true }));
});
after(() => server?.stop());

async function signedInFlow(rp: oidc.Configuration, browser: TestClient, username: string, extra: Record<string, string> = {}) {
  const start = await startAuthorization(rp, extra);
  const callback = await completeInBrowser(browser, start.url.href, { username, password: GOOD_PASSWORD });
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  return { tokens, start, callback };
}

test('discovery: issuer <BASE_URL>/oidc, code only, S256 only, ES256 and RS256 (RSA 3072-bit), no registration or introspection (v5.0.0-10.4.4, 10.4.6, 11.2.3)', async () => {
  const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const metadata = await response.json();
  assert.equal(metadata.issuer, `${server.url}/oidc`);
  assert.deepEqual(metadata.response_types_supported, ['code']);
  assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  assert.deepEqual([...metadata.id_token_signing_alg_values_supported].sort(), ['ES256', 'RS256']);
  assert.deepEqual(metadata.grant_types_supported.sort(), ['authorization_code', 'refresh_token']);
  assert.deepEqual(metadata.acr_values_supported, ['urn:gatehouse:pwd', 'urn:gatehouse:mfa']);
  assert.equal(metadata.registration_endpoint, undefined);
  assert.equal(metadata.introspection_endpoint, undefined);
  const jwks = await (await fetch(metadata.jwks_uri)).json();
  assert.ok(jwks.keys.every((key: Record<string, unknown>) => key.d === undefined && key.p === undefined), 'no private parts published');
  // v5.0.0-11.2.3: 128-bit security, so RSA keys of at least 3072 bits (2048 fails it).
  for (const key of jwks.keys.filter((k: Record<string, unknown>) => k.kty === 'RSA')) assert.ok(Buffer.from(key.n, 'base64url').length * 8 >= 3072, `RSA modulus ${Buffer.from(key.n, 'base64url').length * 8} bits`);
  assert.ok(jwks.keys.some((k: Record<string, unknown>) => k.kty === 'RSA'), 'an RSA key is published');
});

test('the whole flow: sign-in, consent, ES256 ID token with the claims, userinfo, refresh rotation, revocation, logout (v5.0.0-10.4.2, 10.4.8, 11.6.1)', async () => {
  const browser = new TestClient(server.url);
  await browser.registerAndSignIn('ada');
  await browser.get('/dashboard');
  assert.equal((await browser.postForm('/logout', {})).status, 303);
  // Not signed in: the provider's login step sends the browser to Gatehouse's /login.
  const start = await startAuthorization(config, { scope: 'openid profile email groups offline_access', prompt: 'consent' });
  const first = await fetch(start.url, { redirect: 'manual' });
  assert.equal(first.status, 303);
  assert.match(first.headers.get('location') ?? '', /^\/oidc\/interaction\/[\w-]+$/);
  const callback = await completeInBrowser(browser, start.url.href, { username: 'ada', password: GOOD_PASSWORD });
  assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  // The signature, checked against the published JWKS (openid-client trusts the TLS channel
  // of the token endpoint and does not): ES256 by default.
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const verified = await jwtVerify(tokens.id_token!, jwks, { issuer: `${server.url}/oidc`, audience: config.clientMetadata().client_id });
  assert.equal(verified.protectedHeader.alg, 'ES256');
  const claims = tokens.claims()!;
  const user = (await server.deps.users.findUserByUsername('ada'))!;
  const subject = await server.deps.oidc.subjects.subjectFor(user.id);
  assert.equal(claims.sub, subject);
  assert.match(claims.sub, /^[A-Za-z0-9_-]{22,}$/);
  assert.notEqual(claims.sub, 'ada');
  assert.equal(claims.preferred_username, 'ada');
  assert.equal(claims.email, 'ada@example.test');
  assert.deepEqual(claims.groups, ['user']);
  assert.equal(claims.acr, 'urn:gatehouse:pwd');
  assert.deepEqual(claims.amr, ['pwd']);
  assert.equal(tokens.expires_in !== undefined && tokens.expires_in <= 3600 && tokens.expires_in >= 600, true);

  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, 'ada@example.test');

  // Refresh rotation: a new refresh token each time; replaying the old one kills the family.
  assert.ok(tokens.refresh_token);
  const second = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.ok(second.refresh_token && second.refresh_token !== tokens.refresh_token);
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
  await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token!), (error: any) => error.error === 'invalid_grant', 'the rotated one died with its family');
  await assert.rejects(oidc.fetchUserInfo(config, second.access_token, claims.sub), 'access tokens of the family die too');

  // The ID token is no bearer token at userinfo (v5.0.0-9.2.2).
  const asBearer = await fetch(`${server.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
  assert.equal(asBearer.status, 401);

  // Revocation.
  const again = await signedInFlow(config, browser, 'ada');
  await oidc.tokenRevocation(config, again.tokens.access_token);
  await assert.rejects(oidc.fetchUserInfo(config, again.tokens.access_token, claims.sub));

  // RP-initiated logout: a confirmation page in our layout, the provider's own form, then the RP.
  const end = oidc.buildEndSessionUrl(config, { id_token_hint: again.tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' });
  const confirm = await browser.get(`${end.pathname}${end.search}`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /<form id="op\.logoutForm"/);
  assert.match(confirm.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.doesNotMatch(confirm.body, /<script(?! src)/);
  const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(confirm.body)![1]!;
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
  const done = await browser.postForm(new URL(action.replaceAll('&amp;', '&')).pathname, { xsrf, logout: 'yes', csrf_token: null });
  assert.equal(done.status, 303);
  assert.match(done.location ?? '', /^https:\/\/rp\.example\.test\/signed-out\?state=bye$/);
  // The confirmed logout ended the Gatehouse session too (the single sign-on session) and
  // revoked what it had approved: the next sign-in at the application asks for the password.
  assert.equal((await browser.get('/dashboard')).status, 303);
  await assert.rejects(oidc.refreshTokenGrant(config, again.tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
  // No code, token or ID token in the log, anywhere in the flow.
  const secrets = [callback.searchParams.get('code')!, tokens.access_token, tokens.refresh_token!, second.refresh_token!, tokens.id_token!, again.tokens.access_token, again.tokens.id_token!];
  assert.ok(server.logs.some((line) => line.includes('/oidc/session/end?')), 'the provider’s requests are logged (with id_token_hint redacted)');
  for (const secret of secrets) assert.ok(!server.logs.some((line) => line.includes(secret)), 'a token reached the log');
  const next = await startAuthorization(config);
  const first2 = await browser.get(`${next.url.pathname}${next.url.search}`);
  assert.match((await browser.get(first2.location!)).location ?? '', /^\/login\?next=/);
});

test('a first-party client skips consent; others show a consent page naming the client and the scopes (v5.0.0-10.7.1, 10.7.2)', async () => {
  const browser = new TestClient(server.url);
  await browser.registerAndSignIn('bea');
  const start = await startAuthorization(firstParty);
  const callback = await completeInBrowser(browser, start.url.href, undefined, { consent: false });
  assert.ok(callback.searchParams.get('code'));

  const other = await startAuthorization(config);
  const { last: login, path } = await follow(browser, other.url.href);
  assert.equal(login.status, 200, 'the consent page');
  assert.match(path, /^\/oidc\/interaction\/[\w-]+$/);
  assert.match(login.body, /Wiki/);
  assert.match(login.body, /Your email address/);
  const page = { location: path };
  // Deny: back to the RP with access_denied.
  const denied = await browser.postForm(`${page.location}/consent`, { decision: 'deny' });
  const back = await browser.get(new URL(denied.location!, server.url).pathname + new URL(denied.location!, server.url).search);
  assert.match(back.location ?? '', /error=access_denied/);
  // A forged consent (no CSRF token) is refused.
  const forged = await browser.postForm(`${page.location}/consent`, { decision: 'approve', csrf_token: null });
  assert.equal(forged.status, 403);
});

test('connected apps lists the grant and revoking it ends the tokens (v5.0.0-10.7.3, 10.4.9)', async () => {
  const browser = new TestClient(server.url);
  await browser.registerAndSignIn('cyd');
  const { tokens } = await signedInFlow(config, browser, 'cyd');
  const apps = await browser.get('/settings/apps');
  assert.equal(apps.status, 200);
  assert.match(apps.body, /Wiki/);
  const grantId = /name="grant_id" value="([^"]+)"/.exec(apps.body)![1]!;
  const revoked = await browser.postForm('/settings/apps/revoke', { grant_id: grantId });
  assert.equal(revoked.status, 303);
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub));
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!));
  assert.doesNotMatch((await browser.get('/settings/apps')).body, /data-grant-id/);
  const unknown = await browser.postForm('/settings/apps/revoke', { grant_id: grantId });
  assert.equal(unknown.status, 404);
});

test('a client registered for RS256 gets RS256 ID tokens, verified against the JWKS (v5.0.0-11.6.1)', async () => {
  const legacy = await discover(server, await registerClient(server, { name: 'Legacy', firstParty: true, alg: 'RS256' }));
  const browser = new TestClient(server.url);
  await browser.registerAndSignIn('dee');
  const { tokens } = await signedInFlow(legacy, browser, 'dee');
  const verified = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(legacy.serverMetadata().jwks_uri!)), { issuer: `${server.url}/oidc` });
  assert.equal(verified.protectedHeader.alg, 'RS256');
});

test('a key rotation by another process reaches the running provider within 30 s: new ID tokens carry the new key, the old one stays published (v5.0.0-11.2.2)', async () => {
  const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;
  const published = async () => ((await (await fetch(`${server.url}/oidc/jwks`)).json()).keys as Array<{ kid: string }>).map((key) => key.kid);
  const browser = new TestClient(server.url);
  await browser.registerAndSignIn('rotation');
  const before = await signedInFlow(firstParty, browser, 'rotation');
  const oldKid = kidOf(before.tokens.id_token!);
  // What `gatehouse oidc-keys rotate` does, in the store the server reads (the CLI test runs the command itself).
  const { kids } = await server.deps.oidc.signingKeys.rotate(CLI_CONTEXT);
  assert.ok((await published()).includes(oldKid), 'until the next check the old set is served');
  offset += 31_000;
  try {
    const keys = await published();
    for (const kid of kids) assert.ok(keys.includes(kid), `new key ${kid} published`);
    assert.ok(keys.includes(oldKid), 'the retired key stays published, so tokens signed before still verify');
    const after = await signedInFlow(firstParty, browser, 'rotation');
    const newKid = kidOf(after.tokens.id_token!);
    assert.notEqual(newKid, oldKid);
    assert.ok(kids.includes(newKid), 'signed with a new key');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`));
    await jwtVerify(before.tokens.id_token!, jwks, { issuer: `${server.url}/oidc`, currentDate: new Date(clock.now() - 31_000) });
    await jwtVerify(after.tokens.id_token!, jwks, { issuer: `${server.url}/oidc` });
  } finally {
    offset = 0;
  }
});
