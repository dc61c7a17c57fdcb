/**
 * B6: GET /api/v1/me with two Gatehouse instances sharing PostgreSQL + Redis, against one
 * instance on the same backends (reported, no target). One user signs in on instance A and
 * the same cookie is checked on B first. "One": autocannon with cfg.connections connections
 * on A; "two": the same connections spread over A and B. The CPU of both instances,
 * PostgreSQL, Redis and the load generator is recorded to show what limits it.
 */
import { sharedBackendProblem } from '../lib/backends.mjs';
import { getWithCookie, registerUsers, signInApi } from '../lib/gatehouse-client.mjs';
import { cannon, round } from '../lib/measure.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { figureOf, latencyOf, roundOf, runRounds, spreadOf, sumBad } from '../lib/rounds.mjs';
import { fmt } from '../lib/report.mjs';
import { provision, startGatehouse } from '../lib/servers.mjs';

/** Median over the rounds of each named CPU figure of one side. */
function medianCores(rounds, side) {
  const names = Object.keys(rounds[0][side].cpu.cores);
  return Object.fromEntries(names.map((name) => [name, spreadOf(rounds, (r) => r[side].cpu.cores[name]).median]));
}

async function measure(ctx, a, b, what) {
  const { cfg } = ctx;
  const [user] = await registerUsers(a.url, 1, { prefix: 'shared' });
  const cookie = await signInApi(a.url, user);
  const onB = await getWithCookie(`${b.url}/api/v1/me`, cookie);
  if (onB.status !== 200) throw new Error(`the session from instance A is not valid on instance B (${onB.status})`);
  const headers = { cookie };
  const urls = { one: `${a.url}/api/v1/me`, two: [`${a.url}/api/v1/me`, `${b.url}/api/v1/me`] };
  const load = (side, duration) => cannon({ url: urls[side], connections: cfg.connections, duration, headers });
  // Warm both set-ups (JIT, every pooled PostgreSQL connection and its prepared statements).
  await load('one', cfg.warmup * 2);
  await load('two', cfg.warmup * 2);
  const rounds = await runRounds(ctx, 'B6', {
    sides: ['one', 'two'],
    measure: async (side) => {
      const { result, cpu } = await measureCpu({ instanceA: a.pid, instanceB: b.pid }, () => load(side, cfg.duration));
      return { ...result, cpu };
    },
    ratio: (entry) => entry.two.perSecond / entry.one.perSecond,
    describe: (e) =>
      `one instance ${e.one.perSecond.toFixed(0)} req/s, two ${e.two.perSecond.toFixed(0)} req/s, ratio ${e.ratio.toFixed(3)}; ` +
      `machine busy ${e.two.cpu.machineBusyPct}% (cores: ${JSON.stringify(e.two.cpu.cores)})`,
  });
  return figureOf({
    id: 'B6',
    what,
    unit: 'req/s',
    rounds,
    gatehouse: (r) => r.two.perSecond,
    baseline: (r) => r.one.perSecond,
    details: {
      latencyMs: { two: latencyOf(rounds, (r) => r.two.latencyMs), one: latencyOf(rounds, (r) => r.one.latencyMs) },
      cpuCores: {
        one: medianCores(rounds, 'one'),
        two: medianCores(rounds, 'two'),
        machineBusyPct: { one: spreadOf(rounds, (r) => r.one.cpu.machineBusyPct).median, two: spreadOf(rounds, (r) => r.two.cpu.machineBusyPct).median },
      },
    },
    target: { op: 'report', value: null },
    bad: sumBad(rounds.flatMap((r) => [r.one, r.two])),
    method: `autocannon, ${cfg.connections} connections in both cases (split across the two instances' ports when two), ${cfg.duration} s per side per round; one session shared through Redis`,
    record: (r) => ({ one: roundOf(r.one), two: roundOf(r.two) }),
  });
}

async function run(ctx) {
  const what = 'GET /api/v1/me, two instances vs one, PostgreSQL + Redis';
  ctx.log(`B6: ${what}`);
  const problem = await sharedBackendProblem();
  if (problem) throw new Error(`B6 needs PostgreSQL and Redis: ${problem}`);
  const backend = await provision(ctx, 'postgres+redis');
  try {
    const env = { ...backend.env, REGISTER_MAX_PER_HOUR: '1000000' };
    // One after the other: the first one runs the migrations on the fresh schema.
    const a = await startGatehouse(ctx, 'gatehouse-b6a', env);
    const b = await startGatehouse(ctx, 'gatehouse-b6b', env).catch(async (error) => {
      await a.stop();
      throw error;
    });
    try {
      // PostgreSQL and Redis are not our processes: they are in otherCores of the CPU figures.
      return await measure(ctx, a, b, what);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  } finally {
    await backend.cleanup();
  }
}

export const B6 = {
  id: 'B6',
  run,
  rows: (f) => [['B6', 'GET /api/v1/me, 2 instances vs 1 (PostgreSQL + Redis), req/s', fmt(f.gatehouse), `${fmt(f.baseline)} (one instance)`, fmt(f.ratio, 3), 'report']],
};
