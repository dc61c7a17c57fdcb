/**
 * The few set-up calls the harness makes against a running Gatehouse, through its public
 * JSON API (the real code path): an anonymous CSRF token, registering users, signing in.
 */
import { randomBytes } from 'node:crypto';

/** `name=value` of the cookie a response sets whose name ends in `suffix` (and has a value). */
function cookieOf(response, suffix) {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';', 1)[0];
    const name = pair.slice(0, pair.indexOf('='));
    if (name.endsWith(suffix) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

/** `name=value` of the session cookie a response sets (any name ending in gatehouse_session). */
export const sessionCookieOf = (response) => cookieOf(response, 'gatehouse_session');

/** `name=value` of the device cookie a sign-in sets (any name ending in gatehouse_device). */
export const deviceCookieOf = (response) => cookieOf(response, 'gatehouse_device');

/** An anonymous pre-session cookie and the CSRF token bound to it (nothing is stored server-side). */
export async function anonymousCsrf(baseUrl) {
  const response = await fetch(`${baseUrl}/api/v1/csrf`);
  if (response.status !== 200) throw new Error(`GET /api/v1/csrf: ${response.status}`);
  const { csrfToken } = await response.json();
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error('GET /api/v1/csrf set no session cookie');
  return { cookie, csrfToken };
}

function jsonHeaders(anon) {
  return { 'content-type': 'application/json', cookie: anon.cookie, 'x-csrf-token': anon.csrfToken };
}

/**
 * A random password of `length` characters (base64url alphabet), like a password manager's.
 * Length matters: the sign-in flow re-scores the password with zxcvbn on the event loop,
 * and that cost grows faster than linearly with length (see bench/README.md).
 */
export function benchPassword(length = 16) {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/**
 * Registers `count` users through POST /api/v1/register, `concurrency` at a time (each costs
 * one argon2id hash at the server's parameters). Returns [{ username, email, password }].
 */
export async function registerUsers(baseUrl, count, { prefix = 'bench', concurrency = 4, passwordLength = 16 } = {}) {
  const anon = await anonymousCsrf(baseUrl);
  const tag = randomBytes(3).toString('hex');
  const users = Array.from({ length: count }, (_, i) => ({
    username: `${prefix}${tag}u${i}`,
    email: `${prefix}${tag}u${i}@example.com`,
    password: benchPassword(passwordLength),
  }));
  let next = 0;
  async function worker() {
    while (next < users.length) {
      const user = users[next++];
      const response = await fetch(`${baseUrl}/api/v1/register`, { method: 'POST', headers: jsonHeaders(anon), body: JSON.stringify(user) });
      if (response.status !== 201) throw new Error(`POST /api/v1/register ${user.username}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer().catch(() => {});
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

/**
 * Signs in through POST /api/v1/login; returns the session cookie and, with
 * FORWARD_AUTH_COOKIE_DOMAIN set, the forward-auth proxy cookie (`name=value` each).
 */
export async function signInApiCookies(baseUrl, user) {
  const anon = await anonymousCsrf(baseUrl);
  const response = await fetch(`${baseUrl}/api/v1/login`, {
    method: 'POST',
    headers: jsonHeaders(anon),
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  if (response.status !== 200) throw new Error(`POST /api/v1/login: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  const session = sessionCookieOf(response);
  if (!session) throw new Error('POST /api/v1/login set no session cookie');
  return { session, proxy: cookieOf(response, 'gatehouse_proxy') };
}

/** Signs in through POST /api/v1/login; returns the new session cookie (`name=value`). */
export async function signInApi(baseUrl, user) {
  return (await signInApiCookies(baseUrl, user)).session;
}

/** GET with a cookie; returns { status, body }. */
export async function getWithCookie(url, cookie) {
  const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}
