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

async function loop(until, latencies) {
  let count = 0;
  while (performance.now() < until) {
    const start = performance.now();
    const ok = await verify(phc, password);
    if (!ok) throw new Error('argon2 verify returned false');
    latencies?.push(performance.now() - start);
    count += 1;
  }
  return count;
}

// Warm-up: page in the memory blocks and the thread pool before the measured window.
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
    params: { m: Number(values.m), t: Number(values.t), p: Number(values.p), concurrency },
  })}\n`,
);
