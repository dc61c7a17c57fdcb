/**
 * The relying party side of the OpenID Connect tests: `openid-client` v6 (a real, certified
 * RP) against a real Gatehouse server, with the browser part driven by plain HTTP requests
 * carrying cookies (test/helpers/client.ts).
 */
import * as oidc from 'openid-client';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import type { TestClient, TestResponse } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';

export const REDIRECT_URI = 'https://rp.example.test/callback';
export const POST_LOGOUT_URI = 'https://rp.example.test/signed-out';

export async function registerClient(server: TestServer, options: { name?: string; firstParty?: boolean; public?: boolean; redirectUris?: string[]; alg?: string } = {}) {
  const result = await server.deps.oidc.clients.add(
    {
      name: options.name ?? 'Test app',
      redirectUris: options.redirectUris ?? [REDIRECT_URI],
      postLogoutRedirectUris: [POST_LOGOUT_URI],
      firstParty: options.firstParty ?? false,
      public: options.public ?? false,
      ...(options.alg ? { idTokenSigningAlg: options.alg } : {}),
    },
    CLI_CONTEXT,
  );
  if (!result.ok) throw new Error(`client add: ${result.reason}`);
  return { clientId: result.client.clientId, clientSecret: result.clientSecret };
}

export async function discover(server: TestServer, client: { clientId: string; clientSecret?: string }) {
  return oidc.discovery(
    new URL(`${server.url}/oidc`),
    client.clientId,
    client.clientSecret ? { client_secret: client.clientSecret } : { token_endpoint_auth_method: 'none' },
    client.clientSecret ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(config: oidc.Configuration, extra: Record<string, string> = {}): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email groups',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/**
 * Follows redirects inside Gatehouse as a browser would, until one leaves for the RP (its
 * URL returned) or a page answers (the last response returned).
 */
export async function follow(browser: TestClient, start: string, limit = 12): Promise<{ rpUrl?: URL; last: TestResponse; path: string }> {
  let location = start;
  for (let i = 0; i < limit; i += 1) {
    if (location.startsWith('https://rp.example.test')) return { rpUrl: new URL(location), last: undefined as unknown as TestResponse, path: location };
    const target = new URL(location, browser.baseUrl);
    const response = await browser.get(`${target.pathname}${target.search}`);
    if (response.status < 300 || response.status >= 400 || !response.location) return { last: response, path: `${target.pathname}${target.search}` };
    location = response.location;
  }
  throw new Error('too many redirects');
}

/** Signs in on the /login page the flow landed on and goes on following; approves a consent page when `consent`. */
export async function completeInBrowser(browser: TestClient, start: string, credentials?: { username: string; password: string }, options: { consent?: boolean } = {}): Promise<URL> {
  let step = await follow(browser, start);
  for (let i = 0; i < 4 && !step.rpUrl; i += 1) {
    if (step.path.startsWith('/login') && credentials) {
      const next = new URL(step.path, browser.baseUrl).searchParams.get('next') ?? '';
      const signedIn = await browser.postForm('/login', { username: credentials.username, password: credentials.password, next });
      if (signedIn.status !== 303 || !signedIn.location) throw new Error(`sign-in: ${signedIn.status}`);
      step = await follow(browser, signedIn.location);
    } else if (/^\/oidc\/interaction\/[^/]+$/.test(step.path) && step.last.status === 200 && options.consent !== false) {
      const approved = await browser.postForm(`${step.path}/consent`, { decision: 'approve' });
      if (approved.status !== 303 || !approved.location) throw new Error(`consent: ${approved.status} ${approved.body.slice(0, 300)}`);
      step = await follow(browser, approved.location);
    } else {
      throw new Error(`stuck at ${step.path}: ${step.last.status} ${step.last.body.slice(0, 300)}`);
    }
  }
  if (!step.rpUrl) throw new Error(`did not reach the RP: ${step.path}`);
  return step.rpUrl;
}

export { oidc };
