/**
 * B8 and B9: signed-in reads while a sign-in flood runs flat out, with a closed-loop reader
 * (B4 is the fixed-rate variant). The reader is autocannon on GET /api/v1/me over
 * READER_CONNECTIONS connections with no rate, for cfg.duration seconds, once with no flood
 * ("idle") and once while bench/signin-load.mjs runs cfg.vus virtual users (started 1 s
 * before the reader, running 2 s longer). Before each window: a 1 s pause and 1 s of reader
 * traffic, discarded. One measurement, two goals (`measureOnce`):
 *   B8  reader p99 under flood ÷ idle p99        target ≤ 4
 *   B9  reader req/s under flood ÷ idle req/s    target ≥ 0.6
 * A closed loop saturates the event loop by itself, so its p99 includes the queue the flood's
 * event-loop work builds in front of each read: the harder of the two isolation goals.
 */
import { cannon, round } from '../lib/measure.mjs';
import { sleep } from '../lib/processes.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { fmt } from '../lib/report.mjs';
import { figureOf, latencyOf, roundOf, runRounds, spreadOf, sumBad } from '../lib/rounds.mjs';
import { signInLoad } from '../lib/servers.mjs';
import { measureOnce } from '../lib/shared-measurement.mjs';

/** The closed-loop reader: 8 connections (#15 "Isolation"). */
const READER_CONNECTIONS = 8;

function readerRounds(ctx, shared) {
  return measureOnce(shared, 'closed-loop reader', () => measureReader(ctx, shared));
}

async function measureReader(ctx, { gh, usersFile, cookie }) {
  const { cfg, log } = ctx;
  log(`closed-loop reader rounds (B8, B9): GET /api/v1/me, ${READER_CONNECTIONS} connections, no rate, idle vs during a sign-in flood`);
  const read = (duration) => cannon({ url: `${gh.url}/api/v1/me`, connections: READER_CONNECTIONS, duration, headers: { cookie } });
  const settle = async () => {
    await sleep(1000);
    await read(1);
  };
  return runRounds(ctx, 'B8', {
    sides: ['idle', 'flood'],
    measure: async (side) => {
      await settle();
      if (side === 'idle') {
        await gh.snapshot();
        const { result, cpu } = await measureCpu({ server: gh.pid }, () => read(cfg.duration));
        return { ...result, cpu, eld: (await gh.snapshot()).eld };
      }
      const flood = signInLoad(ctx, gh, usersFile, (cfg.duration + 2) * 1000);
      await sleep(1000);
      await gh.snapshot();
      const { result, cpu } = await measureCpu({ server: gh.pid }, () => read(cfg.duration));
      const eld = (await gh.snapshot()).eld;
      const floodResult = await flood;
      return { ...result, cpu, eld, floodSignInsPerSecond: floodResult.perSecond, floodErrors: floodResult.errors };
    },
    ratio: (e) => e.flood.latencyMs.p99 / e.idle.latencyMs.p99,
    describe: (e) =>
      `idle ${e.idle.perSecond.toFixed(0)} req/s p99 ${e.idle.latencyMs.p99.toFixed(2)} ms; under flood ${e.flood.perSecond.toFixed(0)} req/s ` +
      `p99 ${e.flood.latencyMs.p99.toFixed(2)} ms (flood ${e.flood.floodSignInsPerSecond.toFixed(1)} sign-ins/s)`,
  });
}

const floodErrors = (rounds) => rounds.reduce((n, r) => n + Object.values(r.flood.floodErrors ?? {}).reduce((a, b) => a + b, 0), 0);

async function closedLoopFigure(ctx, shared, { id, what, unit, ratio, gatehouse, baseline, target }) {
  ctx.log(`${id}: ${what}`);
  const rounds = (await readerRounds(ctx, shared)).map((r) => ({ ...r, ratio: ratio(r) }));
  return figureOf({
    id,
    what,
    unit,
    rounds,
    gatehouse,
    baseline,
    details: {
      latencyMs: { flood: latencyOf(rounds, (r) => r.flood.latencyMs), idle: latencyOf(rounds, (r) => r.idle.latencyMs) },
      perSecond: { flood: spreadOf(rounds, (r) => r.flood.perSecond), idle: spreadOf(rounds, (r) => r.idle.perSecond) },
      floodSignInsPerSecond: spreadOf(rounds, (r) => r.flood.floodSignInsPerSecond),
      eventLoopDelayMs: {
        idle: { p99: spreadOf(rounds, (r) => r.idle.eld?.p99Ms), max: spreadOf(rounds, (r) => r.idle.eld?.maxMs) },
        flood: { p99: spreadOf(rounds, (r) => r.flood.eld?.p99Ms), max: spreadOf(rounds, (r) => r.flood.eld?.maxMs) },
      },
    },
    target,
    bad: sumBad(rounds.flatMap((r) => [r.idle, r.flood])) + floodErrors(rounds),
    method:
      `autocannon closed loop (no rate) on GET /api/v1/me, ${READER_CONNECTIONS} connections, ${ctx.cfg.duration} s, once idle and once while ` +
      `bench/signin-load.mjs runs ${ctx.cfg.vus} virtual users flat out (started 1 s before); before each, 1 s pause and 1 s of discarded reads`,
    record: (r) => ({
      idle: roundOf(r.idle),
      flood: { ...roundOf(r.flood), floodSignInsPerSecond: round(r.flood.floodSignInsPerSecond, 2), floodErrors: r.flood.floodErrors },
    }),
    ratioDigits: 3,
  });
}

export const B8 = {
  id: 'B8',
  shared: true,
  run: (ctx, shared) =>
    closedLoopFigure(ctx, shared, {
      id: 'B8',
      what: `p99 of GET /api/v1/me, closed loop (${READER_CONNECTIONS} connections), during a sign-in flood vs idle`,
      unit: 'ms (p99)',
      ratio: (r) => r.flood.latencyMs.p99 / r.idle.latencyMs.p99,
      gatehouse: (r) => r.flood.latencyMs.p99,
      baseline: (r) => r.idle.latencyMs.p99,
      target: { op: '<=', value: 4 },
    }),
  rows: (f) => [
    ['B8', `p99 of /api/v1/me, closed loop (${READER_CONNECTIONS} conn.) under sign-in flood, ms`, fmt(f.gatehouse, 2), `${fmt(f.baseline, 2)} (idle)`, fmt(f.ratio, 2), '≤ 4×'],
    ['B8 flood meanwhile, sign-ins/s', fmt(f.floodSignInsPerSecond, 1)],
  ],
};

export const B9 = {
  id: 'B9',
  shared: true,
  run: (ctx, shared) =>
    closedLoopFigure(ctx, shared, {
      id: 'B9',
      what: `GET /api/v1/me req/s, closed loop (${READER_CONNECTIONS} connections), during a sign-in flood vs idle`,
      unit: 'req/s',
      ratio: (r) => r.flood.perSecond / r.idle.perSecond,
      gatehouse: (r) => r.flood.perSecond,
      baseline: (r) => r.idle.perSecond,
      target: { op: '>=', value: 0.6 },
    }),
  rows: (f) => [['B9', `/api/v1/me req/s, closed loop (${READER_CONNECTIONS} conn.) under sign-in flood`, fmt(f.gatehouse), `${fmt(f.baseline)} (idle)`, fmt(f.ratio, 3), '≥ 0.6']],
};
