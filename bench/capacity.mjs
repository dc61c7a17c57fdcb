#!/usr/bin/env node
/**
 * The inputs of the README's capacity model (issue #15, "Beyond one machine"), measured on
 * this machine: for one Gatehouse process on SQLite and on PostgreSQL + Redis, what one
 * request costs in server CPU and in database and Redis operations.
 *
 *   reads        GET /api/v1/me with a session cookie (autocannon, closed loop)
 *   verify       GET /auth/verify with the proxy cookie (forward-auth, Traefik/Caddy dialect)
 *   sign-ins     POST /api/v1/login (production argon2id, audit row, device check, notice)
 *
 * CPU is the server process's (all threads, from /proc) divided by the requests served.
 * PostgreSQL operations are the Gatehouse schema's own counters (pg_stat_user_tables: index
 * and sequential scans, rows inserted, updated and deleted), read after PostgreSQL has
 * flushed them (an idle backend flushes within 10 s; the script waits 11 s). Redis
 * operations are INFO commandstats deltas, server-wide: run it on a quiet machine.
 *
 *   node bench/capacity.mjs [--seconds 5] [--signins 60] [--backends sqlite,postgres+redis]
 * Prints JSON; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { POSTGRES_URL, REDIS_URL } from './lib/backends.mjs';
import { registerUsers, signInApi } from './lib/gatehouse-client.mjs';
import { cannon, round } from './lib/measure.mjs';
import { processCpuSeconds } from './lib/proc.mjs';
import { newSecretKey, sleep } from './lib/processes.mjs';
import { provision, startGatehouse, argon2Baseline } from './lib/servers.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    signins: { type: 'string', default: '60' },
    backends: { type: 'string', default: 'sqlite,postgres+redis' },
  },
});
const seconds = Number(values.seconds);
const signIns = Number(values.signins);
const cfg = { nodeEnv: 'production', cpus: availableParallelism(), connections: 10 };
const ctx = { cfg, log: (line) => process.stderr.write(`${line}\n`), results: { meta: {}, problems: [] }, tmpRoot: mkdtempSync(path.join(tmpdir(), 'gatehouse-capacity-')), secretKey: newSecretKey(), cleanups: new Set() };

async function redisCommands() {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('commandstats');
    const counts = {};
    for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) counts[match[1]] = Number(match[2]);
    return counts;
  } finally {
    redis.quit();
  }
}

async function postgresCounters(schema) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select coalesce(sum(coalesce(idx_scan, 0) + coalesce(seq_scan, 0)), 0)::int as reads,
              coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int as writes
         from pg_stat_user_tables where schemaname = $1`,
      [schema],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

function difference(after, before) {
  const out = {};
  for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) !== 0) out[key] = value - (before[key] ?? 0);
  return out;
}

/** Runs `warm`, then `work` (which returns how many requests it made), and reports the cost per request of `work`. */
async function perRequest(server, backend, work, warm = async () => {}) {
  const schema = backend.env.DATABASE_URL.startsWith('postgres') ? new URL(backend.env.DATABASE_URL).searchParams.get('options').replace('-c search_path=', '') : undefined;
  const settle = schema ? () => sleep(11_000) : async () => {};
  await warm();
  await settle();
  const before = { cpu: processCpuSeconds(server.pid), redis: backend.env.REDIS_URL ? await redisCommands() : {}, pg: schema ? await postgresCounters(schema) : {} };
  const started = performance.now();
  const requests = await work();
  const wall = (performance.now() - started) / 1000;
  const cpu = processCpuSeconds(server.pid) - before.cpu;
  await settle();
  const redis = backend.env.REDIS_URL ? difference(await redisCommands(), before.redis) : {};
  // Our own INFO calls and connections are not Gatehouse's.
  for (const own of ['info', 'quit', 'hello']) delete redis[own];
  const pgOps = schema ? difference(await postgresCounters(schema), before.pg) : {};
  const per = (n) => round(n / requests, 2);
  return {
    requests,
    perSecond: round(requests / wall, 0),
    cpuMsPerRequest: round((cpu * 1000) / requests, 3),
    redisCommandsPerRequest: Object.fromEntries(Object.entries(redis).map(([name, n]) => [name, per(n)])),
    postgresPerRequest: Object.fromEntries(Object.entries(pgOps).map(([name, n]) => [name, per(n)])),
  };
}

const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.test', 'x-forwarded-uri': '/', 'x-forwarded-method': 'GET' };

async function measureBackend(name) {
  const backend = await provision(ctx, name);
  const server = await startGatehouse(ctx, `capacity-${name}`, {
    ...backend.env,
    REGISTER_MAX_PER_HOUR: '1000000',
    LOGIN_MAX_FAILURES: '1000000',
    BASE_URL: 'https://auth.example.test',
    TRUST_PROXY: '127.0.0.1',
    FORWARD_AUTH_DOMAINS: 'example.test',
    FORWARD_AUTH_COOKIE_DOMAIN: 'example.test',
  });
  try {
    const users = await registerUsers(server.url, 8, { prefix: 'cap' });
    const cookie = await signInApi(server.url, users[0]);
    const login = await fetch(`${server.url}/api/v1/me`, { headers: { cookie } });
    if (login.status !== 200) throw new Error(`/api/v1/me answered ${login.status}`);
    const proxy = await proxyCookieOf(server.url, users[1]);
    const load = (url, headers, duration = seconds) => async () => (await cannon({ url, headers, connections: cfg.connections, duration })).requests;
    const me = [`${server.url}/api/v1/me`, { cookie }];
    const verifyRequest = [`${server.url}/auth/verify`, { ...FORWARDED, cookie: proxy }];
    const reads = await perRequest(server, backend, load(...me), load(...me, 1));
    const verify = await perRequest(server, backend, load(...verifyRequest), load(...verifyRequest, 1));
    const signins = await perRequest(server, backend, async () => {
      let done = 0;
      // Two at a time: one per core, as a sign-in's hash runs on a worker thread.
      await Promise.all(
        [0, 1].map(async (lane) => {
          for (let i = lane; i < signIns; i += 2) {
            await signInApi(server.url, users[2 + (i % (users.length - 2))]);
            done += 1;
          }
        }),
      );
      return done;
    });
    return { backend: name, reads, verify, signins };
  } finally {
    await server.stop();
    await backend.cleanup();
  }
}

async function proxyCookieOf(baseUrl, user) {
  const anon = await fetch(`${baseUrl}/api/v1/csrf`);
  const { csrfToken } = await anon.json();
  const cookie = anon.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const response = await fetch(`${baseUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie, origin: 'https://auth.example.test' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  const proxy = response.headers.getSetCookie().find((line) => line.startsWith('__Secure-gatehouse_proxy='));
  if (!proxy) throw new Error(`the sign-in (${response.status}) minted no proxy cookie`);
  return proxy.split(';')[0];
}

/**
 * One round trip of what a signed-in request asks of each service, sequential, on loopback:
 * PostgreSQL's primary-key read of a user (a prepared statement) and Redis's HGETALL of a
 * session. The reciprocal is what one connection can carry; Little's law turns the
 * operations per second of a deployment into the connections it needs.
 */
async function roundTrips(count = 3000) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await client.query('create temporary table rt_users (id integer primary key, username text, email text)');
    await client.query("insert into rt_users select n, 'user' || n, 'user' || n || '@example.test' from generate_series(1, 1000) n");
    await redis.hset('gatehouse-capacity:rt', { user: '17', created: '1', expires: '2', ip: '203.0.113.7', ua: 'x'.repeat(80) });
    const time = async (work) => {
      for (let i = 0; i < 200; i += 1) await work(i);
      const started = performance.now();
      for (let i = 0; i < count; i += 1) await work(i);
      return round(((performance.now() - started) * 1000) / count, 1);
    };
    const postgresUs = await time((i) => client.query({ name: 'rt', text: 'select id, username, email from rt_users where id = $1', values: [(i % 1000) + 1] }));
    const redisUs = await time(() => redis.hgetall('gatehouse-capacity:rt'));
    return { postgresUserReadUs: postgresUs, redisSessionReadUs: redisUs };
  } finally {
    await redis.del('gatehouse-capacity:rt');
    redis.quit();
    await client.end();
  }
}

try {
  const results = { machine: `${availableParallelism()} cores`, node: process.version, seconds, backends: [] };
  for (const name of values.backends.split(',')) results.backends.push(await measureBackend(name));
  results.roundTripsOnLoopback = await roundTrips();
  const raw = await argon2Baseline(ctx, 3000);
  // One argon2id verification at production parameters, CPU per verification (all threads).
  results.argon2Verify = { perSecond: round(raw.perSecond, 1), cpuMsPerVerification: round((raw.cpuSeconds * 1000) / raw.verifications, 2) };
  console.log(JSON.stringify(results, null, 2));
} finally {
  rmSync(ctx.tmpRoot, { recursive: true, force: true });
}
