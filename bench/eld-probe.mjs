/**
 * Preloaded into the benchmarked server processes (Gatehouse and the bare-Fastify baseline)
 * with `node --expose-gc --import bench/eld-probe.mjs …`, so the harness can observe a server
 * without any change to src/.
 *
 * It starts perf_hooks.monitorEventLoopDelay and, on SIGUSR2 (and at exit), writes a JSON
 * snapshot to the file named by BENCH_PROBE_FILE, then resets the histogram, so each
 * snapshot covers the window since the previous one:
 *   { seq, reason, pid, at, windowMs,
 *     eld: { count, meanMs, p50Ms, p90Ms, p99Ms, maxMs  (lag beyond the timer's resolution),
 *            intervals: { minMs, p50Ms, p99Ms, maxMs } (raw tick intervals) },
 *     memory: { rss, heapUsed, heapTotal, external, arrayBuffers } (bytes, after a full GC),
 *     receivedUs, doneUs }   (process.hrtime in µs when the signal arrived / the snapshot was done)
 * The event-loop figures are taken before the GC, so the GC pause is never in them.
 * Without BENCH_PROBE_FILE the module does nothing.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_PROBE_FILE;
if (file && isMainThread) {
  const resolution = Number(process.env.BENCH_ELD_RESOLUTION_MS ?? 10);
  const histogram = monitorEventLoopDelay({ resolution });
  histogram.enable();
  let seq = 0;
  let windowStart = Date.now();
  const ms = (ns) => Math.round((ns / 1e6) * 1000) / 1000;

  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const snapshot = (reason) => {
    const receivedUs = nowUs();
    // The histogram holds the interval between consecutive timer ticks, i.e. `resolution` plus
    // the lag; the figures reported are the lag (interval − resolution, floored at 0), the raw
    // intervals are kept under `intervals`.
    const lag = (ns) => Math.max(0, ms(ns) - resolution);
    const eld =
      histogram.count > 0
        ? {
            count: histogram.count,
            meanMs: Math.round(lag(histogram.mean) * 1000) / 1000,
            p50Ms: Math.round(lag(histogram.percentile(50)) * 1000) / 1000,
            p90Ms: Math.round(lag(histogram.percentile(90)) * 1000) / 1000,
            p99Ms: Math.round(lag(histogram.percentile(99)) * 1000) / 1000,
            maxMs: Math.round(lag(histogram.max) * 1000) / 1000,
            intervals: { minMs: ms(histogram.min), p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) },
          }
        : { count: 0 };
    let gc = false;
    if (reason !== 'exit' && typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
      gc = true;
    }
    const memory = process.memoryUsage();
    const now = Date.now();
    // hrtime is the clock of V8's CPU profiles: the harness uses these two instants to cut a
    // --cpu-prof profile down to the window between two snapshots (GC excluded).
    const data = { seq: ++seq, reason, pid: process.pid, at: now, windowMs: now - windowStart, resolutionMs: resolution, gc, eld, memory, receivedUs, doneUs: nowUs() };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(data));
      renameSync(`${file}.tmp`, file);
    } catch {
      // the harness may already have removed its temp directory
    }
    histogram.reset();
    windowStart = Date.now();
  };

  process.on('SIGUSR2', () => snapshot('signal'));
  process.on('exit', () => snapshot('exit'));
}
