/**
 * CPU profiles: `node --cpu-prof` on a Gatehouse process under B1, B2, B3, B10 and B11 load,
 * and on the baseline process under B1 and B2 load (for comparison per request), one process per
 * scenario, raw profiles in bench/profiles/<scenario>/. Each profile is cut to the load's
 * window (hrtime instants from the probe snapshots around it, after a warm-up), so start-up,
 * module loading and the warm-up stay out; self times are also given per request (per
 * sign-in for B3). Users are registered by an unprofiled server on the same storage first, so
 * hashing and zxcvbn at registration stay out of the profiles.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { formatSummary, perUnit, pickProfile, summarize } from '../cpuprofile-top.mjs';
import { cannon, round } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/processes.mjs';
import { VERIFY_PATHS } from '../lib/forward-auth-requests.mjs';
import { FORWARD_AUTH_ENV, provision, signInLoad, startBaseline, startGatehouse } from '../lib/servers.mjs';
import { captureForwardAuth, captureSignedIn, registerUsersFile } from './fixture.mjs';

const PROFILES_DIR = path.join(BENCH_DIR, 'profiles');

/** scenario dir → how to start its process, what to prepare, and the loads profiled in it. */
const SCENARIOS = [
  {
    dir: 'b1-b2',
    start: (ctx, setup, cpuProfDir) => startGatehouse(ctx, 'profile-b1-b2', setup.env, { cpuProfDir }),
    // The captured page and JSON are what the baseline scenario serves next.
    prepare: async (ctx, setup, server) => {
      setup.captured = await captureSignedIn(ctx, server.url, setup.users[0], 'profile-');
      return { cookie: setup.captured.cookie };
    },
    loads: { b1: '/dashboard', b2: '/api/v1/me' },
  },
  {
    dir: 'baseline',
    start: (ctx, setup, cpuProfDir) => startBaseline(ctx, { ...setup.captured, name: 'profile-baseline', cpuProfDir }),
    prepare: async () => ({ cookie: 'gatehouse_session=x' }),
    loads: { 'baseline-b1': '/page', 'baseline-b2': '/json' },
  },
  {
    dir: 'forward-auth',
    start: (ctx, setup, cpuProfDir) => startGatehouse(ctx, 'profile-forward-auth', setup.env, { cpuProfDir }),
    // Each load gets its dialect's request headers (and the proxy cookie), as in B10/B11.
    prepare: async (ctx, setup, server) => (await captureForwardAuth(ctx, server.url, setup.users[0])).requests,
    headersOf: (requests, id) => requests[id === 'b10' ? 'forwarded' : 'nginx'],
    loads: { b10: VERIFY_PATHS.forwarded, b11: VERIFY_PATHS.nginx },
  },
  {
    dir: 'b3',
    start: (ctx, setup, cpuProfDir) => startGatehouse(ctx, 'profile-b3', setup.env, { cpuProfDir }),
    prepare: async () => ({}),
    loads: { b3: 'sign-ins' },
  },
];

/** How many profiles a complete run has. */
export const PROFILE_COUNT = SCENARIOS.reduce((n, s) => n + Object.keys(s.loads).length, 0);

/** One load of `duration` seconds on `server`: autocannon on a path, or the sign-in flow. */
function load(ctx, setup, server, target, headers, duration) {
  if (target === 'sign-ins') return signInLoad(ctx, server, setup.usersFile, duration * 1000);
  return cannon({ url: `${server.url}${target}`, connections: ctx.cfg.connections, duration, headers });
}

async function profileScenario(ctx, setup, scenario) {
  const { cfg, log } = ctx;
  const dir = path.join(PROFILES_DIR, scenario.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`profile ${scenario.dir}: node --cpu-prof --cpu-prof-dir=${path.relative(process.cwd(), dir)}`);
  const server = await scenario.start(ctx, setup, dir);
  const windows = {};
  try {
    const prepared = await scenario.prepare(ctx, setup, server);
    for (const [id, target] of Object.entries(scenario.loads)) {
      const headers = scenario.headersOf ? scenario.headersOf(prepared, id) : prepared;
      await load(ctx, setup, server, target, headers, cfg.warmup);
      const from = await server.snapshot();
      const result = await load(ctx, setup, server, target, headers, cfg.duration);
      const to = await server.snapshot();
      const units = target === 'sign-ins' ? result.signIns : result.requests;
      windows[id] = { fromUs: from.doneUs, toUs: to.receivedUs, units, perSecond: result.perSecond, unitName: target === 'sign-ins' ? 'sign-in' : 'request' };
    }
  } finally {
    await server.stop();
  }
  const file = pickProfile(dir);
  for (const [id, window] of Object.entries(windows)) {
    const summary = perUnit(summarize(file, 15, window), window.units, window.unitName);
    summary.file = path.relative(BENCH_DIR, summary.file);
    summary.load = `${id} load for ${cfg.duration} s (${round(window.perSecond, 1)} ${window.unitName}s/s while profiled)`;
    ctx.results.profiles[id] = summary;
    log(formatSummary(summary));
  }
}

/** Profiles every scenario in turn into ctx.results.profiles (those made before a failure stay). */
export async function runProfiles(ctx) {
  const backend = await provision(ctx, ctx.cfg.backend);
  try {
    // As the shared set-up of B1–B4/B7–B11 (fixture.mjs): forward-auth configured.
    const env = { ...backend.env, ...FORWARD_AUTH_ENV, REGISTER_MAX_PER_HOUR: '1000000' };
    const registrar = await startGatehouse(ctx, 'profile-setup', env);
    let registered;
    try {
      registered = await registerUsersFile(ctx, registrar.url, { count: ctx.cfg.b3Users, prefix: 'profile-', userPrefix: 'prof' });
    } finally {
      await registrar.stop();
    }
    const setup = { env, ...registered };
    for (const scenario of SCENARIOS) await profileScenario(ctx, setup, scenario);
  } finally {
    await backend.cleanup();
  }
}
