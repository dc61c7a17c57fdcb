/**
 * What the scale figures (scale.mjs, issue #15) stand on: a backend seeded with
 * cfg.scaleUsers accounts (scripts/seed-users.ts) and cfg.scaleAudit audit events
 * (scripts/seed-audit.ts, a valid hash chain under the run's SECRET_KEY), both straight into
 * the database before Gatehouse starts; a signed-in administrator; and the admin console
 * queries to time, with parameters picked from the seeded data (an account with a long
 * history and a quiet one, a busy hostile address, days in the past).
 */
import http from 'node:http';
import { sql } from 'kysely';
import { seedAudit } from '../../scripts/seed-audit.ts';
import { seedUsers } from '../../scripts/seed-users.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { registerUsers, signInApi } from '../lib/gatehouse-client.mjs';
import { percentile, round } from '../lib/measure.mjs';
import { provision, startGatehouse } from '../lib/servers.mjs';

const DAY_MS = 24 * 3600 * 1000;
/** Untimed requests before each query's samples (plans and statement caches warm). */
const WARMUP = 3;

/**
 * Provisions `backendName` and seeds it: `users` accounts, then `audit` events over a year
 * (none when 0). Returns { backend, seeded: { users, audit, userSeconds, auditSeconds } };
 * the caller cleans the backend up.
 */
export async function seededBackend(ctx, backendName, { users, audit }) {
  const backend = await provision(ctx, backendName);
  try {
    const url = backend.env.DATABASE_URL;
    const seededUsers = await seedUsers({ databaseUrl: url, count: users });
    const seededAudit = audit > 0 ? await seedAudit({ databaseUrl: url, count: audit, secretKey: ctx.secretKey }) : { inserted: 0, seconds: 0 };
    if (backend.name !== 'sqlite') await runSql(url, sql`analyze users`);
    const seeded = { users: seededUsers.inserted, audit: seededAudit.inserted, userSeconds: round(seededUsers.seconds, 1), auditSeconds: round(seededAudit.seconds, 1) };
    ctx.log(`  ${backendName}: seeded ${seeded.users} accounts in ${seeded.userSeconds} s, ${seeded.audit} audit events in ${seeded.auditSeconds} s`);
    return { backend, seeded };
  } catch (error) {
    await backend.cleanup();
    throw error;
  }
}

async function runSql(url, query) {
  const database = await openDatabase(url, { poolSize: 1 });
  try {
    return (await query.execute(database.db)).rows;
  } finally {
    await database.close();
  }
}

/**
 * A Gatehouse server on the seeded backend and an administrator signed in to it: registered
 * through the API like anyone, then promoted in the database (what `gatehouse set-role`
 * does), since the seeded accounts' passwords are unknown. REQUIRE_2FA_FOR_ADMINS=0: the
 * second-factor gate would otherwise hold the console closed (it adds no query to a page).
 */
export async function adminSession(ctx, name, backend) {
  const gh = await startGatehouse(ctx, name, { ...backend.env, REGISTER_MAX_PER_HOUR: '1000000', REQUIRE_2FA_FOR_ADMINS: '0' });
  try {
    const [admin] = await registerUsers(gh.url, 1, { prefix: 'scaleadmin', passwordLength: ctx.cfg.passwordLength });
    await runSql(backend.env.DATABASE_URL, sql`update users set role = 'admin' where username = ${admin.username}`);
    const cookie = await signInApi(gh.url, admin);
    return { gh, cookie };
  } catch (error) {
    await gh.stop();
    throw error;
  }
}

/** `YYYY-MM-DD` of an instant (UTC, as the console reads dates). */
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Parameters for the queries, read from the seeded data (set-up, untimed). */
async function queryParameters(url, seededAudit) {
  const [busy] = await runSql(url, sql`select u.username from users u where u.id = (select min(id) from users)`);
  // Activity is skewed towards the first accounts: the last one named has a short history.
  const [quiet] = await runSql(url, sql`select u.username from users u where u.id = (select max(target_user_id) from audit_events)`);
  const [hostile] = await runSql(url, sql`select ip from audit_events where type = 'login.failed' and actor_user_id is null order by seq limit 1`);
  const [home] = await runSql(url, sql`select ip from audit_events where type = 'login.succeeded' order by seq limit 1`);
  return { busyUser: busy.username, quietUser: quiet.username, hostileIp: hostile?.ip ?? '203.0.0.0', homeIp: home?.ip ?? '10.0.0.1', middleSeq: Math.max(2, Math.floor(seededAudit / 2)) };
}

/** GET `path` with `cookie` over `agent`; resolves { status, ms, body } once the whole body arrived. */
function timedGet(server, agent, path, cookie) {
  const target = new URL(server.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: target.hostname, port: target.port, path, agent, headers: { cookie, 'user-agent': 'gatehouse-bench' } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The console's user-list `next` cursor after the first page of `query` (through the JSON API; set-up). */
async function nextCursor(server, cookie, query) {
  const response = await fetch(`${server.url}/api/v1/admin/users?${query}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`GET /api/v1/admin/users?${query}: ${response.status}`);
  const { next } = await response.json();
  if (!next) throw new Error(`GET /api/v1/admin/users?${query}: no next page`);
  return next;
}

/**
 * The console's pages to time, as [label, path or path-maker (sample index → path)]. The
 * user list (GET /admin/users: prefix search, filters, sorts, a next page) and the audit
 * viewer (GET /admin/audit: each filter the form offers, alone and combined, and an older
 * page), 50 rows a page as the console shows them. `home` is the admin home page (activity
 * charts and counts): reported, not part of the target.
 */
export async function consoleQueries(server, cookie, url, seededAudit, nowMs) {
  const p = await queryParameters(url, seededAudit);
  const prefixes = ['ma', 'li', 'sofia.g', 'ch', 'omar', 'k', 'ana'];
  const sixMonths = day(nowMs - 182 * DAY_MS);
  const monthFrom = day(nowMs - 120 * DAY_MS);
  const monthTo = day(nowMs - 91 * DAY_MS);
  const cursor = await nextCursor(server, cookie, 'sort=created&direction=desc');
  const q = (params) => new URLSearchParams(params).toString();
  return {
    users: [
      ['users: first page (by username)', '/admin/users'],
      ['users: first page, newest first', '/admin/users?sort=created&direction=desc'],
      [`users: prefix search (${prefixes.length} prefixes in turn)`, (i) => `/admin/users?q=${encodeURIComponent(prefixes[i % prefixes.length])}`],
      ['users: prefix search, newest first', (i) => `/admin/users?q=${encodeURIComponent(prefixes[i % prefixes.length])}&sort=created&direction=desc`],
      ['users: role admin', '/admin/users?role=admin'],
      ['users: disabled', '/admin/users?state=disabled'],
      ['users: unverified, newest first', '/admin/users?state=unverified&sort=created&direction=desc'],
      ['users: second page, newest first (cursor)', `/admin/users?sort=created&direction=desc&cursor=${cursor}`],
    ],
    audit: [
      ['audit: newest events', '/admin/audit'],
      ['audit: type login.failed', '/admin/audit?type=login.failed'],
      ['audit: type role.changed (rare)', '/admin/audit?type=role.changed'],
      ['audit: user with a long history', `/admin/audit?${q({ user: p.busyUser })}`],
      ['audit: user with a short history', `/admin/audit?${q({ user: p.quietUser })}`],
      ['audit: busy hostile IP', `/admin/audit?${q({ ip: p.hostileIp })}`],
      ['audit: one day, 6 months ago', `/admin/audit?${q({ from: sixMonths, to: sixMonths })}`],
      ['audit: a month, 3–4 months ago', `/admin/audit?${q({ from: monthFrom, to: monthTo })}`],
      ['audit: type login.failed on one day, 6 months ago', `/admin/audit?${q({ type: 'login.failed', from: sixMonths, to: sixMonths })}`],
      ['audit: type role.changed in a month, 3–4 months ago', `/admin/audit?${q({ type: 'role.changed', from: monthFrom, to: monthTo })}`],
      ['audit: user + type login.succeeded', `/admin/audit?${q({ user: p.busyUser, type: 'login.succeeded' })}`],
      ['audit: user + a month, 3–4 months ago', `/admin/audit?${q({ user: p.busyUser, from: monthFrom, to: monthTo })}`],
      ['audit: IP + type login.succeeded', `/admin/audit?${q({ ip: p.homeIp, type: 'login.succeeded' })}`],
      ['audit: older page (before the middle seq), type login.failed', `/admin/audit?${q({ type: 'login.failed', before: String(p.middleSeq) })}`],
    ],
    home: [['admin home (activity, top failing, counts)', '/admin']],
  };
}

/** Table rows of a console page (events or accounts shown), the header row not counted. */
const rowsShown = (body) => Math.max(0, (body.match(/<tr[\s>]/g)?.length ?? 0) - 1);

/**
 * Times each query `samples` times, one request at a time (what one admin clicking sees),
 * after WARMUP untimed ones, over one keep-alive connection. Returns per query
 * { label, path, p50, p95, max, samples, bad, rows } in ms; bad counts answers other than
 * 200, rows the table rows of the first answer (the one `path` names), so a page that
 * showed nothing is visible.
 */
export async function timeQueries(server, cookie, queries, samples) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = [];
  try {
    for (const [label, pathOf] of queries) {
      const path = typeof pathOf === 'function' ? pathOf : () => pathOf;
      let bad = 0;
      for (let i = 0; i < WARMUP; i += 1) await timedGet(server, agent, path(i), cookie);
      const times = [];
      let rows = 0;
      for (let i = 0; i < samples; i += 1) {
        const answer = await timedGet(server, agent, path(i), cookie);
        if (answer.status !== 200) bad += 1;
        times.push(answer.ms);
        if (i === 0) rows = rowsShown(answer.body);
      }
      times.sort((a, b) => a - b);
      results.push({ label, path: path(0), p50: round(percentile(times, 0.5), 2), p95: round(percentile(times, 0.95), 2), max: round(times.at(-1), 2), samples, bad, rows });
    }
  } finally {
    agent.destroy();
  }
  return results;
}
