/**
 * Measurement helpers: autocannon as a library with exact per-request latencies, CPU
 * accounting of the processes involved in a measurement, percentiles and rounding.
 * (The spread of a figure over its rounds is in rounds.mjs.)
 */
import autocannon from 'autocannon';
import { machineCpu, processCpuSeconds, treeCpuSeconds } from './proc.mjs';

export function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * One autocannon run. Latencies are recorded from autocannon's `response` events with
 * sub-millisecond precision (its own histogram keeps whole milliseconds); only 2xx answers
 * count towards req/s and latency, anything else is reported in `bad`.
 */
export async function cannon(options) {
  const latencies = [];
  let good = 0;
  const statuses = {};
  const instance = autocannon({ timeout: 30, ...options });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) {
      good += 1;
      latencies.push(responseTime);
    }
  });
  const started = performance.now();
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const bad = Object.entries(statuses)
    .filter(([code]) => Number(code) < 200 || Number(code) >= 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: good,
    seconds,
    perSecond: good / seconds,
    latencyMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? null },
    // autocannon's own p99 (whole ms; corrected for coordinated omission when a rate is set)
    autocannonP99Ms: result.latency.p99,
    statuses,
    bad,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * Runs `work` and reports the CPU (in cores: CPU-seconds per wall second) used meanwhile by
 * each named pid, by this process (the load generator), by the whole machine, and by
 * processes that are not ours (`otherCores`: the machine's busy time minus this process
 * tree's; PostgreSQL and Redis count there too). otherCores well above 0 means something
 * else competed for the CPU during the measurement.
 */
export async function withCpu(pids, work) {
  const before = Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, [].concat(list).map(processCpuSeconds)]));
  const machineBefore = machineCpu();
  const treeBefore = treeCpuSeconds();
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wall = (performance.now() - started) / 1000;
  const self = process.cpuUsage(selfBefore);
  const treeAfter = treeCpuSeconds();
  const machineAfter = machineCpu();
  const cores = {};
  for (const [name, list] of Object.entries(pids)) {
    const after = [].concat(list).map(processCpuSeconds);
    let used = 0;
    after.forEach((value, i) => {
      if (value !== undefined && before[name][i] !== undefined) used += value - before[name][i];
    });
    cores[name] = round(used / wall, 2);
  }
  cores.harness = round((self.user + self.system) / 1e6 / wall, 2);
  const busy = machineAfter.busy - machineBefore.busy;
  const total = machineAfter.total - machineBefore.total;
  const ours = (treeAfter - treeBefore) / wall;
  const otherCores = busy / 100 / wall - ours;
  return { result, cpu: { cores, ourCores: round(ours, 2), otherCores: round(Math.max(0, otherCores), 2), machineBusyPct: round((busy / total) * 100, 1) } };
}

export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
