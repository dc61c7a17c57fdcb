/**
 * The closed loop the load scripts share (signin-load.mjs, peers/signin-json-load.mjs and the
 * raw-hash baselines): `lanes` concurrent lanes, each awaiting `once()` again and again until
 * the deadline; nothing new starts after it, what is in flight finishes and counts. No imports
 * beyond Node's own, so the peer's scripts can use it from its own folder.
 */
import { performance } from 'node:perf_hooks';

/** p50, p99 and max of `values` (ms), and how many there were; null where there are none. */
export function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? null, count: sorted.length };
}

/**
 * Runs the lanes for `durationMs`; `once()` resolves true for a unit of work that counts.
 * Returns { count, seconds (until the last one finished), cpuSeconds (this process) }.
 */
export async function runLanes({ lanes, durationMs, once }) {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + durationMs;
  const lane = async () => {
    let count = 0;
    while (performance.now() < deadline) if (await once()) count += 1;
    return count;
  };
  const counts = await Promise.all(Array.from({ length: lanes }, lane));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { count: counts.reduce((a, b) => a + b, 0), seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
