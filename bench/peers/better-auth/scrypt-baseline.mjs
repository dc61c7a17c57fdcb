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
import { percentiles, runLanes } from '../../lib/lanes.mjs';

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

/** One verification, timed into `latencies` when given. */
async function verifyOnce(latencies) {
  const start = performance.now();
  if (!(await verifyPassword({ hash, password }))) throw new Error('verifyPassword returned false');
  latencies?.push(performance.now() - start);
  return true;
}

// Warm-up: the thread pool's threads and the 32 MiB blocks, before the measured window.
await runLanes({ lanes: concurrency, durationMs: warmupMs, once: () => verifyOnce() });

const latencies = [];
const { count: verifications, seconds, cpuSeconds } = await runLanes({ lanes: concurrency, durationMs, once: () => verifyOnce(latencies) });
const { p50, p99, max } = percentiles(latencies);
process.stdout.write(
  `${JSON.stringify({
    verifications,
    seconds,
    perSecond: verifications / seconds,
    latencyMs: { p50, p99, max },
    cpuSeconds,
    params: { hasher: 'better-auth/crypto verifyPassword (its default scrypt)', concurrency },
  })}\n`,
);
