/**
 * B3: sign-ins per second through the full browser flow at production argon2id, against raw
 * argon2id verifications per second (target ≥ 0.85).
 *   Gatehouse: bench/signin-load.mjs, cfg.vus virtual users each repeating GET /login →
 *     POST /login → GET /dashboard over the shared server's pre-registered users; the
 *     event-loop delay of the server during the window comes from its probe.
 *   Baseline:  bench/argon2-baseline.mjs, @node-rs/argon2 `verify` with cfg.cpus in flight
 *     (= Gatehouse's HASH_CONCURRENCY), same parameters.
 * The same rounds give B7 (b7-signin-cpu.mjs, CPU per sign-in against CPU per verification):
 * `signInRounds` measures once per set-up. Around the Gatehouse window the server's CPU time
 * (all threads, /proc/<pid>/stat) is read directly, the second reading 250 ms after the last
 * flow so that work queued by the last sign-ins (audit rows, notices) is counted too.
 */
import { round } from '../lib/measure.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { figureOf, latencyOf, runRounds, spreadOf } from '../lib/rounds.mjs';
import { fmt } from '../lib/report.mjs';
import { measureOnce } from '../lib/shared-measurement.mjs';
import { sleep } from '../lib/processes.mjs';
import { argon2Baseline, signInLoad } from '../lib/servers.mjs';

/** After the load, how long the server may finish what the last sign-ins queued (audit, mail). */
const TAIL_MS = 250;

export const SIGNIN_WHAT = 'sign-ins/s, full flow (GET /login, POST /login, GET /dashboard), argon2id m=19456 t=2 p=1';

/** The B3 rounds (also B7's): each { gatehouse, baseline, ratio, retries, foreignCores }. */
export function signInRounds(ctx, shared) {
  return measureOnce(shared, 'sign-ins', () => measureSignIns(ctx, shared));
}

async function measureSignIns(ctx, { gh, usersFile }) {
  const { cfg, log } = ctx;
  log(`sign-in rounds (B3, B7): ${SIGNIN_WHAT}`);
  await signInLoad(ctx, gh, usersFile, cfg.warmup * 1000);
  return runRounds(ctx, 'B3', {
    sides: ['gatehouse', 'baseline'],
    measure: async (side) => {
      if (side === 'baseline') {
        const { result, cpu } = await measureCpu({}, () => argon2Baseline(ctx, cfg.duration * 1000));
        return { ...result, cpu };
      }
      await gh.snapshot();
      const serverCpuBefore = gh.cpuSeconds();
      const { result, cpu } = await measureCpu({ server: gh.pid }, () => signInLoad(ctx, gh, usersFile, cfg.duration * 1000));
      await sleep(TAIL_MS);
      const serverCpuSeconds = gh.cpuSeconds() - serverCpuBefore;
      cpu.cores.loadgen = round(result.cpuSeconds / result.seconds, 2);
      return { ...result, cpu, serverCpuSeconds, eld: (await gh.snapshot()).eld };
    },
    ratio: (entry) => entry.gatehouse.perSecond / entry.baseline.perSecond,
    describe: (e) =>
      `${e.gatehouse.perSecond.toFixed(1)} sign-ins/s, ${e.baseline.perSecond.toFixed(1)} verifications/s, ratio ${e.ratio.toFixed(3)}, ` +
      `event-loop p99 ${e.gatehouse.eld.p99Ms} ms; CPU ${cpuMsPerSignIn(e).toFixed(2)} ms/sign-in vs ${cpuMsPerVerification(e).toFixed(2)} ms/verification`,
  });
}

/** Server CPU (all threads) per completed sign-in in one round, ms. */
export const cpuMsPerSignIn = (entry) => (entry.gatehouse.serverCpuSeconds * 1000) / entry.gatehouse.signIns;
/** CPU of the argon2 baseline process per verification in one round, ms. */
export const cpuMsPerVerification = (entry) => (entry.baseline.cpuSeconds * 1000) / entry.baseline.verifications;

async function run(ctx, shared) {
  const { cfg, log } = ctx;
  const what = SIGNIN_WHAT;
  log(`B3: ${what}`);
  const rounds = (await signInRounds(ctx, shared)).map((r) => ({ ...r, ratio: r.gatehouse.perSecond / r.baseline.perSecond }));
  return figureOf({
    id: 'B3',
    what,
    unit: 'sign-ins/s vs verifications/s',
    rounds,
    gatehouse: (r) => r.gatehouse.perSecond,
    baseline: (r) => r.baseline.perSecond,
    details: {
      latencyMs: {
        gatehouse: latencyOf(rounds, (r) => r.gatehouse.flowLatencyMs),
        baseline: latencyOf(rounds, (r) => r.baseline.latencyMs),
        postLogin: latencyOf(rounds, (r) => r.gatehouse.stepLatencyMs.post),
      },
      eventLoopDelayMs: {
        p50: spreadOf(rounds, (r) => r.gatehouse.eld.p50Ms),
        p99: spreadOf(rounds, (r) => r.gatehouse.eld.p99Ms),
        max: spreadOf(rounds, (r) => r.gatehouse.eld.maxMs),
      },
    },
    target: { op: '>=', value: 0.85 },
    bad: rounds.reduce((n, r) => n + Object.values(r.gatehouse.errors).reduce((a, b) => a + b, 0), 0),
    method:
      `bench/signin-load.mjs (node:http keep-alive closed loop, ${cfg.vus} virtual users, ${cfg.b3Users} distinct pre-registered users round robin, ` +
      `random ${cfg.passwordLength}-character passwords) ` +
      `vs bench/argon2-baseline.mjs (@node-rs/argon2 verify, ${cfg.cpus} in flight = HASH_CONCURRENCY), ${cfg.duration} s each per round`,
    record: (r) => ({
      gatehouse: {
        perSecond: round(r.gatehouse.perSecond, 2),
        signIns: r.gatehouse.signIns,
        flowLatencyMs: r.gatehouse.flowLatencyMs,
        stepLatencyMs: r.gatehouse.stepLatencyMs,
        errors: r.gatehouse.errors,
        cpu: r.gatehouse.cpu,
        serverCpuSeconds: round(r.gatehouse.serverCpuSeconds, 2),
        eld: r.gatehouse.eld,
      },
      baseline: { perSecond: round(r.baseline.perSecond, 2), verifications: r.baseline.verifications, latencyMs: r.baseline.latencyMs, cpu: r.baseline.cpu, cpuSeconds: round(r.baseline.cpuSeconds, 2) },
    }),
  });
}

export const B3 = {
  id: 'B3',
  shared: true,
  run,
  rows: (f) => [
    ['B3', 'sign-ins/s (GET+POST /login, GET /dashboard)', fmt(f.gatehouse, 1), `${fmt(f.baseline, 1)} raw argon2id verify/s`, fmt(f.ratio, 3), '≥ 0.85'],
    [
      'B3 latency p50 / p99, ms (whole flow; raw verify)',
      `${fmt(f.latencyMs.gatehouse.p50, 1)} / ${fmt(f.latencyMs.gatehouse.p99, 1)}`,
      `${fmt(f.latencyMs.baseline.p50, 1)} / ${fmt(f.latencyMs.baseline.p99, 1)}`,
    ],
    [
      'B3 event-loop delay (lag beyond the 10 ms timer) p50 / p99 / max, ms',
      `${fmt(f.eventLoopDelayMs.p50, 2)} / ${fmt(f.eventLoopDelayMs.p99, 2)} / ${fmt(f.eventLoopDelayMs.max, 2)}`,
    ],
  ],
};
