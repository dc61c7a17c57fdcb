#!/usr/bin/env node
/**
 * Gatehouse benchmark: real `node bin/gatehouse.js serve` processes driven over loopback,
 * every figure compared with a baseline measured in the same run (see bench/README.md).
 *
 *   npm run bench                        # B1–B12, P1–P3 (against Better Auth), S1–S2 + CPU profiles, SQLite for B1–B5, B7–B12 and S2
 *   npm run bench -- --backend postgres+redis
 *   npm run bench -- --duration 10 --rounds 5 --only B1,B2 --skip-profile
 *   npm run bench:smoke                  # one short round of everything; proves the harness
 *
 * This file only orchestrates: options (lib/options.mjs, where every flag is listed), one
 * module per figure (figures/), the quiet-machine checks (lib/quiet.mjs), rounds
 * (lib/rounds.mjs) and the report (lib/report.mjs). B1–B4 and B7–B11 share one Gatehouse
 * server and one baseline (figures/fixture.mjs); B5, B6, B12 and the CPU profiles start their own.
 * Exit 0 when every requested figure was produced from error-free runs, 1 otherwise, 2 on a
 * bad option.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { B3 } from './figures/b3-signins.mjs';
import { B4 } from './figures/b4-flood.mjs';
import { B5 } from './figures/b5-memory.mjs';
import { B6 } from './figures/b6-instances.mjs';
import { B7 } from './figures/b7-signin-cpu.mjs';
import { B8, B9 } from './figures/b8-closed-loop.mjs';
import { B12 } from './figures/b12-forward-auth-memory.mjs';
import { S1, S2 } from './figures/scale.mjs';
import { startSharedServers } from './figures/fixture.mjs';
import { B10, B11 } from './figures/forward-auth-throughput.mjs';
import { P1, P2, P3 } from './figures/peer.mjs';
import { PROFILE_COUNT, runProfiles } from './figures/profiles.mjs';
import { B1, B2 } from './figures/throughput.mjs';
import { parseOptions, UsageError } from './lib/options.mjs';
import { killAll, newSecretKey, sleep } from './lib/processes.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { finishReport, newResults } from './lib/report.mjs';
import { gatehouseEnv } from './lib/servers.mjs';

/** In report order. `shared: true` figures run on the shared servers (B1–B4, B7–B11), the others on their own. */
const FIGURES = [B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, P1, P2, P3, S1, S2];

let cfg;
try {
  cfg = parseOptions();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench/run.mjs: ${error.message} (options: see the head of bench/lib/options.mjs)`);
  process.exit(2);
}

const log = (line) => process.stderr.write(`${line}\n`);
const results = newResults(cfg, gatehouseEnv(cfg));
/** The run's context, handed to every figure: see lib/servers.mjs. */
const ctx = { cfg, log, results, tmpRoot: mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-')), secretKey: newSecretKey(), cleanups: new Set() };

/** Runs `work`; a failure becomes a line under `problems` and the run goes on. */
async function attempt(name, work) {
  try {
    await work();
  } catch (error) {
    results.problems.push(`${name}: ${error.stack ?? error.message}`);
    log(`${name} failed: ${error.message}`);
  }
}

/** Each requested figure after a quiet-machine wait; `shared` servers (B1–B4, B7–B11) are set up once. */
async function runFigures(figures, shared) {
  for (const figure of figures) {
    await attempt(figure.id, async () => {
      await waitForQuiet(ctx, figure.id);
      results.figures[figure.id] = await figure.run(ctx, shared);
    });
  }
}

// Ctrl-C / SIGTERM: kill our servers, drop the PostgreSQL schemas and Redis keys, remove temp files.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: stopping the servers and cleaning up`);
    killAll();
    await Promise.race([Promise.allSettled([...ctx.cleanups].map((cleanup) => cleanup())), sleep(5000)]);
    rmSync(ctx.tmpRoot, { recursive: true, force: true });
    process.exit(130);
  });
}

try {
  const wanted = FIGURES.filter((figure) => cfg.only.has(figure.id));
  const sharing = wanted.filter((figure) => figure.shared);
  if (sharing.length) {
    await attempt('shared set-up', async () => {
      const shared = await startSharedServers(ctx);
      try {
        await runFigures(sharing, shared);
      } finally {
        await shared.stop();
      }
    });
  }
  await runFigures(wanted.filter((figure) => !figure.shared));
  if (cfg.profile) {
    await attempt('profile', async () => {
      await waitForQuiet(ctx, 'profile');
      await runProfiles(ctx);
    });
  }
} finally {
  rmSync(ctx.tmpRoot, { recursive: true, force: true });
}

process.exitCode = finishReport(results, FIGURES, cfg, { expectedProfiles: PROFILE_COUNT });
