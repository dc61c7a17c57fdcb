/**
 * The set-up the shared figures (B1–B4, B7–B11) use, made once: one Gatehouse server on
 * cfg.backend with forward-auth configured (FORWARD_AUTH_ENV: the proxy cookie, TRUST_PROXY
 * for loopback), cfg.b3Users users registered through the API at production argon2id
 * (written to a file for bench/signin-load.mjs), one signed-in session, and the bare-Fastify
 * baseline serving the very bytes of that session's /dashboard page and /api/v1/me answer and
 * the very headers of its "allowed" forward-auth answer. The CPU profiles (profiles.mjs) make
 * the same users file and the same captured pages.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { contentHeaders, headerBytes, VERIFY_PATHS, verifyHeaders } from '../lib/forward-auth-requests.mjs';
import { getWithCookie, registerUsers, signInApi, signInApiCookies } from '../lib/gatehouse-client.mjs';
import { FORWARD_AUTH_ENV, provision, startBaseline, startGatehouse } from '../lib/servers.mjs';

/** The protected application of B10/B11: one target inside FORWARD_AUTH_DOMAINS. */
export const FORWARD_AUTH_TARGET = 'https://app.example.test/dashboard?tab=1';

/** Registers `count` users on `url` and writes them to `<tmpRoot>/<prefix>users.json`. */
export async function registerUsersFile(ctx, url, { count, prefix = '', userPrefix = 'bench' }) {
  const users = await registerUsers(url, count, { prefix: userPrefix, passwordLength: ctx.cfg.passwordLength });
  const usersFile = path.join(ctx.tmpRoot, `${prefix}users.json`);
  writeFileSync(usersFile, JSON.stringify(users));
  return { users, usersFile };
}

/**
 * Signs `user` in on `url` and saves the signed-in /dashboard page and /api/v1/me answer to
 * `<tmpRoot>/<prefix>dashboard.html` and `<prefix>me.json` (what the baseline serves).
 */
export async function captureSignedIn(ctx, url, user, prefix = '') {
  const cookie = await signInApi(url, user);
  const dashboard = await getWithCookie(`${url}/dashboard`, cookie);
  const me = await getWithCookie(`${url}/api/v1/me`, cookie);
  if (dashboard.status !== 200 || me.status !== 200) throw new Error(`signed-in requests failed: /dashboard ${dashboard.status}, /api/v1/me ${me.status}`);
  const pageFile = path.join(ctx.tmpRoot, `${prefix}dashboard.html`);
  const jsonFile = path.join(ctx.tmpRoot, `${prefix}me.json`);
  writeFileSync(pageFile, dashboard.body);
  writeFileSync(jsonFile, me.body);
  return { cookie, pageFile, jsonFile, pageBytes: { dashboard: Buffer.byteLength(dashboard.body), me: Buffer.byteLength(me.body) } };
}

/**
 * Signs `user` in, then asks both verify endpoints for FORWARD_AUTH_TARGET with the proxy
 * cookie (as a proxy in front of another subdomain would). Both must allow (200); the
 * headers of the /auth/verify answer (Remote-User, -Email, -Name, -Groups, X-Gatehouse-Jwt,
 * Cache-Control and the security headers, framing headers aside) go to
 * `<tmpRoot>/forward-headers.json`, which the baseline sends on /forward. Returns the request
 * headers of each dialect and the captured header sizes.
 */
export async function captureForwardAuth(ctx, url, user) {
  const { proxy } = await signInApiCookies(url, user);
  if (!proxy) throw new Error('the sign-in set no forward-auth proxy cookie (is FORWARD_AUTH_COOKIE_DOMAIN set?)');
  const requests = {};
  const answers = {};
  for (const [dialect, verifyPath] of Object.entries(VERIFY_PATHS)) {
    requests[dialect] = verifyHeaders(dialect, FORWARD_AUTH_TARGET, proxy);
    const response = await fetch(`${url}${verifyPath}`, { headers: requests[dialect], redirect: 'manual' });
    await response.arrayBuffer();
    if (response.status !== 200 || !response.headers.get('x-gatehouse-jwt')) throw new Error(`GET ${verifyPath} with the proxy cookie: ${response.status}, expected 200 with X-Gatehouse-Jwt`);
    answers[dialect] = contentHeaders(response);
  }
  const forwardHeadersFile = path.join(ctx.tmpRoot, 'forward-headers.json');
  writeFileSync(forwardHeadersFile, JSON.stringify(answers.forwarded));
  return {
    requests,
    forwardHeadersFile,
    headerBytes: { forwarded: headerBytes(answers.forwarded), nginx: headerBytes(answers.nginx) },
    headerNames: Object.keys(answers.forwarded),
  };
}

/**
 * Starts what the shared figures measure. Returns { gh, base, users, usersFile, cookie, stop() }; stop()
 * stops both servers and drops the backend (also when the set-up itself fails).
 */
export async function startSharedServers(ctx) {
  const { cfg, log, results } = ctx;
  const backend = await provision(ctx, cfg.backend);
  const started = [];
  const stop = async () => {
    for (const server of started.reverse()) await server.stop();
    await backend.cleanup();
  };
  try {
    const gh = await startGatehouse(ctx, 'gatehouse', { ...backend.env, ...FORWARD_AUTH_ENV, REGISTER_MAX_PER_HOUR: '1000000' });
    started.push(gh);
    log(`gatehouse pid ${gh.pid} on ${gh.url} (${backend.describe}); registering ${cfg.b3Users} users at production argon2 parameters`);
    const { users, usersFile } = await registerUsersFile(ctx, gh.url, { count: cfg.b3Users });
    const captured = await captureSignedIn(ctx, gh.url, users[0]);
    const forwardAuth = await captureForwardAuth(ctx, gh.url, users[0]);
    const base = await startBaseline(ctx, { ...captured, forwardHeadersFile: forwardAuth.forwardHeadersFile });
    started.push(base);
    results.meta.pageBytes = captured.pageBytes;
    results.meta.forwardAuthAnswer = { headerBytes: forwardAuth.headerBytes, headers: forwardAuth.headerNames, target: FORWARD_AUTH_TARGET };
    results.meta.backend = backend.describe;
    return { gh, base, users, usersFile, cookie: captured.cookie, forwardAuth, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
