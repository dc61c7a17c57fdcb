#!/usr/bin/env node
/**
 * Diagnostics behind the recommendations in bench/README.md (not part of `npm run bench`):
 *
 * 1. headers: what Gatehouse's response headers cost by themselves. The bare-Fastify baseline
 *    is run twice, once as is and once adding every header a real `/api/v1/me` answer carries
 *    (security headers, cache-control), and both serve the same JSON; rounds alternate.
 * 2. sqlite: µs per call, in a hot loop on a real Gatehouse database file, of the per-request
 *    session lookup (as compiled by Kysely) and of `PRAGMA data_version` (what an in-process
 *    cache would run instead to notice writes by other processes, e.g. the CLI).
 *
 *   node bench/diagnose.mjs [--duration 4] [--rounds 3]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getWithCookie, registerUsers, signInApi } from './lib/gatehouse-client.mjs';
import { cannon, round } from './lib/measure.mjs';
import { spread } from './lib/rounds.mjs';
import { BASELINE_SERVER, freePort, GATEHOUSE_BIN, newSecretKey, startServerProcess } from './lib/processes.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' } } });
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-diagnose-'));

try {
  const gh = await startServerProcess({
    name: 'gatehouse',
    script: GATEHOUSE_BIN,
    args: ['serve'],
    port: await freePort(),
    readyText: 'Gatehouse is listening',
    workDir: tmp,
    env: { HOST: '127.0.0.1', DATA_DIR: tmp, SECRET_KEY: newSecretKey(), LOG_LEVEL: 'warn', GLOBAL_RATE_LIMIT: '0', NODE_ENV: 'production' },
  });
  let cookie;
  let headers;
  try {
    const [user] = await registerUsers(gh.url, 1);
    cookie = await signInApi(gh.url, user);
    const response = await fetch(`${gh.url}/api/v1/me`, { headers: { cookie } });
    writeFileSync(path.join(tmp, 'me.json'), await response.text());
    const skip = new Set(['date', 'content-length', 'connection', 'keep-alive', 'content-type']);
    headers = Object.fromEntries([...response.headers].filter(([name]) => !skip.has(name)));
    writeFileSync(path.join(tmp, 'headers.json'), JSON.stringify(headers));
    if ((await getWithCookie(`${gh.url}/api/v1/me`, cookie)).status !== 200) throw new Error('signed-in request failed');
  } finally {
    await gh.stop();
  }

  // 1. headers
  const start = async (name, extra) =>
    startServerProcess({
      name,
      script: BASELINE_SERVER,
      port: await freePort(),
      readyText: 'baseline listening',
      workDir: tmp,
      env: { HOST: '127.0.0.1', LOG_LEVEL: 'warn', BENCH_JSON_FILE: path.join(tmp, 'me.json'), NODE_ENV: 'production', ...extra },
    });
  const bare = await start('bare');
  const withHeaders = await start('with-headers', { BENCH_HEADERS_FILE: path.join(tmp, 'headers.json') });
  const bytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  console.log(`headers added: ${Object.keys(headers).length} (${bytes} bytes): ${Object.keys(headers).join(', ')}`);
  const results = { bare: [], withHeaders: [] };
  try {
    for (const server of [bare, withHeaders]) await cannon({ url: `${server.url}/json`, connections: 10, duration: 1, headers: { cookie } });
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [['withHeaders', withHeaders], ['bare', bare]] : [['bare', bare], ['withHeaders', withHeaders]];
      for (const [name, server] of order) {
        results[name].push((await cannon({ url: `${server.url}/json`, connections: 10, duration, headers: { cookie } })).perSecond);
      }
    }
  } finally {
    await Promise.all([bare.stop(), withHeaders.stop()]);
  }
  const ratio = spread(results.withHeaders.map((v, i) => v / results.bare[i]));
  console.log(
    `bare Fastify JSON: ${round(spread(results.bare).median, 0)} req/s; with Gatehouse's headers: ${round(spread(results.withHeaders).median, 0)} req/s; ` +
      `ratio ${round(ratio.median, 3)} [${round(ratio.min, 3)}–${round(ratio.max, 3)}]`,
  );

  // 2. sqlite
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(path.join(tmp, 'gatehouse.db'));
  const idHash = createHash('sha256').update(cookie.split('=')[1]).digest('hex');
  const lookup = db.prepare(
    'select "sessions"."id_hash", "sessions"."user_id", "sessions"."created_at" as "session_created_at", "sessions"."last_seen_at", ' +
      '"sessions"."expires_at", "sessions"."ip", "sessions"."user_agent", "users"."id", "users"."username", "users"."email", "users"."role", ' +
      '"users"."disabled", "users"."must_change_password", "users"."created_at" from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" ' +
      'where "sessions"."id_hash" = ?',
  );
  if (!lookup.get(idHash)) throw new Error('session row not found');
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const time = (fn) => {
    for (let i = 0; i < 20_000; i++) fn();
    const n = 200_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    return Number(process.hrtime.bigint() - t0) / 1000 / n;
  };
  console.log(`sqlite, hot loop: session lookup ${time(() => lookup.get(idHash)).toFixed(2)} µs/call; PRAGMA data_version ${time(() => dataVersion.get()).toFixed(2)} µs/call`);
  db.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
