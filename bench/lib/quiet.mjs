/**
 * Quiet-machine checks. The benchmark shares a small machine with whatever else runs on it,
 * so it (1) waits before each figure until the machine is idle, (2) records for every
 * measurement the CPU used by *foreign* processes (machine busy time minus our process tree,
 * PostgreSQL and Redis), and (3) measures a round again when foreign processes used more than
 * NOISE_CORES during it (at most cfg.maxRetries times). Figures still disturbed are named
 * under the report's table (otherCoresMax).
 */
import { round, withCpu } from './measure.mjs';
import { machineCpu, pidsByName } from './proc.mjs';
import { sleep } from './processes.mjs';

/** Foreign CPU (cores) above which a round counts as disturbed. */
export const NOISE_CORES = 0.25;
/** Below this share of the machine busy (over one second), the machine counts as idle. */
const IDLE_PCT = 15;

/** Waits (up to cfg.waitQuiet s) until the machine is idle; records the wait in results.meta.quietWaits. */
export async function waitForQuiet(ctx, label) {
  const { cfg, log, results } = ctx;
  if (!cfg.waitQuiet) return;
  const deadline = Date.now() + cfg.waitQuiet * 1000;
  let busyPct = 100;
  let waited = 0;
  while (Date.now() < deadline) {
    const before = machineCpu();
    await sleep(1000);
    const after = machineCpu();
    busyPct = ((after.busy - before.busy) / (after.total - before.total)) * 100;
    if (busyPct < IDLE_PCT) break;
    if (waited % 15 === 0) log(`${label}: machine ${busyPct.toFixed(0)} % busy with other processes; waiting (up to ${cfg.waitQuiet} s)`);
    waited += 1;
  }
  (results.meta.quietWaits ??= []).push({ phase: label, waitedSeconds: waited, busyPctAtStart: round(busyPct, 1) });
}

/**
 * withCpu (measure.mjs) with PostgreSQL and Redis added, whoever started them: their CPU is
 * reported, and not counted as foreign.
 */
export function measureCpu(pids, work) {
  return withCpu({ ...pids, postgres: pidsByName(['postgres']), redis: pidsByName(['redis-server']) }, work);
}

/** CPU (cores) used during a run by processes that are neither ours nor PostgreSQL/Redis. */
function foreignCores(run) {
  const cpu = run?.cpu;
  if (!cpu) return 0;
  return Math.max(0, cpu.otherCores - (cpu.cores.postgres ?? 0) - (cpu.cores.redis ?? 0));
}

/** The most CPU foreign processes used during any of these runs (cores). */
export function otherCoresMax(runs) {
  return round(Math.max(0, ...runs.map(foreignCores)), 2);
}

/**
 * Measures one round (`measure` returns { [side]: run with .cpu }); when foreign processes used
 * more than NOISE_CORES during it, waits for the machine to be quiet and measures the round
 * again. The entry kept records `retries` and `foreignCores` (the most any side saw).
 */
export async function stableRound(ctx, id, r, measure) {
  for (let attempt = 0; ; attempt++) {
    const entry = await measure();
    const runs = Object.values(entry).filter((v) => v && typeof v === 'object' && v.cpu);
    entry.foreignCores = otherCoresMax(runs);
    entry.retries = attempt;
    if (entry.foreignCores <= NOISE_CORES || attempt >= ctx.cfg.maxRetries) return entry;
    ctx.log(`  ${id} round ${r + 1}: other processes used ${entry.foreignCores} cores meanwhile; measuring the round again`);
    await waitForQuiet(ctx, `${id} retry`);
  }
}
