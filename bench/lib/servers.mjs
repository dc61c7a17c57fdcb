/**
 * The processes the figures measure, started the same way by every figure: Gatehouse
 * (`node bin/gatehouse.js serve` with the benchmark's environment), the bare-Fastify
 * baseline, the storage backend (its cleanup also runs on Ctrl-C), and the two one-shot load
 * scripts (bench/signin-load.mjs, bench/argon2-baseline.mjs).
 *
 * `ctx` is the run's context (run.mjs): { cfg, log, tmpRoot, secretKey, results, cleanups }.
 */
import path from 'node:path';
import { provisionBackend } from './backends.mjs';
import { BASELINE_SERVER, BENCH_DIR, freePort, GATEHOUSE_BIN, makeWorkDir, runJsonScript, startServerProcess } from './processes.mjs';
import { codeFingerprint } from './report.mjs';

/** The production argon2id parameters (OWASP), set explicitly so a .env cannot change them. */
export const PRODUCTION_ARGON2 = { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' };
/**
 * Forward-auth as a deployment behind one reverse proxy on this host would set it: the portal
 * at auth.example.test, the protected applications anywhere under example.test, the proxy
 * cookie for that parent domain, and the proxy's address (loopback, where the load comes from)
 * trusted. Used by the B1–B4 set-up (fixture.mjs), B12 and bench/forward-auth.mjs.
 */
export const FORWARD_AUTH_ENV = {
  BASE_URL: 'https://auth.example.test',
  TRUST_PROXY: '127.0.0.1',
  FORWARD_AUTH_DOMAINS: 'example.test',
  FORWARD_AUTH_COOKIE_DOMAIN: 'example.test',
};
const SIGNIN_LOAD = path.join(BENCH_DIR, 'signin-load.mjs');
const ARGON2_BASELINE = path.join(BENCH_DIR, 'argon2-baseline.mjs');

/** What every Gatehouse process gets besides HOST, PORT, DATA_DIR and SECRET_KEY (also in results.meta). */
export function gatehouseEnv(cfg) {
  return {
    NODE_ENV: cfg.nodeEnv,
    LOG_LEVEL: 'warn',
    GLOBAL_RATE_LIMIT: '0',
    HASH_CONCURRENCY: String(cfg.cpus),
    ...PRODUCTION_ARGON2,
  };
}

/**
 * A Gatehouse server on a free port of 127.0.0.1 with its own temp DATA_DIR; `extraEnv` (the
 * backend's DATABASE_URL/REDIS_URL, limits, cheaper argon2) comes last. With `cpuProfDir`
 * it runs under `node --cpu-prof`.
 */
export async function startGatehouse(ctx, name, extraEnv = {}, { cpuProfDir } = {}) {
  const server = await startServerProcess({
    name,
    script: GATEHOUSE_BIN,
    args: ['serve'],
    port: await freePort(),
    readyText: 'Gatehouse is listening',
    workDir: ctx.tmpRoot,
    cpuProfDir,
    env: {
      HOST: '127.0.0.1',
      DATA_DIR: makeWorkDir(ctx.tmpRoot, name),
      SECRET_KEY: ctx.secretKey,
      ...gatehouseEnv(ctx.cfg),
      ...extraEnv,
    },
  });
  (ctx.results.meta.servers ??= []).push({ name, startedAt: new Date().toISOString(), code: codeFingerprint() });
  return server;
}

/**
 * bench/baseline-server.js serving the captured page (/page), JSON (/json) and, given
 * `forwardHeadersFile`, an empty 200 with the captured forward-auth headers (/forward); same
 * Node flags.
 */
export async function startBaseline(ctx, { pageFile, jsonFile, forwardHeadersFile, name = 'baseline', cpuProfDir }) {
  return startServerProcess({
    name,
    script: BASELINE_SERVER,
    port: await freePort(),
    readyText: 'baseline listening',
    workDir: ctx.tmpRoot,
    cpuProfDir,
    env: {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      BENCH_PAGE_FILE: pageFile,
      BENCH_JSON_FILE: jsonFile,
      ...(forwardHeadersFile ? { BENCH_FORWARD_HEADERS_FILE: forwardHeadersFile } : {}),
      NODE_ENV: ctx.cfg.nodeEnv,
    },
  });
}

/**
 * Cheap argon2id for figures that need many sign-ins but do not measure hashing (B5, B12):
 * what they measure is what the sign-ins leave behind, not their CPU.
 */
export const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' };

/**
 * A figure's own Gatehouse on a fresh `cfg.backend`: `measure(gh, backend)`, then the server
 * stopped and the backend dropped, whatever happened.
 */
export async function withOwnGatehouse(ctx, name, env, measure) {
  const backend = await provision(ctx, ctx.cfg.backend);
  try {
    const gh = await startGatehouse(ctx, name, { ...backend.env, ...env });
    try {
      return await measure(gh, backend);
    } finally {
      await gh.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

/** provisionBackend (backends.mjs), with its cleanup also run if the harness is interrupted. */
export async function provision(ctx, name) {
  const backend = await provisionBackend(name);
  const cleanup = backend.cleanup;
  ctx.cleanups.add(cleanup);
  backend.cleanup = async () => {
    ctx.cleanups.delete(cleanup);
    await cleanup();
  };
  return backend;
}

/** bench/signin-load.mjs against `server` for `durationMs`, cfg.vus virtual users over the users in `usersFile`. */
export function signInLoad(ctx, server, usersFile, durationMs) {
  return runJsonScript(SIGNIN_LOAD, ['--url', server.url, '--users', usersFile, '--vus', String(ctx.cfg.vus), '--duration-ms', String(Math.round(durationMs))]);
}

/** bench/argon2-baseline.mjs: raw argon2id verifications at production parameters, cfg.cpus in flight. */
export function argon2Baseline(ctx, durationMs) {
  const { ARGON2_MEMORY_KIB: m, ARGON2_TIME_COST: t, ARGON2_PARALLELISM: p } = PRODUCTION_ARGON2;
  return runJsonScript(ARGON2_BASELINE, ['--concurrency', String(ctx.cfg.cpus), '--duration-ms', String(durationMs), '--m', m, '--t', t, '--p', p]);
}
