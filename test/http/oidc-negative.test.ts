/**
 * The OpenID Connect provider's refusals, each against a real relying party or raw requests:
 * redirect URI variants (v5.0.0-10.4.1), code reuse (10.4.2), a code from another client,
 * PKCE missing/plain/wrong (10.4.6), implicit and password grants (10.4.4, 10.6.1), a
 * confidential client without its secret (10.4.10), the ID token as a bearer (9.2.2), and
 * the ties to Gatehouse's sign-in: an expired session signs in again, prompt=login asks
 * again, TOTP shows in amr/acr, signing out, disabling and a password change end the tokens
 * (7.4.1, 7.4.2, 7.4.3).
 * One server for the file (clock mocked for the session expiry); every backend.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { completeInBrowser, discover, follow, oidc, REDIRECT_URI, registerClient, startAuthorization } from './oidc-helpers.ts';

let offset = 0;
const clock = { now: () => Date.now() + offset };
let server: TestServer;
let rp: oidc.Configuration;
let other: oidc.Configuration;
let confidential: { clientId: string; clientSecret?: string };

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' }, { clock });
  confidential = await registerClient(server, { name: 'Wiki', firstParty: true });
  rp = await discover(server, confidential);
  other = await discover(server, await registerClient(server, { name: 'Other', firstParty: true, redirectUris: ['https://other.example.test/cb'] }));
});
after(() => server?.stop());

async function signedIn(username: string): Promise<TestClient> {
  const browser = new TestClient(server.url);
  const response = await browser.registerAndSignIn(username);
  assert.equal(response.status, 303);
  return browser;
}

async function codeFor(browser: TestClient, config = rp, extra: Record<string, string> = {}) {
  const start = await startAuthorization(config, extra);
  const callback = await completeInBrowser(browser, start.url.href);
  return { start, callback };
}

test('a redirect URI not registered exactly gets an error page, never a redirect (v5.0.0-10.4.1)', async () => {
  const browser = await signedIn('redirects');
  const variants = [
    'https://rp.example.test/callback/',
    'https://rp.example.test/Callback',
    'https://RP.example.test.evil.example/callback',
    'https://rp.example.test:8443/callback',
    'https://rp.example.test@evil.example/callback',
    'https://evil.rp.example.test/callback',
    'https://rp.example.test/callback/../other',
    'http://rp.example.test/callback',
  ];
  for (const redirectUri of variants) {
    const start = await startAuthorization(rp, { redirect_uri: redirectUri });
    const response = await browser.get(`${start.url.pathname}${start.url.search}`);
    assert.equal(response.status, 400, redirectUri);
    assert.equal(response.location, null, `${redirectUri}: no redirect`);
    assert.match(response.body, /invalid_redirect_uri|redirect_uri/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.doesNotMatch(response.body, /<script(?! src="\/static\/)|<style|style=/);
  }
});

test('a code is single use: the second redemption fails and revokes the first one’s tokens (v5.0.0-10.4.2)', async () => {
  const browser = await signedIn('reuse');
  const { start, callback } = await codeFor(browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  await assert.rejects(oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce }), (error: any) => error.error === 'invalid_grant');
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub), 'the first redemption’s access token is revoked');
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
});

test('a code issued to one client cannot be redeemed by another', async () => {
  const browser = await signedIn('crossclient');
  const { start, callback } = await codeFor(browser);
  const code = callback.searchParams.get('code')!;
  const response = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${other.clientMetadata().client_id}:${other.clientMetadata().client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: start.verifier }).toString(),
  });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error, 'invalid_grant');
});

test('PKCE: missing or plain is refused at the authorization endpoint; a wrong verifier at the token endpoint (v5.0.0-10.4.6)', async () => {
  const browser = await signedIn('pkce');
  const base = await startAuthorization(rp);
  const without = new URL(base.url);
  without.searchParams.delete('code_challenge');
  without.searchParams.delete('code_challenge_method');
  const missing = await follow(browser, without.href);
  assert.match(missing.rpUrl?.search ?? missing.last.body, /invalid_request/);
  const plain = new URL(base.url);
  plain.searchParams.set('code_challenge_method', 'plain');
  plain.searchParams.set('code_challenge', base.verifier);
  const refused = await follow(browser, plain.href);
  assert.match(refused.rpUrl?.search ?? refused.last.body, /invalid_request/);
  const { start, callback } = await codeFor(browser);
  await assert.rejects(
    oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: start.state, expectedNonce: start.nonce }),
    (error: any) => error.error === 'invalid_grant',
  );
});

test('response_type=token and grant_type=password are refused; a confidential client without its secret gets 401 (v5.0.0-10.4.4, 10.6.1, 10.4.10)', async () => {
  const browser = await signedIn('grants');
  const start = await startAuthorization(rp);
  const implicit = new URL(start.url);
  implicit.searchParams.set('response_type', 'token');
  const refused = await follow(browser, implicit.href);
  assert.match(refused.rpUrl?.href ?? refused.last.body, /unsupported_response_type|invalid_request/);
  assert.doesNotMatch(refused.rpUrl?.href ?? '', /access_token=/);
  const basic = `Basic ${Buffer.from(`${confidential.clientId}:${confidential.clientSecret}`).toString('base64')}`;
  const password = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: 'grant_type=password&username=grants&password=correct+horse+battery+staple',
  });
  assert.equal(password.status, 400);
  assert.equal((await password.json()).error, 'unsupported_grant_type');
  const noAuth = await fetch(`${server.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: confidential.clientId }).toString(),
  });
  assert.equal(noAuth.status, 401);
  assert.equal((await noAuth.json()).error, 'invalid_client');
});

test('prompt=none without a Gatehouse session answers login_required to the RP; prompt=login asks for the password again', async () => {
  const anonymous = new TestClient(server.url);
  const none = await startAuthorization(rp, { prompt: 'none' });
  const step = await follow(anonymous, none.url.href);
  assert.equal(step.rpUrl?.searchParams.get('error'), 'login_required');

  // Not signed in: one sign-in at /login is enough (no second password prompt at /sudo).
  const fresh = new TestClient(server.url);
  await (await signedIn('promptlogin0')).get('/dashboard');
  const anonymousLogin = await startAuthorization(rp, { prompt: 'login' });
  await completeInBrowser(fresh, anonymousLogin.url.href, { username: 'promptlogin0', password: GOOD_PASSWORD });

  const browser = await signedIn('promptlogin');
  await codeFor(browser);
  const again = await startAuthorization(rp, { prompt: 'login' });
  const forced = await follow(browser, again.url.href);
  assert.match(forced.path, /^\/sudo\?next=%2Foidc%2Finteraction%2F/);
  // Confirming the password there completes the sign-in step, with a new auth_time.
  const sudo = await browser.get(forced.path);
  assert.equal(sudo.status, 200);
  const next = new URL(forced.path, server.url).searchParams.get('next')!;
  const confirmed = await browser.postForm('/sudo', { current_password: GOOD_PASSWORD, next });
  assert.equal(confirmed.status, 303);
  const done = await completeInBrowser(browser, confirmed.location!);
  const tokens = await oidc.authorizationCodeGrant(rp, done, { pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce });
  assert.ok(typeof tokens.claims()!.auth_time === 'number');
});

test('an expired Gatehouse session, or signing out of Gatehouse, means signing in again, and sign-out ends the tokens (v5.0.0-7.4.1)', async () => {
  const browser = await signedIn('expiry');
  const { start, callback } = await codeFor(browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  // Sign out of Gatehouse: the provider session and the grant made under it end.
  await browser.get('/dashboard');
  const out = await browser.postForm('/logout', {});
  assert.equal(out.status, 303);
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub));
  const next = await startAuthorization(rp);
  assert.match((await follow(browser, next.url.href)).path, /^\/login\?next=%2Foidc%2Finteraction%2F/);

  // Signed in again, then the Gatehouse session idles out (31 min later; the provider session
  // would live 12 h): the provider session is not honoured without it.
  await browser.signIn('expiry', GOOD_PASSWORD);
  await codeFor(browser);
  offset += 31 * 60 * 1000;
  try {
    const later = await startAuthorization(rp);
    assert.match((await follow(browser, later.url.href)).path, /^\/login\?next=%2Foidc%2Finteraction%2F/);
  } finally {
    offset = 0;
  }
});

test('disabling a user ends userinfo and refresh at once (v5.0.0-7.4.2)', async () => {
  const browser = await signedIn('disabled');
  const { start, callback } = await codeFor(browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  const sub = tokens.claims()!.sub;
  await oidc.fetchUserInfo(rp, tokens.access_token, sub);
  const result = await server.deps.userService.setDisabled({ username: 'disabled' }, true, CLI_CONTEXT);
  assert.equal(result.ok, true);
  await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, sub));
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
  const user = await server.deps.users.findUserByUsername('disabled');
  const left = await server.deps.oidc.payloads.listGrants((await server.deps.oidc.subjects.subjectFor(user!.id))!);
  assert.deepEqual(left, [], 'every grant of the user is gone');
});

test('changing the password revokes every token issued to the user, whichever browser got them (v5.0.0-7.4.3)', async () => {
  const browser = await signedIn('pwchange');
  const { start, callback } = await codeFor(browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  const sub = tokens.claims()!.sub;
  // A second browser of the same user connects another application.
  const laptop = new TestClient(server.url);
  assert.equal((await laptop.signIn('pwchange', GOOD_PASSWORD)).status, 303);
  const chat = await discover(server, await registerClient(server, { name: 'Chat', firstParty: true }));
  const second = await codeFor(laptop, chat);
  const otherTokens = await oidc.authorizationCodeGrant(chat, second.callback, { pkceCodeVerifier: second.start.verifier, expectedState: second.start.state, expectedNonce: second.start.nonce });
  await oidc.fetchUserInfo(rp, tokens.access_token, sub);
  await oidc.fetchUserInfo(chat, otherTokens.access_token, sub);

  await browser.get('/settings/password');
  const changed = await browser.postForm('/settings/password', { current_password: GOOD_PASSWORD, new_password: 'a different horse battery staple' });
  assert.equal(changed.status, 303);
  for (const [config, issued] of [[rp, tokens], [chat, otherTokens]] as const) {
    await assert.rejects(oidc.fetchUserInfo(config, issued.access_token, sub));
    await assert.rejects(oidc.refreshTokenGrant(config, issued.refresh_token!), (error: any) => error.error === 'invalid_grant');
  }
  assert.deepEqual(await server.deps.oidc.payloads.listGrants(sub), [], 'no grant of the user is left');
});

test('a TOTP sign-in shows in the ID token: amr otp+mfa, acr urn:gatehouse:mfa; the ID token is no bearer token (v5.0.0-9.2.2)', async () => {
  const browser = await signedIn('totp');
  const page = await browser.get('/settings/two-factor');
  const secret = /data-totp-secret="([A-Z2-7]{32})"/.exec(page.body)![1]!;
  assert.equal((await browser.postForm('/settings/two-factor', { code: codeAt(secret, clock.now()), current_password: GOOD_PASSWORD })).status, 200);
  offset += 61_000;
  const fresh = new TestClient(server.url);
  assert.equal((await fresh.signIn('totp', GOOD_PASSWORD)).location, '/login/two-factor');
  await fresh.get('/login/two-factor');
  assert.equal((await fresh.postForm('/login/two-factor', { code: codeAt(secret, clock.now()) })).status, 303);
  offset = 0;
  const { start, callback } = await codeFor(fresh);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  const claims = tokens.claims()!;
  assert.equal(claims.acr, 'urn:gatehouse:mfa');
  assert.ok((claims.amr as string[]).includes('otp') && (claims.amr as string[]).includes('mfa'), JSON.stringify(claims.amr));
  const asBearer = await fetch(`${server.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
  assert.equal(asBearer.status, 401);
});

test('deleting a user deletes every grant and token issued to them (v5.0.0-7.4.2)', async () => {
  const browser = await signedIn('deleted');
  const { start, callback } = await codeFor(browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  const subject = tokens.claims()!.sub;
  assert.equal((await server.deps.oidc.payloads.listGrants(subject)).length, 1);
  assert.deepEqual(await server.deps.userService.deleteUser({ username: 'deleted' }, CLI_CONTEXT), { ok: true });
  assert.deepEqual(await server.deps.oidc.payloads.listGrants(subject), []);
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
});

test('an authorization code lives 60 s: one redeemed later is refused (v5.0.0-10.4.3)', async () => {
  // oidc-provider keeps its own time, but the payload stores expire rows by the domain clock
  // (mocked here), so a code found after its lifetime is no code at all.
  const browser = await signedIn('slowcode');
  const { start, callback } = await codeFor(browser);
  offset += 61_000;
  try {
    await assert.rejects(
      oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce }),
      (error: any) => error.error === 'invalid_grant',
    );
  } finally {
    offset = 0;
  }
});
