/**
 * B1 and B2: throughput of a signed-in GET against the bare-Fastify baseline serving the same
 * bytes. One measurement with two settings, hence one module:
 *   B1  GET /dashboard (the full page)  vs  the captured page on /page     target ≥ 0.4 (issue #15)
 *   B2  GET /api/v1/me                  vs  the captured object on /json   target ≥ 0.5 (issue #15)
 * autocannon, closed loop, cfg.connections connections, the session cookie on every request
 * (the baseline gets the same headers); ratio = Gatehouse req/s ÷ baseline req/s per round.
 * `throughputFigure` also measures B10/B11 (forward-auth-throughput.mjs) with other headers.
 */
import { cannon } from '../lib/measure.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { figureOf, latencyOf, roundOf, runRounds, sumBad } from '../lib/rounds.mjs';
import { fmt } from '../lib/report.mjs';

/** One throughput figure; `headers` (the same on both sides) defaults to the session cookie. */
export async function throughputFigure(ctx, { gh, base, cookie }, { id, what, ghPath, basePath, target, headers = { cookie } }) {
  const { cfg, log } = ctx;
  log(`${id}: ${what}`);
  const load = (server, urlPath, duration) => cannon({ url: server.url + urlPath, connections: cfg.connections, duration, headers });
  await load(gh, ghPath, cfg.warmup);
  await load(base, basePath, cfg.warmup);
  const rounds = await runRounds(ctx, id, {
    sides: ['gatehouse', 'baseline'],
    measure: async (side) => {
      const [server, urlPath] = side === 'gatehouse' ? [gh, ghPath] : [base, basePath];
      await server.snapshot();
      const { result, cpu } = await measureCpu({ server: server.pid }, () => load(server, urlPath, cfg.duration));
      return { ...result, cpu, eld: (await server.snapshot()).eld };
    },
    ratio: (entry) => entry.gatehouse.perSecond / entry.baseline.perSecond,
    describe: (e) => `gatehouse ${e.gatehouse.perSecond.toFixed(0)} req/s, baseline ${e.baseline.perSecond.toFixed(0)} req/s, ratio ${e.ratio.toFixed(3)}`,
  });
  return figureOf({
    id,
    what,
    unit: 'req/s',
    rounds,
    gatehouse: (r) => r.gatehouse.perSecond,
    baseline: (r) => r.baseline.perSecond,
    details: { latencyMs: { gatehouse: latencyOf(rounds, (r) => r.gatehouse.latencyMs), baseline: latencyOf(rounds, (r) => r.baseline.latencyMs) } },
    target: { op: '>=', value: target },
    bad: sumBad(rounds.flatMap((r) => [r.gatehouse, r.baseline])),
    method: `autocannon, ${cfg.connections} connections, ${cfg.duration} s per side per round, ${cfg.warmup} s warm-up each, rounds alternate which side goes first`,
    record: (r) => ({ gatehouse: roundOf(r.gatehouse), baseline: roundOf(r.baseline) }),
  });
}

export const latencyRow = (f) => [
  `${f.id} latency p50 / p99, ms`,
  `${fmt(f.latencyMs.gatehouse.p50, 2)} / ${fmt(f.latencyMs.gatehouse.p99, 2)}`,
  `${fmt(f.latencyMs.baseline.p50, 2)} / ${fmt(f.latencyMs.baseline.p99, 2)}`,
];

export const B1 = {
  id: 'B1',
  shared: true,
  run: (ctx, shared) =>
    throughputFigure(ctx, shared, { id: 'B1', what: 'GET /dashboard with a valid session (full page)', ghPath: '/dashboard', basePath: '/page', target: 0.4 }),
  rows: (f) => [['B1', 'GET /dashboard, req/s', fmt(f.gatehouse), `${fmt(f.baseline)} (bare Fastify page)`, fmt(f.ratio, 3), '≥ 0.4'], latencyRow(f)],
};

export const B2 = {
  id: 'B2',
  shared: true,
  run: (ctx, shared) => throughputFigure(ctx, shared, { id: 'B2', what: 'GET /api/v1/me with a valid session', ghPath: '/api/v1/me', basePath: '/json', target: 0.5 }),
  rows: (f) => [['B2', 'GET /api/v1/me, req/s', fmt(f.gatehouse), `${fmt(f.baseline)} (bare Fastify JSON)`, fmt(f.ratio, 3), '≥ 0.5'], latencyRow(f)],
};
