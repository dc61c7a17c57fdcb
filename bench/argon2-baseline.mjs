/**
 * The baseline of B3: raw argon2id verifications per second, in a process of its own, with
 * @node-rs/argon2 `verify` (what Gatehouse calls), the same parameters and the same number
 * of verifications in flight as Gatehouse's hash queue (HASH_CONCURRENCY).
 *
 *   node bench/argon2-baseline.mjs --concurrency 2 --duration-ms 5000 --m 19456 --t 2 --p 1
 *
 * The hash is made once before the clock starts (only verification is timed). Prints one
 * JSON line: { verifications, seconds, perSecond, latencyMs: { p50, p99, max }, cpuSeconds }.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { percentiles, runLanes } from './lib/lanes.mjs';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '2' },
    'duration-ms': { type: 'string', default: '5000' },
    'warmup-ms': { type: 'string', default: '300' },
    m: { type: 'string', default: '19456' },
    t: { type: 'string', default: '2' },
    p: { type: 'string', default: '1' },
  },
});
const concurrency = Number(values.concurrency);
const durationMs = Number(values['duration-ms']);
const warmupMs = Number(values['warmup-ms']);
const password = 'Correct-Horse-Battery-Staple-42';
const phc = await hash(password, {
  algorithm: Algorithm.Argon2id,
  memoryCost: Number(values.m),
  timeCost: Number(values.t),
  parallelism: Number(values.p),
});

/** One verification, timed into `latencies` when given. */
async function verifyOnce(latencies) {
  const start = performance.now();
  const ok = await verify(phc, password);
  if (!ok) throw new Error('argon2 verify returned false');
  latencies?.push(performance.now() - start);
  return true;
}

// Warm-up: page in the memory blocks and the thread pool, before the measured window.
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
    params: { m: Number(values.m), t: Number(values.t), p: Number(values.p), concurrency },
  })}\n`,
);
