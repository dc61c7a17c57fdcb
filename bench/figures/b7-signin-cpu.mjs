/**
 * B7: server CPU per sign-in against the CPU of one argon2id verification at the same
 * parameters (target ≤ 1.1): what a sign-in costs beyond its hash, with audit rows, device
 * recognition and new-device notices on (they are always on; nothing turns them off).
 * Measured in B3's rounds (b3-signins.mjs, `signInRounds`), so B3 and B7 cost one measurement:
 *   Gatehouse: CPU time of the server process, all threads (event loop, hashing workers,
 *     libuv), from /proc/<pid>/stat across the sign-in window plus 250 ms for queued work,
 *     ÷ completed sign-ins (each = GET /login, POST /login, GET /dashboard).
 *   Baseline:  CPU time of bench/argon2-baseline.mjs over its window (process.cpuUsage, all
 *     threads) ÷ verifications.
 * Each user of bench/signin-load.mjs keeps the device cookie of its first sign-in within one
 * run of the script: per round, the first sign-in of each of the cfg.b3Users users is from a
 * new browser (a notice is queued and mailed to the outbox), the later ones are recognised.
 */
import { round } from '../lib/measure.mjs';
import { fmt } from '../lib/report.mjs';
import { figureOf, spreadOf } from '../lib/rounds.mjs';
import { cpuMsPerSignIn, cpuMsPerVerification, signInRounds } from './b3-signins.mjs';

const TARGET = { op: '<=', value: 1.1 };

async function run(ctx, shared) {
  const { cfg, log } = ctx;
  const what = 'server CPU per sign-in (all threads) ÷ CPU per argon2id verification, m=19456 t=2 p=1';
  log(`B7: ${what}`);
  const rounds = (await signInRounds(ctx, shared)).map((r) => ({ ...r, ratio: cpuMsPerSignIn(r) / cpuMsPerVerification(r) }));
  for (const [i, r] of rounds.entries()) log(`  round ${i + 1}: ${cpuMsPerSignIn(r).toFixed(2)} ms CPU/sign-in, ${cpuMsPerVerification(r).toFixed(2)} ms CPU/verification, ratio ${r.ratio.toFixed(3)}`);
  return figureOf({
    id: 'B7',
    what,
    unit: 'CPU ms per sign-in vs CPU ms per verification',
    rounds,
    gatehouse: cpuMsPerSignIn,
    baseline: cpuMsPerVerification,
    details: {
      serverCores: spreadOf(rounds, (r) => r.gatehouse.cpu.cores.server),
      baselineCores: spreadOf(rounds, (r) => r.baseline.cpuSeconds / r.baseline.seconds),
      signInsPerSecond: spreadOf(rounds, (r) => r.gatehouse.perSecond),
    },
    target: TARGET,
    bad: rounds.reduce((n, r) => n + Object.values(r.gatehouse.errors).reduce((a, b) => a + b, 0), 0),
    method:
      `B3's rounds: Gatehouse server process CPU (utime+stime of all threads, /proc/<pid>/stat) over the sign-in window + 250 ms, ` +
      `÷ completed sign-ins (${cfg.vus} virtual users; the first sign-in of each of the ${cfg.b3Users} users per round from a new browser, so a notice each); ` +
      `argon2 baseline process CPU (process.cpuUsage) ÷ verifications (${cfg.cpus} in flight); ${cfg.duration} s each per round`,
    record: (r) => ({
      gatehouse: { cpuMsPerSignIn: round(cpuMsPerSignIn(r), 3), serverCpuSeconds: round(r.gatehouse.serverCpuSeconds, 2), signIns: r.gatehouse.signIns },
      baseline: { cpuMsPerVerification: round(cpuMsPerVerification(r), 3), cpuSeconds: round(r.baseline.cpuSeconds, 2), verifications: r.baseline.verifications },
    }),
    ratioDigits: 3,
  });
}

export const B7 = {
  id: 'B7',
  shared: true,
  run,
  rows: (f) => [
    ['B7', 'server CPU per sign-in, ms (all threads; audit, device check, notice)', fmt(f.gatehouse, 2), `${fmt(f.baseline, 2)} per raw argon2id verify`, fmt(f.ratio, 3), '≤ 1.1×'],
    ['B7 CPU in use, cores (server; argon2 baseline)', fmt(f.serverCores, 2), fmt(f.baselineCores, 2)],
  ],
};
