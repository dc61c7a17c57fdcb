/**
 * The peer's counterpart of bench/argon2-baseline.mjs, for P2: raw password verifications
 * per second with Better Auth's own `verifyPassword` (better-auth/crypto: node:crypto scrypt,
 * N=16384 r=16 p=1, on libuv's thread pool), in a process of its own, `--concurrency`
 * verifications in flight (P2 passes libuv's pool size, 4 unless UV_THREADPOOL_SIZE says
 * otherwise: Better Auth itself does not limit hashes in flight).
 *
 *   node bench/peers/better-auth/scrypt-baseline.mjs --concurrency 4 --duration-ms 5000
 *
 * The hash is made once before the clock starts (only verification is timed). Prints one
 * JSON line: { verifications, seconds, perSecond, latencyMs: { p50, p99, max }, cpuSeconds }.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { hashPassword, verifyPassword } from 'better-auth/crypto';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '4' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '300' },
  },
});
const concurrency = Number(values.concurrency);
const durationMs = Number(values['duration-ms']);
const warmupMs = Number(values['warmup-ms']);
const password = 'Correct-Horse-Battery-Staple-42';
const hash = await hashPassword(password);

async function loop(until, latencies) {
  let count = 0;
  while (performance.now() < until) {
    const start = performance.now();
    if (!(await verifyPassword({ hash, password }))) throw new Error('verifyPassword returned false');
    latencies?.push(performance.now() - start);
    count += 1;
  }
  return count;
}

// Warm-up: the thread pool's threads and the 32 MiB blocks, before the measured window.
const warmUntil = performance.now() + warmupMs;
await Promise.all(Array.from({ length: concurrency }, () => loop(warmUntil)));

const latencies = [];
const cpuBefore = process.cpuUsage();
const start = performance.now();
const counts = await Promise.all(Array.from({ length: concurrency }, () => loop(start + durationMs, latencies)));
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const verifications = counts.reduce((a, b) => a + b, 0);
latencies.sort((a, b) => a - b);
const pct = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null);
process.stdout.write(
  `${JSON.stringify({
    verifications,
    seconds,
    perSecond: verifications / seconds,
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? null },
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    params: { hasher: 'better-auth/crypto verifyPassword (its default scrypt)', concurrency },
  })}\n`,
);
