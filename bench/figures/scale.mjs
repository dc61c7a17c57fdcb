/**
 * Scale in data (issue #15). Both seed straight into the database before Gatehouse starts
 * (scale-fixture.mjs): cfg.scaleUsers accounts and cfg.scaleAudit audit events over a year,
 * chained under the run's SECRET_KEY.
 *
 * S1: p95 of the admin console's pages over HTTP, signed in as an administrator, one request
 *   at a time, cfg.scaleSamples samples per page after a warm-up: the user list
 *   (GET /admin/users: prefix search, role and state filters, both sorts, a next page) and
 *   the audit viewer (GET /admin/audit: user, type, IP, time range, combinations, an older
 *   page), on SQLite and on PostgreSQL (sessions in Redis). Target: every page's p95
 *   ≤ 20 ms on both; the figure's value is the worst p95. The admin home page is reported.
 * S2: B3's sign-in load (bench/signin-load.mjs, full browser flow, production argon2id)
 *   against two servers on cfg.backend, both with the seeded accounts and cfg.b3Users
 *   registered ones: one with the seeded audit events, one with an empty log. Rounds
 *   alternate which goes first; ratio = sign-ins/s with the events / without (≥ 0.95).
 */
import { round } from '../lib/measure.mjs';
import { measureCpu, otherCoresMax } from '../lib/quiet.mjs';
import { sharedBackendProblem } from '../lib/backends.mjs';
import { figureOf, passes, runRounds, spread, spreadOf } from '../lib/rounds.mjs';
import { fmt } from '../lib/report.mjs';
import { signInLoad, startGatehouse } from '../lib/servers.mjs';
import { registerUsersFile } from './fixture.mjs';
import { adminSession, consoleQueries, seededBackend, timeQueries } from './scale-fixture.mjs';

const S1_TARGET = { op: '<=', value: 20 };
const S2_TARGET = { op: '>=', value: 0.95 };
const S1_BACKENDS = [
  ['sqlite', 'SQLite'],
  ['postgres+redis', 'PostgreSQL'],
];

/** S1 on one backend: seed, sign an admin in, time every console query. */
async function measureConsole(ctx, backendName) {
  const { cfg, log } = ctx;
  const { backend, seeded } = await seededBackend(ctx, backendName, { users: cfg.scaleUsers, audit: cfg.scaleAudit });
  try {
    const { gh, cookie } = await adminSession(ctx, `gatehouse-s1-${backendName.replace('+', '-')}`, backend);
    try {
      const queries = await consoleQueries(gh, cookie, backend.env.DATABASE_URL, seeded.audit, Date.now());
      const { result, cpu } = await measureCpu({ server: gh.pid }, async () => ({
        users: await timeQueries(gh, cookie, queries.users, cfg.scaleSamples),
        audit: await timeQueries(gh, cookie, queries.audit, cfg.scaleSamples),
        home: await timeQueries(gh, cookie, queries.home, cfg.scaleSamples),
      }));
      const targeted = [...result.users, ...result.audit];
      for (const row of targeted) row.pass = passes(S1_TARGET, row.p95);
      const worst = targeted.reduce((a, b) => (b.p95 > a.p95 ? b : a));
      log(`  ${backendName}: worst p95 ${worst.p95} ms (${worst.label}); ${targeted.filter((row) => !row.pass).length} of ${targeted.length} pages over ${S1_TARGET.value} ms`);
      for (const row of targeted.filter((r) => !r.pass)) log(`    over: ${row.label}: p95 ${row.p95} ms (${row.path})`);
      return { backend: backend.describe, seeded, queries: targeted, home: result.home[0], worstP95: worst.p95, worstLabel: worst.label, cpu };
    } finally {
      await gh.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

async function runS1(ctx) {
  const { cfg, log } = ctx;
  const what = `admin console p95 (GET /admin/users, /admin/audit) at ${cfg.scaleUsers} accounts and ${cfg.scaleAudit} audit events, SQLite and PostgreSQL`;
  log(`S1: ${what}`);
  const problem = await sharedBackendProblem();
  if (problem) throw new Error(`S1 needs PostgreSQL and Redis: ${problem}`);
  const byBackend = {};
  for (const [name] of S1_BACKENDS) byBackend[name] = await measureConsole(ctx, name);
  const all = Object.values(byBackend);
  const worst = Math.max(...all.map((b) => b.worstP95));
  const bad = all.reduce((n, b) => n + [...b.queries, b.home].reduce((m, q) => m + q.bad, 0), 0);
  return {
    id: 'S1',
    what,
    unit: 'ms (p95 per page; worst of all pages and both backends)',
    gatehouse: spread([byBackend.sqlite.worstP95]),
    baseline: spread([byBackend['postgres+redis'].worstP95]),
    ratio: spread([worst]),
    backends: byBackend,
    counts: { users: cfg.scaleUsers, audit: cfg.scaleAudit, samples: cfg.scaleSamples },
    target: S1_TARGET,
    pass: passes(S1_TARGET, worst),
    badResponses: bad,
    valid: bad === 0,
    otherCoresMax: otherCoresMax(all),
    retriedRounds: 0,
    method:
      `seeded straight into the database (scripts/seed-users.ts, scripts/seed-audit.ts: ${cfg.scaleUsers} accounts, ${cfg.scaleAudit} events over 365 days, ` +
      `valid hash chain); one Gatehouse server per backend, an administrator signed in (REQUIRE_2FA_FOR_ADMINS=0); each page ${cfg.scaleSamples} times ` +
      `one request at a time over one keep-alive connection after 3 untimed, time to the last byte of the HTML page; PostgreSQL analysed after seeding`,
  };
}

/** S2's two servers: the same accounts, with and without the seeded audit events. */
async function startSignInPair(ctx) {
  const { cfg, log } = ctx;
  const sides = {};
  const stop = async () => {
    for (const side of Object.values(sides)) {
      await side.gh?.stop();
      await side.backend.cleanup();
    }
  };
  try {
    for (const [side, audit] of [
      ['full', cfg.scaleAudit],
      ['empty', 0],
    ]) {
      const { backend, seeded } = await seededBackend(ctx, cfg.backend, { users: cfg.scaleUsers, audit });
      sides[side] = { backend, seeded };
      sides[side].gh = await startGatehouse(ctx, `gatehouse-s2-${side}`, { ...backend.env, REGISTER_MAX_PER_HOUR: '1000000' });
      const { usersFile } = await registerUsersFile(ctx, sides[side].gh.url, { count: cfg.b3Users, prefix: `s2-${side}-` });
      sides[side].usersFile = usersFile;
      log(`  ${side}: gatehouse pid ${sides[side].gh.pid} on ${sides[side].gh.url}, ${cfg.b3Users} users registered`);
    }
    return { sides, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function runS2(ctx) {
  const { cfg, log } = ctx;
  const what = `sign-ins/s (B3's full flow) with ${cfg.scaleAudit} audit events vs an empty log, ${cfg.backend}, ${cfg.scaleUsers} accounts on both`;
  log(`S2: ${what}`);
  const { sides, stop } = await startSignInPair(ctx);
  try {
    for (const side of Object.values(sides)) await signInLoad(ctx, side.gh, side.usersFile, cfg.warmup * 1000);
    const rounds = await runRounds(ctx, 'S2', {
      sides: ['full', 'empty'],
      measure: async (name) => {
        const { gh, usersFile } = sides[name];
        const { result, cpu } = await measureCpu({ server: gh.pid }, () => signInLoad(ctx, gh, usersFile, cfg.duration * 1000));
        return { ...result, cpu };
      },
      ratio: (entry) => entry.full.perSecond / entry.empty.perSecond,
      describe: (e) => `${e.full.perSecond.toFixed(1)} sign-ins/s with ${cfg.scaleAudit} events, ${e.empty.perSecond.toFixed(1)} with an empty log, ratio ${e.ratio.toFixed(3)}`,
    });
    const errors = (run) => Object.values(run.errors).reduce((a, b) => a + b, 0);
    return {
      ...figureOf({
        id: 'S2',
        what,
        unit: 'sign-ins/s with the events vs sign-ins/s with an empty log',
        rounds,
        gatehouse: (r) => r.full.perSecond,
        baseline: (r) => r.empty.perSecond,
        details: { postLoginMs: { full: spreadOf(rounds, (r) => r.full.stepLatencyMs.post.p50), empty: spreadOf(rounds, (r) => r.empty.stepLatencyMs.post.p50) } },
        target: S2_TARGET,
        bad: rounds.reduce((n, r) => n + errors(r.full) + errors(r.empty), 0),
        method:
          `two servers on ${cfg.backend}, each seeded with ${cfg.scaleUsers} accounts, one also with ${cfg.scaleAudit} audit events (scripts/seed-audit.ts); ` +
          `bench/signin-load.mjs against each (${cfg.vus} virtual users, ${cfg.b3Users} registered users round robin), ${cfg.duration} s each per round, ` +
          `the side going first alternating`,
        record: (r) => ({
          full: { perSecond: round(r.full.perSecond, 2), signIns: r.full.signIns, flowLatencyMs: r.full.flowLatencyMs, errors: r.full.errors, cpu: r.full.cpu },
          empty: { perSecond: round(r.empty.perSecond, 2), signIns: r.empty.signIns, flowLatencyMs: r.empty.flowLatencyMs, errors: r.empty.errors, cpu: r.empty.cpu },
        }),
      }),
      seeded: { full: sides.full.seeded, empty: sides.empty.seeded },
    };
  } finally {
    await stop();
  }
}

const counts = (cfg) => `${cfg.scaleUsers} accounts, ${cfg.scaleAudit} events`;
const mark = (row) => `${row.p95}${row.pass ? '' : ' ✗'} / ${row.p50}`;

export const S1 = {
  id: 'S1',
  run: runS1,
  rows: (f, cfg) => {
    const sqlite = f.backends.sqlite;
    const postgres = f.backends['postgres+redis'];
    return [
      ['S1', `admin console pages, worst p95 ms (${counts(cfg)}; ${sqlite.queries.length} pages, ${cfg.scaleSamples} samples each)`, `SQLite ${sqlite.worstP95}`, `PostgreSQL ${postgres.worstP95}`, fmt(f.ratio, 2), '≤ 20 ms each'],
      ['S1 seeding, s (accounts / audit events)', `${sqlite.seeded.userSeconds} / ${sqlite.seeded.auditSeconds}`, `${postgres.seeded.userSeconds} / ${postgres.seeded.auditSeconds}`],
      ...sqlite.queries.map((row, i) => [`S1 ${row.label} (${row.rows}; ${postgres.queries[i].rows} rows shown), p95 / p50 ms (SQLite; PostgreSQL)`, mark(row), mark(postgres.queries[i])]),
      [`S1 ${sqlite.home.label}, p95 / p50 ms (reported)`, `${sqlite.home.p95} / ${sqlite.home.p50}`, `${postgres.home.p95} / ${postgres.home.p50}`],
    ];
  },
};

export const S2 = {
  id: 'S2',
  run: runS2,
  rows: (f, cfg) => [
    ['S2', `sign-ins/s with ${cfg.scaleAudit} audit events (${cfg.scaleUsers} accounts)`, fmt(f.gatehouse, 1), `${fmt(f.baseline, 1)} with an empty log`, fmt(f.ratio, 3), '≥ 0.95'],
    ['S2 seeding, s (accounts / audit events)', `${f.seeded.full.userSeconds} / ${f.seeded.full.auditSeconds}`, `${f.seeded.empty.userSeconds} / —`],
  ],
};
