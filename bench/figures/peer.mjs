/**
 * P1–P3: Gatehouse against a peer, Better Auth (email and password on better-sqlite3,
 * node:http; bench/peers/better-auth), both started by the figure and measured in the same
 * run, the side that goes first alternating between rounds. Each figure starts its own pair
 * (bench/peers/peer-pair.mjs: both on SQLite, production mode, the same number of users).
 *   P1  authenticated read: GET /api/v1/me  vs  GET /api/auth/get-session, autocannon
 *       closed loop, cfg.connections connections; ratio Gatehouse ÷ Better Auth, target ≥ 10
 *   P2  JSON sign-ins/s of each (bench/peers/signin-json-load.mjs, cfg.vus virtual users),
 *       each beside its own raw hash rate (argon2id vs scrypt: the hashes differ, so the
 *       sign-in ratio mostly compares their costs); reported, no target
 *   P3  reads during a sign-in flood: each side's read req/s and p99 with an 8-connection
 *       closed-loop reader while its own P2 flood runs, relative to the same reader idle;
 *       reported, ratio = Gatehouse's kept share ÷ Better Auth's
 * The peer is installed on demand (peer-servers.mjs); a failed install fails these figures
 * (a line under `problems`), not the run.
 */
import { cannon, round } from '../lib/measure.mjs';
import { sleep } from '../lib/processes.mjs';
import { measureCpu } from '../lib/quiet.mjs';
import { fmt } from '../lib/report.mjs';
import { figureOf, latencyOf, roundOf, runRounds, spreadOf, sumBad } from '../lib/rounds.mjs';
import { argon2Baseline } from '../lib/servers.mjs';
import { startPeerPair } from '../peers/peer-pair.mjs';
import { jsonSignInLoad, PEER_HASH_THREADS, scryptBaseline } from '../peers/peer-servers.mjs';

/** P3's reader: a closed loop small enough to leave the flood most of the machine (issue #15). */
const READER_CONNECTIONS = 8;
const SIDES = ['gatehouse', 'peer'];

/** What the peer is, for results.json: versions as installed. */
function peerLabel(ctx) {
  const versions = ctx.results.meta.peer?.versions ?? {};
  return `Better Auth ${versions['better-auth']} (email and password, better-sqlite3 ${versions['better-sqlite3']}, node:http, scrypt, rate limiter off)`;
}

/** Starts the pair, runs `work(sides)`, always stops the pair. */
async function withPair(ctx, id, work) {
  const pair = await startPeerPair(ctx, id);
  try {
    return await work(pair.sides);
  } finally {
    await pair.stop();
  }
}

/** `work` with the side's server CPU and its event-loop delay over the same window. */
async function observed(side, work) {
  await side.server.snapshot();
  const { result, cpu } = await measureCpu({ server: side.server.pid }, work);
  return { ...result, cpu, eld: (await side.server.snapshot()).eld };
}

const read = (side, duration, connections) => cannon({ url: side.server.url + side.readPath, connections, duration, headers: { cookie: side.cookie } });
const signInFlood = (ctx, side, durationMs) => jsonSignInLoad(ctx, side.load, side.server, side.usersFile, durationMs);
/** Each side's raw password verification, the ceiling of its sign-in rate. */
const RAW_HASH = { gatehouse: argon2Baseline, peer: scryptBaseline };
const errorCount = (errors) => Object.values(errors ?? {}).reduce((a, b) => a + b, 0);

function runP1(ctx) {
  return withPair(ctx, 'P1', async (sides) => {
    const { cfg, log } = ctx;
    const what = 'authenticated read: Gatehouse GET /api/v1/me vs Better Auth GET /api/auth/get-session';
    log(`P1: ${what}`);
    for (const side of Object.values(sides)) await read(side, cfg.warmup, cfg.connections);
    const rounds = await runRounds(ctx, 'P1', {
      sides: SIDES,
      measure: async (name) => {
        const run = await observed(sides[name], () => read(sides[name], cfg.duration, cfg.connections));
        await sides[name].checkRead();
        return run;
      },
      ratio: (e) => e.gatehouse.perSecond / e.peer.perSecond,
      describe: (e) => `gatehouse ${e.gatehouse.perSecond.toFixed(0)} req/s, better-auth ${e.peer.perSecond.toFixed(0)} req/s, ratio ${e.ratio.toFixed(2)}`,
    });
    return figureOf({
      id: 'P1',
      what,
      unit: 'req/s',
      rounds,
      gatehouse: (r) => r.gatehouse.perSecond,
      baseline: (r) => r.peer.perSecond,
      details: {
        peer: peerLabel(ctx),
        latencyMs: { gatehouse: latencyOf(rounds, (r) => r.gatehouse.latencyMs), peer: latencyOf(rounds, (r) => r.peer.latencyMs) },
        serverCores: { gatehouse: spreadOf(rounds, (r) => r.gatehouse.cpu.cores.server), peer: spreadOf(rounds, (r) => r.peer.cpu.cores.server) },
      },
      target: { op: '>=', value: 10 },
      bad: sumBad(rounds.flatMap((r) => [r.gatehouse, r.peer])),
      method:
        `autocannon, ${cfg.connections} connections, one signed-in session's cookie on every request, ${cfg.duration} s per side per round, ` +
        `${cfg.warmup} s warm-up each; each side's session checked to still name its user after every run; both on SQLite (better-sqlite3)`,
      record: (r) => ({ gatehouse: roundOf(r.gatehouse), peer: roundOf(r.peer) }),
      ratioDigits: 3,
    });
  });
}

function runP2(ctx) {
  return withPair(ctx, 'P2', async (sides) => {
    const { cfg, log } = ctx;
    const what = 'JSON sign-ins/s: Gatehouse GET /api/v1/csrf + POST /api/v1/login vs Better Auth POST /api/auth/sign-in/email, each read back once';
    log(`P2: ${what}`);
    for (const side of Object.values(sides)) await signInFlood(ctx, side, cfg.warmup * 1000);
    const rounds = await runRounds(ctx, 'P2', {
      sides: SIDES,
      measure: async (name) => {
        const run = await observed(sides[name], () => signInFlood(ctx, sides[name], cfg.duration * 1000));
        run.cpu.cores.loadgen = round(run.cpuSeconds / run.seconds, 2);
        const { result: hash, cpu } = await measureCpu({}, () => RAW_HASH[name](ctx, cfg.duration * 1000));
        return { ...run, hash: { ...hash, cpu } };
      },
      ratio: (e) => e.gatehouse.perSecond / e.peer.perSecond,
      describe: (e) =>
        SIDES.map((s) => `${s} ${e[s].perSecond.toFixed(1)} sign-ins/s (raw hash ${e[s].hash.perSecond.toFixed(1)} verify/s)`).join(', ') + `, ratio ${e.ratio.toFixed(2)}`,
    });
    const signInRecord = (run) => ({
      perSecond: round(run.perSecond, 2),
      signIns: run.signIns,
      flowLatencyMs: run.flowLatencyMs,
      stepLatencyMs: run.stepLatencyMs,
      errors: run.errors,
      cpu: run.cpu,
      eld: run.eld,
      rawHash: { perSecond: round(run.hash.perSecond, 2), verifications: run.hash.verifications, latencyMs: run.hash.latencyMs, cpu: run.hash.cpu },
    });
    return figureOf({
      id: 'P2',
      what,
      unit: 'sign-ins/s',
      rounds,
      gatehouse: (r) => r.gatehouse.perSecond,
      baseline: (r) => r.peer.perSecond,
      details: {
        peer: peerLabel(ctx),
        hashes: `Gatehouse argon2id m=19456 KiB t=2 p=1, ${cfg.cpus} in flight (HASH_CONCURRENCY); Better Auth scrypt N=16384 r=16 p=1 (32 MiB), on libuv's ${PEER_HASH_THREADS} threads`,
        rawHashPerSecond: { gatehouse: spreadOf(rounds, (r) => r.gatehouse.hash.perSecond), peer: spreadOf(rounds, (r) => r.peer.hash.perSecond) },
        shareOfRawHash: {
          gatehouse: spreadOf(rounds, (r) => r.gatehouse.perSecond / r.gatehouse.hash.perSecond),
          peer: spreadOf(rounds, (r) => r.peer.perSecond / r.peer.hash.perSecond),
        },
        latencyMs: {
          gatehouse: latencyOf(rounds, (r) => r.gatehouse.flowLatencyMs),
          peer: latencyOf(rounds, (r) => r.peer.flowLatencyMs),
        },
        eventLoopDelayMs: { gatehouse: { p99: spreadOf(rounds, (r) => r.gatehouse.eld.p99Ms) }, peer: { p99: spreadOf(rounds, (r) => r.peer.eld.p99Ms) } },
        serverCores: { gatehouse: spreadOf(rounds, (r) => r.gatehouse.cpu.cores.server), peer: spreadOf(rounds, (r) => r.peer.cpu.cores.server) },
      },
      target: { op: 'report' },
      bad: rounds.reduce((n, r) => n + errorCount(r.gatehouse.errors) + errorCount(r.peer.errors), 0),
      method:
        `bench/peers/signin-json-load.mjs (node:http keep-alive closed loop, ${cfg.vus} virtual users, ${cfg.b3Users} distinct users per side round robin, ` +
        `random ${cfg.passwordLength}-character passwords, sign-in by email, the new session read back once), ${cfg.duration} s per side per round, ${cfg.warmup} s warm-up each; ` +
        `then, as each side's ceiling, its raw hash for ${cfg.duration} s: bench/argon2-baseline.mjs (${cfg.cpus} in flight) and bench/peers/better-auth/scrypt-baseline.mjs ` +
        `(Better Auth's own verifyPassword, ${PEER_HASH_THREADS} in flight)`,
      record: (r) => ({ gatehouse: signInRecord(r.gatehouse), peer: signInRecord(r.peer) }),
      ratioDigits: 3,
    });
  });
}

/** The run of the two whose foreign CPU was higher: what stableRound judges a P3 side by. */
const noisier = (a, b) => (a.otherCores >= b.otherCores ? a : b);
const keptShare = (sideRound) => sideRound.flood.perSecond / sideRound.idle.perSecond;
/** A number for a log line; n/a for a p99 of no answers (a reader can get none in a short, swamped window). */
const shown = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function runP3(ctx) {
  return withPair(ctx, 'P3', async (sides) => {
    const { cfg, log } = ctx;
    const what = `reads during a sign-in flood: ${READER_CONNECTIONS}-connection closed-loop reader, flood ÷ idle read req/s of each side under its own P2 flood`;
    log(`P3: ${what}`);
    // Twice the usual duration, as B4's probe: a p99 needs samples, and under the flood a
    // Better Auth reader answered 67 req/s (p99 336 ms) in a 3-second window and none in 1 s.
    const readerSeconds = cfg.duration * 2;
    const reader = (side, duration) => read(side, duration, READER_CONNECTIONS);
    // Before each window: let the previous load drain, then 1 s of reader traffic, discarded.
    const settle = async (side) => {
      await sleep(1000);
      await reader(side, 1);
    };
    const rounds = await runRounds(ctx, 'P3', {
      sides: SIDES,
      measure: async (name) => {
        const side = sides[name];
        await settle(side);
        const idle = await observed(side, () => reader(side, readerSeconds));
        await side.checkRead();
        await settle(side);
        const flood = signInFlood(ctx, side, (readerSeconds + 2) * 1000);
        await sleep(1000);
        const underFlood = await observed(side, () => reader(side, readerSeconds));
        const floodResult = await flood;
        await side.checkRead();
        return {
          idle,
          flood: { ...underFlood, signInsPerSecond: floodResult.perSecond, signInErrors: floodResult.errors },
          cpu: noisier(idle.cpu, underFlood.cpu),
        };
      },
      // Undefined (null, "n/a") when Better Auth answered no read at all during its flood.
      ratio: (e) => (keptShare(e.peer) > 0 ? keptShare(e.gatehouse) / keptShare(e.peer) : null),
      describe: (e) =>
        SIDES.map(
          (s) =>
            `${s} ${shown(e[s].idle.perSecond, 0)} → ${shown(e[s].flood.perSecond, 0)} req/s ` +
            `(p99 ${shown(e[s].idle.latencyMs.p99, 1)} → ${shown(e[s].flood.latencyMs.p99, 1)} ms, flood ${shown(e[s].flood.signInsPerSecond, 1)} sign-ins/s)`,
        ).join('; ') + `; kept-share ratio ${shown(e.ratio, 2)}`,
    });
    const perSide = (pick) => Object.fromEntries(SIDES.map((s) => [s, { idle: spreadOf(rounds, (r) => pick(r[s].idle)), flood: spreadOf(rounds, (r) => pick(r[s].flood)) }]));
    return figureOf({
      id: 'P3',
      what,
      unit: 'flood ÷ idle read req/s',
      rounds,
      gatehouse: (r) => keptShare(r.gatehouse),
      baseline: (r) => keptShare(r.peer),
      details: {
        peer: peerLabel(ctx),
        readsPerSecond: perSide((run) => run.perSecond),
        p99Ms: perSide((run) => run.latencyMs.p99),
        floodSignInsPerSecond: Object.fromEntries(SIDES.map((s) => [s, spreadOf(rounds, (r) => r[s].flood.signInsPerSecond)])),
      },
      target: { op: 'report' },
      bad: sumBad(rounds.flatMap((r) => SIDES.flatMap((s) => [r[s].idle, r[s].flood]))) + rounds.reduce((n, r) => n + SIDES.reduce((m, s) => m + errorCount(r[s].flood.signInErrors), 0), 0),
      method:
        `per side and round: 1 s pause + 1 s discarded reader traffic, the reader (autocannon, ${READER_CONNECTIONS} connections, closed loop) ${readerSeconds} s idle; ` +
        `again pause + discard, then bench/peers/signin-json-load.mjs (${cfg.vus} virtual users) started 1 s before the same reader runs ${readerSeconds} s`,
      record: (r) =>
        Object.fromEntries(
          SIDES.map((s) => [s, { idle: roundOf(r[s].idle), flood: { ...roundOf(r[s].flood), signInsPerSecond: round(r[s].flood.signInsPerSecond, 2), signInErrors: r[s].flood.signInErrors } }]),
        ),
      ratioDigits: 3,
    });
  });
}

const latencyRow = (label, f) => [
  label,
  `${fmt(f.latencyMs.gatehouse.p50, 2)} / ${fmt(f.latencyMs.gatehouse.p99, 2)}`,
  `${fmt(f.latencyMs.peer.p50, 2)} / ${fmt(f.latencyMs.peer.p99, 2)}`,
];
const idleToFlood = (s, digits) => `${fmt(s.idle, digits)} → ${fmt(s.flood, digits)}`;

export const P1 = {
  id: 'P1',
  run: runP1,
  rows: (f) => [
    ['P1', 'authenticated read, req/s (GET /api/v1/me vs get-session)', fmt(f.gatehouse), `${fmt(f.baseline)} (Better Auth get-session)`, fmt(f.ratio, 2), '≥ 10'],
    latencyRow('P1 latency p50 / p99, ms', f),
  ],
};

export const P2 = {
  id: 'P2',
  run: runP2,
  rows: (f) => [
    ['P2', 'JSON sign-ins/s (argon2id vs scrypt)', fmt(f.gatehouse, 1), `${fmt(f.baseline, 1)} (Better Auth sign-in/email)`, fmt(f.ratio, 2), 'report'],
    latencyRow('P2 sign-in + read-back latency p50 / p99, ms', f),
    [
      'P2 raw hash verify/s (argon2id; scrypt), sign-ins ÷ raw',
      `${fmt(f.rawHashPerSecond.gatehouse, 1)}, ${fmt(f.shareOfRawHash.gatehouse, 2)}`,
      `${fmt(f.rawHashPerSecond.peer, 1)}, ${fmt(f.shareOfRawHash.peer, 2)}`,
    ],
  ],
};

export const P3 = {
  id: 'P3',
  run: runP3,
  rows: (f) => [
    ['P3', `reads kept during own sign-in flood (flood ÷ idle req/s, ${READER_CONNECTIONS} connections)`, fmt(f.gatehouse, 2), `${fmt(f.baseline, 2)} (Better Auth)`, fmt(f.ratio, 2), 'report'],
    ['P3 reads/s idle → flood', idleToFlood(f.readsPerSecond.gatehouse), idleToFlood(f.readsPerSecond.peer)],
    ['P3 read p99 idle → flood, ms', idleToFlood(f.p99Ms.gatehouse, 1), idleToFlood(f.p99Ms.peer, 1)],
    ['P3 sign-ins/s of the flood', fmt(f.floodSignInsPerSecond.gatehouse, 1), fmt(f.floodSignInsPerSecond.peer, 1)],
  ],
};
