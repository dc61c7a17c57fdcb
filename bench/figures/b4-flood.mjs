/**
 * B4: p99 of GET /api/v1/me while a sign-in flood runs flat out, against the same probe with
 * no flood (target ≤ 3×). The probe is autocannon at a fixed cfg.probeRate req/s over
 * cfg.probeConnections connections for twice cfg.duration (a p99 needs samples; at a fixed
 * rate it measures service time, not the queue a closed loop builds). The flood is
 * bench/signin-load.mjs with cfg.vus virtual users, started 1 s before the probe. Before
 * each window: a 1 s pause and 1 s of probe traffic, discarded.
 */
import { cannon, round } from '../lib/measure.mjs';
import { sleep } from '../lib/processes.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { figureOf, latencyOf, roundOf, runRounds, spreadOf, sumBad } from '../lib/rounds.mjs';
import { fmt } from '../lib/report.mjs';
import { signInLoad } from '../lib/servers.mjs';

async function run(ctx, { gh, usersFile, cookie }) {
  const { cfg, log } = ctx;
  const what = `p99 of GET /api/v1/me at ${cfg.probeRate} req/s while a sign-in flood runs flat out`;
  log(`B4: ${what}`);
  // Twice the usual duration: a p99 needs samples (at 200 req/s, 8 s give 1 600).
  const probeSeconds = cfg.duration * 2;
  const probe = (duration = probeSeconds) =>
    cannon({ url: `${gh.url}/api/v1/me`, connections: cfg.probeConnections, overallRate: cfg.probeRate, duration, headers: { cookie } });
  // Before each measurement: let the previous load drain, then 1 s of probe traffic, discarded.
  const settle = async () => {
    await sleep(1000);
    await probe(1);
  };
  const rounds = await runRounds(ctx, 'B4', {
    sides: ['quiet', 'flood'],
    measure: async (side) => {
      await settle();
      if (side === 'quiet') {
        await gh.snapshot();
        const { result, cpu } = await measureCpu({ server: gh.pid }, () => probe());
        return { ...result, cpu, eld: (await gh.snapshot()).eld };
      }
      const flood = signInLoad(ctx, gh, usersFile, (probeSeconds + 2) * 1000);
      await sleep(1000);
      await gh.snapshot();
      const { result, cpu } = await measureCpu({ server: gh.pid }, () => probe());
      const eld = (await gh.snapshot()).eld;
      const floodResult = await flood;
      return { ...result, cpu, eld, floodSignInsPerSecond: floodResult.perSecond, floodErrors: floodResult.errors };
    },
    ratio: (entry) => entry.flood.latencyMs.p99 / entry.quiet.latencyMs.p99,
    describe: (e) =>
      `p99 quiet ${e.quiet.latencyMs.p99.toFixed(2)} ms, under flood ${e.flood.latencyMs.p99.toFixed(2)} ms ` +
      `(flood ${e.flood.floodSignInsPerSecond.toFixed(1)} sign-ins/s), ratio ${e.ratio.toFixed(2)}`,
  });
  return figureOf({
    id: 'B4',
    what,
    unit: 'ms (p99)',
    rounds,
    gatehouse: (r) => r.flood.latencyMs.p99,
    baseline: (r) => r.quiet.latencyMs.p99,
    details: {
      latencyMs: {
        flood: latencyOf(rounds, (r) => r.flood.latencyMs),
        quiet: latencyOf(rounds, (r) => r.quiet.latencyMs),
        autocannonP99: { flood: spreadOf(rounds, (r) => r.flood.autocannonP99Ms), quiet: spreadOf(rounds, (r) => r.quiet.autocannonP99Ms) },
      },
      floodSignInsPerSecond: spreadOf(rounds, (r) => r.flood.floodSignInsPerSecond),
      eventLoopDelayMs: {
        quiet: { p99: spreadOf(rounds, (r) => r.quiet.eld?.p99Ms), max: spreadOf(rounds, (r) => r.quiet.eld?.maxMs) },
        flood: { p99: spreadOf(rounds, (r) => r.flood.eld?.p99Ms), max: spreadOf(rounds, (r) => r.flood.eld?.maxMs) },
      },
    },
    target: { op: '<=', value: 3 },
    bad: sumBad(rounds.flatMap((r) => [r.quiet, r.flood])),
    method:
      `autocannon probe at a fixed ${cfg.probeRate} req/s over ${cfg.probeConnections} connections for ${probeSeconds} s, ` +
      `once quiet and once while bench/signin-load.mjs runs ${cfg.vus} virtual users flat out (started 1 s before the probe); ` +
      `before each, 1 s pause and 1 s of discarded probe traffic`,
    record: (r) => ({
      quiet: roundOf(r.quiet),
      flood: { ...roundOf(r.flood), floodSignInsPerSecond: round(r.flood.floodSignInsPerSecond, 2), floodErrors: r.flood.floodErrors },
    }),
    ratioDigits: 3,
  });
}

export const B4 = {
  id: 'B4',
  shared: true,
  run,
  rows: (f, cfg) => [['B4', `p99 of /api/v1/me at ${cfg.probeRate} req/s under sign-in flood, ms`, fmt(f.gatehouse, 2), `${fmt(f.baseline, 2)} (no flood)`, fmt(f.ratio, 2), '≤ 3×']],
};
