/**
 * B5: RSS growth of one fresh Gatehouse process after cfg.b5Sessions live sessions and
 * cfg.b5Keys distinct throttle keys (target ≤ 64 MB; the baseline column is the RSS after
 * start). One round only: it is the slowest part of the run.
 *   Server: cheap argon2id (m=1024 t=1, stated) so 100 000 sign-ins take about a minute,
 *     LOGIN_MAX_FAILURES_PER_IP=1000000, on cfg.backend.
 *   Sessions: POST /api/v1/login with the right password (autocannon `amount`, 16
 *     connections, one anonymous pre-session + CSRF token reused, and the device cookie of
 *     one sign-in before: a known browser, so no sign-in queues a new-device notice).
 *   Throttle keys: failed POST /api/v1/login with distinct unknown usernames.
 *   RSS: VmRSS after a full GC (through the probe), after 1 s idle and 1 s after the load;
 *     peak = VmHWM reset after the start reading (VmRSS sampled every 200 ms where the
 *     reset is not allowed). The stored rows/keys are counted afterwards.
 */
import { countStored } from '../lib/backends.mjs';
import { anonymousCsrf, deviceCookieOf, registerUsers } from '../lib/gatehouse-client.mjs';
import { cannon, round } from '../lib/measure.mjs';
import { sleep } from '../lib/processes.mjs';
import { measureCpu, otherCoresMax } from '../lib/quiet.mjs';
import { passes, spread } from '../lib/rounds.mjs';
import { CHEAP_ARGON2, withOwnGatehouse } from '../lib/servers.mjs';

const TARGET = { op: '<=', value: 64 };

/** `count` POST /api/v1/login over 16 connections; the body is fixed, or made per request by `bodyOf(n)`. */
function logins(gh, headers, count, { body, bodyOf }) {
  let n = 0;
  const perRequest = { requests: [{ method: 'POST', path: '/api/v1/login', setupRequest: (request) => ({ ...request, body: bodyOf?.(n++) }) }] };
  const options = { url: `${gh.url}/api/v1/login`, method: 'POST', headers, ...(bodyOf ? perRequest : { body }), amount: count, connections: 16 };
  return measureCpu({ server: gh.pid }, () => cannon(options));
}

async function measure(ctx, gh, backend, what) {
  const { cfg, log } = ctx;
  // A 12-character password: each of the 100 000 sign-ins re-scores it with zxcvbn on the
  // event loop (≈ 0.5 ms at 12 characters, ≈ 6 ms at 26), which would otherwise dominate.
  const [user] = await registerUsers(gh.url, 1, { prefix: 'mem', passwordLength: 12 });
  const anon = await anonymousCsrf(gh.url);
  const headers = { 'content-type': 'application/json', cookie: anon.cookie, 'x-csrf-token': anon.csrfToken };
  // One sign-in first, for its device cookie: the measured ones come from that known browser,
  // as a returning user's do (bench/signin-load.mjs does the same). Without it each of the
  // 100 000 sign-ins is a new device and queues a notice mail, and composing 100 000 mails
  // (nodemailer) is what the RSS then shows, not sessions and keys: see bench/README.md, B5.
  const first = await fetch(`${gh.url}/api/v1/login`, { method: 'POST', headers, body: JSON.stringify({ username: user.username, password: user.password }) });
  const device = deviceCookieOf(first);
  if (first.status !== 200 || !device) throw new Error(`B5: the first sign-in answered ${first.status} and set ${device ? 'a' : 'no'} device cookie`);
  headers.cookie = `${anon.cookie}; ${device}`;
  await sleep(1000);
  const atStart = await gh.snapshot();
  await sleep(500);
  const start = gh.memory();
  const peakReset = gh.resetPeak();
  let sampledPeak = start.rssMiB;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, gh.memory().rssMiB);
  }, 200);
  log(`  RSS after start (after GC): ${start.rssMiB.toFixed(1)} MiB; creating ${cfg.b5Sessions} sessions through POST /api/v1/login`);

  const sessions = await logins(gh, headers, cfg.b5Sessions, { body: JSON.stringify({ username: user.username, password: user.password }) });
  const afterSessions = gh.memory();
  log(`  ${sessions.result.requests} sessions in ${sessions.result.seconds.toFixed(1)} s; RSS ${afterSessions.rssMiB.toFixed(1)} MiB; feeding ${cfg.b5Keys} failed logins`);
  const tag = Date.now().toString(36);
  const wrong = JSON.stringify('not-the-right-password');
  const keys = await logins(gh, headers, cfg.b5Keys, { bodyOf: (n) => `{"username":"ghost${tag}n${n}","password":${wrong}}` });
  clearInterval(sampler);
  const peak = gh.memory();
  sampledPeak = Math.max(sampledPeak, peak.rssMiB);
  const peakMiB = peakReset ? peak.peakMiB : sampledPeak;
  log(`  ${keys.result.statuses[401] ?? 0} failed logins in ${keys.result.seconds.toFixed(1)} s; RSS ${peak.rssMiB.toFixed(1)} MiB, peak ${peakMiB.toFixed(1)} MiB`);
  await gh.snapshot();
  await sleep(1000);
  const atEnd = await gh.snapshot();
  const end = gh.memory();
  const stored = await countStored(backend);
  const growth = end.rssMiB - start.rssMiB;
  const okSessions = sessions.result.statuses[200] ?? 0;
  const okFailures = keys.result.statuses[401] ?? 0;
  log(`  settled RSS ${end.rssMiB.toFixed(1)} MiB (growth ${growth.toFixed(1)} MiB); stored ${JSON.stringify(stored)}`);
  return {
    id: 'B5',
    what,
    unit: 'MiB',
    gatehouse: spread([growth]),
    baseline: spread([start.rssMiB]),
    ratio: spread([growth]),
    rss: {
      startMiB: round(start.rssMiB, 1),
      afterSessionsMiB: round(afterSessions.rssMiB, 1),
      afterKeysMiB: round(peak.rssMiB, 1),
      peakMiB: round(peakMiB, 1),
      peakSource: peakReset ? 'VmHWM, reset after start (clear_refs 5)' : 'VmRSS sampled every 200 ms',
      settledEndMiB: round(end.rssMiB, 1),
      growthSettledMiB: round(growth, 1),
      growthPeakMiB: round(peakMiB - start.rssMiB, 1),
    },
    heapUsedMiB: { start: round(atStart.memory.heapUsed / 2 ** 20, 1), end: round(atEnd.memory.heapUsed / 2 ** 20, 1) },
    rates: { sessionsPerSecond: round(sessions.result.perSecond, 0), failedLoginsPerSecond: round(okFailures / keys.result.seconds, 0) },
    responses: { sessions: sessions.result.statuses, failedLogins: keys.result.statuses },
    stored,
    cpu: { sessions: sessions.cpu, failedLogins: keys.cpu },
    otherCoresMax: otherCoresMax([sessions, keys]),
    target: TARGET,
    pass: passes(TARGET, growth),
    valid: okSessions === cfg.b5Sessions && okFailures === cfg.b5Keys,
    badResponses: cfg.b5Sessions - okSessions + (cfg.b5Keys - okFailures),
    method:
      `one round (a fresh server): argon2id m=1024 t=1 (cheap, so 100k sign-ins take a minute; stated), backend ${backend.describe}; ` +
      `sessions = POST /api/v1/login with the right password from one known browser (its device cookie; autocannon amount, 16 connections); keys = failed POST /api/v1/login ` +
      `with distinct unknown usernames (LOGIN_MAX_FAILURES_PER_IP=1000000); RSS = VmRSS from /proc after a full GC (global.gc via the probe), ` +
      `start after 1 s idle, end 1 s after the load; peak = VmHWM reset after the start reading (or VmRSS sampled every 200 ms)`,
  };
}

async function run(ctx) {
  const what = `RSS growth after ${ctx.cfg.b5Sessions} live sessions and ${ctx.cfg.b5Keys} distinct throttle keys`;
  ctx.log(`B5: ${what}`);
  return withOwnGatehouse(ctx, 'gatehouse-b5', { ...CHEAP_ARGON2, LOGIN_MAX_FAILURES_PER_IP: '1000000', REGISTER_MAX_PER_HOUR: '1000000' }, (gh, backend) => measure(ctx, gh, backend, what));
}

export const B5 = {
  id: 'B5',
  run,
  rows: (f, cfg) => [
    [
      'B5',
      `RSS growth, ${cfg.b5Sessions} sessions + ${cfg.b5Keys} throttle keys, MiB (settled after GC; peak)`,
      `${f.rss.growthSettledMiB} (peak +${f.rss.growthPeakMiB})`,
      `${f.rss.startMiB} MiB RSS after start`,
      '—',
      '≤ 64 MB',
    ],
  ],
};
