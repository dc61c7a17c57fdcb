/**
 * The set-up B1–B4 share, made once: one Gatehouse server on cfg.backend, cfg.b3Users users
 * registered through the API at production argon2id (written to a file for
 * bench/signin-load.mjs), one signed-in session, and the bare-Fastify baseline serving the
 * very bytes of that session's /dashboard page and /api/v1/me answer. The CPU profiles
 * (profiles.mjs) make the same users file and the same captured pages.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { getWithCookie, registerUsers, signInApi } from '../lib/gatehouse-client.mjs';
import { provision, startBaseline, startGatehouse } from '../lib/servers.mjs';

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
 * Starts what B1–B4 measure. Returns { gh, base, users, usersFile, cookie, stop() }; stop()
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
    const gh = await startGatehouse(ctx, 'gatehouse', { ...backend.env, REGISTER_MAX_PER_HOUR: '1000000' });
    started.push(gh);
    log(`gatehouse pid ${gh.pid} on ${gh.url} (${backend.describe}); registering ${cfg.b3Users} users at production argon2 parameters`);
    const { users, usersFile } = await registerUsersFile(ctx, gh.url, { count: cfg.b3Users });
    const captured = await captureSignedIn(ctx, gh.url, users[0]);
    const base = await startBaseline(ctx, captured);
    started.push(base);
    results.meta.pageBytes = captured.pageBytes;
    results.meta.backend = backend.describe;
    return { gh, base, users, usersFile, cookie: captured.cookie, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
