/**
 * B12: RSS growth of one fresh Gatehouse process after cfg.b12Targets forward-auth calls,
 * each for a target no earlier call named (target ≤ 32 MiB; the baseline column is the RSS
 * after start). Nothing per target should be retained: a proxy in front of many hosts (or a
 * client making up X-Forwarded-Host values) must not grow the server.
 *   Server: forward-auth configured (FORWARD_AUTH_ENV), cheap argon2id (only one sign-in is
 *     needed), on cfg.backend; one user signed in through the API, its proxy cookie on
 *     every call.
 *   Calls (autocannon `amount`, 16 connections), call n:
 *     n % 10 = 9  outside FORWARD_AUTH_DOMAINS: /auth/verify for https://x<n>.elsewhere.test/… → 403
 *     n even      /auth/verify for https://f<n>.example.test/p/<n>?q=<n>                      → 200
 *     n odd       /auth/verify/nginx for https://n<n>.example.test/p/<n>?q=<n>                → 200
 *     so every allowed call has its own host, i.e. its own JWT audience.
 *   RSS: VmRSS after a full GC (through the probe) after 1 s idle, at half-way, and 1 s after
 *     the load; the JS heap after GC at the same three points. With everything per target
 *     bounded, the heap stops growing once the bounded caches are full, so the second half's
 *     heap growth shows a leak by itself (reported beside the target).
 * Why 32 MiB: the one cache that holds something per target is the JWT reuse cache
 * (src/http/forward-auth/jwt.ts, key = session + audience + claims), bounded at 10 000
 * entries of ≈ 0.9 KB (≈ 560-byte token, ≈ 200-byte key, Map entry and record) ≈ 9 MiB; the
 * refusal recorder (denials.ts) keys by user, reason and client IP, not by target, also
 * bounded at 10 000; on top, allocator and SQLite page-cache slack, ≈ 17 MiB in B5 after
 * 200 000 sign-in attempts. 9 + 17 ≈ 26 MiB, rounded up to 32; anything kept for every one of
 * 100 000 targets at ≥ ~250 bytes (a per-host counter, an unbounded cache) would cross it.
 * Measured 2026-12-02 (SQLite): the heap after GC stays flat (≈ +3 MiB, nothing in the second
 * half). RSS grew 28–56 MiB while Node 24's young generation could reach 64 MiB per semi-space;
 * with `serve`'s --max-semi-space-size=16 (src/cli/young-generation.ts) +2.7 MiB.
 */
import { signInApiCookies, registerUsers } from '../lib/gatehouse-client.mjs';
import { VERIFY_PATHS, verifyHeaders } from '../lib/forward-auth-requests.mjs';
import { cannon, round } from '../lib/measure.mjs';
import { sleep } from '../lib/processes.mjs';
import { measureCpu, otherCoresMax } from '../lib/quiet.mjs';
import { fmt } from '../lib/report.mjs';
import { passes, spread } from '../lib/rounds.mjs';
import { CHEAP_ARGON2, FORWARD_AUTH_ENV, withOwnGatehouse } from '../lib/servers.mjs';

const TARGET = { op: '<=', value: 32 };
const MiB = 2 ** 20;

/** Call number `n` of the flood: the verify path and its headers (see the header comment). */
export function floodCall(n, cookie) {
  if (n % 10 === 9) return { path: VERIFY_PATHS.forwarded, headers: verifyHeaders('forwarded', `https://x${n}.elsewhere.test/p/${n}?q=${n}`, cookie), allowed: false };
  const dialect = n % 2 === 0 ? 'forwarded' : 'nginx';
  const host = `${dialect === 'forwarded' ? 'f' : 'n'}${n}.example.test`;
  return { path: VERIFY_PATHS[dialect], headers: verifyHeaders(dialect, `https://${host}/p/${n}?q=${n}`, cookie), allowed: true };
}

/** Calls `from` … `from + count − 1` over 16 connections. */
function flood(gh, cookie, from, count) {
  let n = from;
  const requests = [
    {
      method: 'GET',
      setupRequest: (request) => {
        const { path, headers } = floodCall(n++, cookie);
        return { ...request, path, headers };
      },
    },
  ];
  return measureCpu({ server: gh.pid }, () => cannon({ url: gh.url, requests, amount: count, connections: 16 }));
}

/**
 * RSS (after a full GC and 1 s idle), the heap in use after that GC and the heap V8 keeps
 * reserved (heapTotal: the young generation grows under load and is not given back at once,
 * so RSS can grow with nothing retained).
 */
async function settled(gh) {
  await gh.snapshot();
  await sleep(1000);
  const { memory } = await gh.snapshot();
  return { rssMiB: gh.memory().rssMiB, heapMiB: memory.heapUsed / MiB, heapTotalMiB: memory.heapTotal / MiB, externalMiB: memory.external / MiB };
}

async function measure(ctx, gh, backend, what) {
  const { cfg, log } = ctx;
  const [user] = await registerUsers(gh.url, 1, { prefix: 'fa', passwordLength: 12 });
  const { proxy } = await signInApiCookies(gh.url, user);
  if (!proxy) throw new Error('the sign-in set no forward-auth proxy cookie');
  const start = await settled(gh);
  log(`  RSS after start (after GC): ${start.rssMiB.toFixed(1)} MiB, heap ${start.heapMiB.toFixed(1)} MiB; ${cfg.b12Targets} calls, each for a new target`);
  const half = Math.floor(cfg.b12Targets / 2);
  const first = await flood(gh, proxy, 0, half);
  const middle = await settled(gh);
  log(`  ${first.result.requests} allowed of ${half} in ${first.result.seconds.toFixed(1)} s; RSS ${middle.rssMiB.toFixed(1)} MiB, heap ${middle.heapMiB.toFixed(1)} MiB`);
  const second = await flood(gh, proxy, half, cfg.b12Targets - half);
  const end = await settled(gh);
  const growth = end.rssMiB - start.rssMiB;
  log(`  settled RSS ${end.rssMiB.toFixed(1)} MiB (growth ${growth.toFixed(1)} MiB), heap ${end.heapMiB.toFixed(1)} MiB`);

  const statuses = {};
  for (const run of [first, second]) for (const [code, count] of Object.entries(run.result.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const expectedRefused = Array.from({ length: cfg.b12Targets }, (_, n) => n).filter((n) => !floodCall(n, '').allowed).length;
  const unexpected = Object.entries(statuses).filter(([code]) => code !== '200' && code !== '403').reduce((sum, [, count]) => sum + count, 0);
  const answered = (statuses[200] ?? 0) + (statuses[403] ?? 0);
  const errors = first.result.errors + second.result.errors + first.result.timeouts + second.result.timeouts;
  return {
    id: 'B12',
    what,
    unit: 'MiB',
    gatehouse: spread([growth]),
    baseline: spread([start.rssMiB]),
    ratio: spread([growth]),
    rss: {
      startMiB: round(start.rssMiB, 1),
      halfMiB: round(middle.rssMiB, 1),
      endMiB: round(end.rssMiB, 1),
      growthSettledMiB: round(growth, 1),
      growthSecondHalfMiB: round(end.rssMiB - middle.rssMiB, 1),
    },
    heapUsedMiB: {
      start: round(start.heapMiB, 1),
      half: round(middle.heapMiB, 1),
      end: round(end.heapMiB, 1),
      growthSecondHalf: round(end.heapMiB - middle.heapMiB, 2),
    },
    heapTotalMiB: { start: round(start.heapTotalMiB, 1), half: round(middle.heapTotalMiB, 1), end: round(end.heapTotalMiB, 1) },
    externalMiB: { start: round(start.externalMiB, 1), end: round(end.externalMiB, 1) },
    callsPerSecond: round(answered / (first.result.seconds + second.result.seconds), 0),
    responses: statuses,
    expected: { allowed: cfg.b12Targets - expectedRefused, refused: expectedRefused },
    cpu: { firstHalf: first.cpu, secondHalf: second.cpu },
    otherCoresMax: otherCoresMax([first, second]),
    target: TARGET,
    pass: passes(TARGET, growth),
    // Every call answered 200 (inside the domains) or 403 (outside), none failed.
    valid: unexpected === 0 && errors === 0 && answered === cfg.b12Targets && (statuses[403] ?? 0) === expectedRefused,
    badResponses: unexpected + errors + Math.abs(cfg.b12Targets - answered),
    method:
      `one fresh server (${backend.describe}), forward-auth configured, one signed-in proxy cookie; ${cfg.b12Targets} calls (autocannon amount, ` +
      `16 connections), each for a new host: 45 % /auth/verify and 45 % /auth/verify/nginx inside FORWARD_AUTH_DOMAINS (200, a JWT per audience), ` +
      `10 % outside (403 target_refused); RSS = VmRSS from /proc after a full GC and 1 s idle, at start, half-way and end; heap = heapUsed after that GC`,
  };
}

async function run(ctx) {
  const what = `RSS growth after ${ctx.cfg.b12Targets} forward-auth calls, each for a distinct target`;
  ctx.log(`B12: ${what}`);
  return withOwnGatehouse(ctx, 'gatehouse-b12', { ...FORWARD_AUTH_ENV, ...CHEAP_ARGON2, REGISTER_MAX_PER_HOUR: '1000000' }, (gh, backend) => measure(ctx, gh, backend, what));
}

export const B12 = {
  id: 'B12',
  run,
  rows: (f, cfg) => [
    ['B12', `RSS growth, ${cfg.b12Targets} forward-auth calls for distinct targets, MiB (settled after GC)`, `${f.rss.growthSettledMiB}`, `${f.rss.startMiB} MiB RSS after start`, '—', '≤ 32 MiB'],
    ['B12 JS heap after GC, start / half-way / end, MiB (second half: growth once caches are full)', `${f.heapUsedMiB.start} / ${f.heapUsedMiB.half} / ${f.heapUsedMiB.end} (${f.heapUsedMiB.growthSecondHalf >= 0 ? '+' : ''}${f.heapUsedMiB.growthSecondHalf})`],
    ['B12 V8 heap reserved (heapTotal), start / half-way / end, MiB', `${f.heapTotalMiB.start} / ${f.heapTotalMiB.half} / ${f.heapTotalMiB.end}`],
    ['B12 calls/s; answers', `${fmt({ median: f.callsPerSecond, min: f.callsPerSecond, max: f.callsPerSecond })}`, JSON.stringify(f.responses)],
  ],
};
