#!/usr/bin/env node
/**
 * The cost of forward-auth per proxied request (issue #13): one Gatehouse process on SQLite
 * (or `--backend postgres+redis`), one signed-in user, then, in one run and one after the
 * other, autocannon on GET /auth/verify (the Traefik/Caddy dialect, the proxy cookie only,
 * as another subdomain sends it), GET /auth/verify/nginx, and GET /api/v1/me (the session
 * cookie) for comparison. Prints req/s and latency percentiles as JSON.
 *   node bench/forward-auth.mjs [--seconds 10] [--connections 16] [--backend sqlite|postgres+redis]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { provisionBackend } from './lib/backends.mjs';
import { cannon } from './lib/measure.mjs';
import { FORWARD_AUTH_ENV, startGatehouse } from './lib/servers.mjs';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' }, backend: { type: 'string', default: 'sqlite' } } });
const duration = Number(values.seconds);
const connections = Number(values.connections);
const workDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-fa-'));
const backend = values.backend === 'sqlite' ? undefined : await provisionBackend(values.backend);
// The harness's own start (bench/lib/servers.mjs): HOST, a DATA_DIR under workDir, SECRET_KEY,
// LOG_LEVEL=warn, GLOBAL_RATE_LIMIT=0; cheap argon2 and this script's settings come last.
const server = await startGatehouse(
  { cfg: { nodeEnv: 'production', cpus: availableParallelism() }, tmpRoot: workDir, secretKey: 'bench-forward-auth-secret-0123456789abcdef0123456789', results: { meta: {} } },
  'gatehouse',
  { ...FORWARD_AUTH_ENV, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ...backend?.env },
);
try {
  const base = server.url;
  const csrfResponse = await fetch(`${base}/api/v1/csrf`);
  const { csrfToken } = await csrfResponse.json();
  const anon = csrfResponse.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const headers = { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie: anon, origin: 'https://auth.example.test' };
  const user = { username: 'benchfa', email: 'benchfa@example.test', password: 'correct horse battery staple bench' };
  const registered = await fetch(`${base}/api/v1/register`, { method: 'POST', headers, body: JSON.stringify(user) });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const login = await fetch(`${base}/api/v1/login`, { method: 'POST', headers, body: JSON.stringify({ username: user.username, password: user.password }) });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookies = Object.fromEntries(login.headers.getSetCookie().map((line) => line.split(';')[0].split('=')));
  const session = `__Host-gatehouse_session=${cookies['__Host-gatehouse_session']}`;
  const proxy = cookies['__Secure-gatehouse_proxy'] ? `__Secure-gatehouse_proxy=${cookies['__Secure-gatehouse_proxy']}` : undefined;
  if (!proxy) throw new Error('the API sign-in minted no proxy cookie');
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.test', 'x-forwarded-uri': '/dashboard?x=1', 'x-forwarded-method': 'GET' };
  const runs = {
    'GET /api/v1/me (session cookie)': { url: `${base}/api/v1/me`, headers: { cookie: session } },
    'GET /auth/verify (proxy cookie)': { url: `${base}/auth/verify`, headers: { ...forwarded, cookie: proxy } },
    'GET /auth/verify/nginx (proxy cookie)': { url: `${base}/auth/verify/nginx`, headers: { 'x-original-url': 'https://app.example.test/dashboard?x=1', cookie: proxy } },
  };
  const results = { backend: values.backend, seconds: duration, connections };
  for (const [name, options] of Object.entries(runs)) {
    await cannon({ ...options, duration: 2, connections }); // warm-up
    const measured = await cannon({ ...options, duration, connections });
    results[name] = { perSecond: Math.round(measured.perSecond), p50Ms: measured.latencyMs.p50, p99Ms: measured.latencyMs.p99, bad: measured.bad };
  }
  console.log(JSON.stringify(results, null, 2));
} finally {
  await server.stop?.();
  await backend?.cleanup?.();
  rmSync(workDir, { recursive: true, force: true });
}
