// Property: a confidential client registered for `client_secret_post` (Nextcloud's user_oidc
// sends its secret in the body) redeems its code with a real relying party (openid-client v6)
// sending the secret that way, and a wrong secret sent that way is refused with
// `invalid_client` (v5.0.0-10.4.10: confidential clients authenticate at the token endpoint).
// oidc-provider 9 takes a client secret in either place (header or body) whichever of the two
// was registered: the registration is what discovery and the client's metadata say, not a
// second lock; the second test pins that, so a change in the library shows here.
// Runs on every backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { completeInBrowser, oidc, REDIRECT_URI, startAuthorization } from './oidc-helpers.ts';

let server: TestServer;
let browser: TestClient;

before(async () => {
  server = await startTestServer();
  browser = new TestClient(server.url);
  await browser.registerAndSignIn('nextcloud-user');
});
after(() => server?.stop());

async function register(method: 'client_secret_basic' | 'client_secret_post') {
  const added = await server.deps.oidc.clients.add({ name: `App ${method}`, redirectUris: [REDIRECT_URI], firstParty: true, tokenEndpointAuthMethod: method }, CLI_CONTEXT);
  assert.ok(added.ok && added.clientSecret);
  return { clientId: added.client.clientId, secret: added.clientSecret };
}

async function rp(client: { clientId: string; secret: string }, sends: 'post' | 'basic') {
  return oidc.discovery(
    new URL(`${server.url}/oidc`),
    client.clientId,
    { client_secret: client.secret },
    sends === 'post' ? oidc.ClientSecretPost(client.secret) : oidc.ClientSecretBasic(client.secret),
    { execute: [oidc.allowInsecureRequests] },
  );
}

async function redeem(config: oidc.Configuration) {
  const start = await startAuthorization(config);
  const callback = await completeInBrowser(browser, start.url.href, { username: 'nextcloud-user', password: GOOD_PASSWORD });
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
}

test('client_secret_post: the secret in the body redeems the code; a wrong one is invalid_client', async () => {
  const client = await register('client_secret_post');
  assert.equal((await new server.deps.oidc.adapter('Client').find(client.clientId))?.token_endpoint_auth_method, 'client_secret_post');
  const tokens = await redeem(await rp(client, 'post'));
  assert.ok(tokens.id_token && tokens.access_token);
  await assert.rejects(redeem(await rp({ ...client, secret: `${client.secret.slice(0, -1)}A` === client.secret ? `${client.secret.slice(0, -1)}B` : `${client.secret.slice(0, -1)}A` }, 'post')), (error: { error?: string }) => error.error === 'invalid_client');
});

test('oidc-provider takes a secret in the header or the body whichever was registered (basic or post)', async () => {
  const basic = await register('client_secret_basic');
  assert.ok((await redeem(await rp(basic, 'basic'))).access_token);
  assert.ok((await redeem(await rp(basic, 'post'))).access_token);
  const post = await register('client_secret_post');
  assert.ok((await redeem(await rp(post, 'basic'))).access_token);
});
