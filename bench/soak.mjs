#!/usr/bin/env node
/**
 * Soak (issue #14): one Gatehouse process under mixed traffic at a fixed rate for a bounded
 * time, memory sampled, the slope reported (not asserted: a figure for the README, never a
 * timed test). Open loop: requests start on schedule whatever the answers take, so a slow
 * server faces the same load rather than a gentler one.
 *
 * The mix, per 100 requests: 60 `GET /api/v1/me` and 10 `GET /dashboard` with one of 40
 * signed-in sessions, 8 `GET /auth/verify` through a trusted proxy, 8 sign-ins each followed by
 * its sign-out, 8 failed sign-ins under fresh random usernames (new throttle keys and audit
 * rows), 4 registrations, 2 `GET /healthz`. Every 10 s: RSS (`/proc/<pid>/status`); every 30 s:
 * the heap after a full GC (bench/eld-probe.mjs). The slope is a least-squares fit over the
 * samples after the first fifth (warm-up), in MiB per minute.
 *   node bench/soak.mjs [--minutes 10] [--rate 100] [--backend sqlite|postgres+redis]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { provisionBackend } from './lib/backends.mjs';
import { registerUsers, signInApi } from './lib/gatehouse-client.mjs';
import { percentile, round } from './lib/measure.mjs';
import { startGatehouse } from './lib/servers.mjs';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '100' }, backend: { type: 'string', default: 'sqlite' } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const workDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-soak-'));
const backend = values.backend === 'sqlite' ? undefined : await provisionBackend(values.backend);
// The harness's own start (bench/lib/servers.mjs): HOST, a DATA_DIR under workDir, SECRET_KEY,
// LOG_LEVEL=warn, GLOBAL_RATE_LIMIT=0; cheap argon2 and this script's settings come last.
const server = await startGatehouse(
  { cfg: { nodeEnv: 'development', cpus: availableParallelism() }, tmpRoot: workDir, secretKey: 'soak-secret-0123456789abcdef0123456789abcdef0123456789', results: { meta: {} } },
  'gatehouse',
  {
    TRUST_PROXY: '127.0.0.1',
    FORWARD_AUTH_DOMAINS: 'app.example.test',
    REGISTER_MAX_PER_HOUR: '1000000',
    REGISTER_MAX_ATTEMPTS_PER_HOUR: '1000000',
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    ...backend?.env,
  },
);

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return num / den;
}

try {
  const base = server.url;
  const users = await registerUsers(base, 40, { prefix: 'soak' });
  const sessions = [];
  for (const user of users) sessions.push(await signInApi(base, user));
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const csrfFor = async () => {
    const response = await fetch(`${base}/api/v1/csrf`);
    const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    return { cookie, token: (await response.json()).csrfToken };
  };
  const json = (anon) => ({ 'content-type': 'application/json', 'x-csrf-token': anon.token, cookie: anon.cookie, origin: base });
  const kinds = [
    [60, 'me', () => fetch(`${base}/api/v1/me`, { headers: { cookie: pick(sessions) } })],
    [10, 'dashboard', () => fetch(`${base}/dashboard`, { headers: { cookie: pick(sessions) } })],
    [8, 'verify', () => fetch(`${base}/auth/verify`, { headers: { cookie: pick(sessions), 'x-forwarded-method': 'GET', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'app.example.test', 'x-forwarded-uri': '/' } })],
    [8, 'sign-in+out', async () => {
      const user = pick(users);
      const anon = await csrfFor();
      const login = await fetch(`${base}/api/v1/login`, { method: 'POST', headers: json(anon), body: JSON.stringify({ username: user.username, password: user.password }) });
      const { csrfToken } = await login.json();
      const cookie = login.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
      return fetch(`${base}/api/v1/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken, cookie, origin: base } });
    }],
    [8, 'failed sign-in', async () => {
      const anon = await csrfFor();
      return fetch(`${base}/api/v1/login`, { method: 'POST', headers: json(anon), body: JSON.stringify({ username: `nobody${randomBytes(6).toString('hex')}`, password: 'wrong password here' }) });
    }],
    [4, 'register', async () => {
      const anon = await csrfFor();
      const name = `soak${randomBytes(6).toString('hex')}`;
      return fetch(`${base}/api/v1/register`, { method: 'POST', headers: json(anon), body: JSON.stringify({ username: name, email: `${name}@example.test`, password: `${randomBytes(12).toString('base64url')} soak` }) });
    }],
    [2, 'healthz', () => fetch(`${base}/healthz`)],
  ];
  const wheel = kinds.flatMap(([weight, name, run]) => Array.from({ length: weight }, () => ({ name, run })));
  const latencies = [];
  const statuses = {};
  let errors = 0;
  const rss = [];
  const heap = [];
  const started = Date.now();
  const end = started + minutes * 60_000;
  const rssTimer = setInterval(() => rss.push({ x: (Date.now() - started) / 60_000, y: server.memory().rssMiB }), 10_000);
  const heapTimer = setInterval(async () => {
    const snapshot = await server.snapshot().catch(() => undefined);
    if (snapshot) heap.push({ x: (Date.now() - started) / 60_000, y: snapshot.memory.heapUsed / 1048576 });
  }, 30_000);
  const inFlight = new Set();
  for (let i = 0; Date.now() < end; i += 1) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const { name, run } = wheel[i % wheel.length];
    const t0 = performance.now();
    const request = run()
      .then(async (response) => {
        await response.arrayBuffer().catch(() => {});
        statuses[`${name} ${response.status}`] = (statuses[`${name} ${response.status}`] ?? 0) + 1;
        if (response.status >= 500) errors += 1;
        latencies.push(performance.now() - t0);
      })
      .catch(() => (errors += 1))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  clearInterval(rssTimer);
  clearInterval(heapTimer);
  const warm = (samples) => samples.slice(Math.floor(samples.length / 5));
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    backend: values.backend,
    minutes,
    rate,
    requests: latencies.length,
    errors,
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? NaN) },
    rssMiB: { first: round(rss[0]?.y), last: round(rss.at(-1)?.y), max: round(Math.max(...rss.map((p) => p.y))), slopePerMinute: round(slope(warm(rss)), 3) },
    heapAfterGcMiB: { first: round(heap[0]?.y), last: round(heap.at(-1)?.y), slopePerMinute: round(slope(warm(heap)), 3) },
    statuses,
  }, null, 2));
} finally {
  await server.stop();
  await backend?.cleanup?.();
  rmSync(workDir, { recursive: true, force: true });
}
