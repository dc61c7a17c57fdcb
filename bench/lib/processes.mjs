/**
 * Child processes of the benchmark: Gatehouse servers (`node bin/gatehouse.js serve`), the
 * bare-Fastify baseline, and one-shot helper scripts. Every process started here gets a
 * clean environment (PATH/HOME/LANG only, plus what the caller passes) and is remembered and
 * killed (by its own pid) if the harness exits early. What is read from /proc about them is
 * in proc.mjs.
 *
 * The repository root and the CLI binary come from test/helpers/process.ts. Its
 * `startInstance` is not used for the servers: it passes the caller's whole environment on
 * (a developer's DATABASE_URL or SECRET_KEY would reach the measured server), cannot put
 * Node flags before the script (--expose-gc, --import bench/eld-probe.mjs, --cpu-prof) and
 * has no SIGKILL fallback; and the baseline server needs the same start-up path anyway.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, REPO_ROOT } from '../../test/helpers/process.ts';
import { processCpuSeconds, processMemory, resetPeakRss } from './proc.mjs';

export { REPO_ROOT };
export const GATEHOUSE_BIN = BIN;
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BASELINE_SERVER = path.join(BENCH_DIR, 'baseline-server.js');
const PROBE_URL = pathToFileURL(path.join(BENCH_DIR, 'eld-probe.mjs')).href;

const running = new Set();

/** Kills (SIGKILL, by pid) every process this harness started that is still running. */
export function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);

/** Only what a Node process needs: the parent's DATABASE_URL, REDIS_URL, … never leak in. */
function baseEnv() {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: process.env.LANG ?? 'C.UTF-8', LC_ALL: 'C.UTF-8' }; // English banner: its text is read
  if (process.env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE;
  return env;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The Node flags every benchmarked server gets (Gatehouse and baseline alike). */
export function serverNodeFlags(cpuProfDir) {
  const flags = ['--expose-gc', '--import', PROBE_URL];
  if (cpuProfDir) flags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  return flags;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a long-running server process and resolves once `readyText` appears on its stdout.
 * The returned handle can take an event-loop/memory snapshot through bench/eld-probe.mjs
 * (SIGUSR2) and stops with SIGTERM (graceful), then SIGKILL after `killAfterMs`.
 */
export async function startServerProcess({ name, script, args = [], env, port, readyText, workDir, cpuProfDir, timeoutMs = 60_000 }) {
  const probeFile = path.join(workDir, `${name}-probe.json`);
  const child = spawn(process.execPath, [...serverNodeFlags(cpuProfDir), script, ...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env, PORT: String(port), BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stderr.on('data', keep);
  let exited = false;
  const exitPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      running.delete(child);
      resolve(code ?? signal);
    }),
  );
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    });
    exitPromise.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`));
    });
  });

  const readProbe = () => {
    try {
      return JSON.parse(readFileSync(probeFile, 'utf8'));
    } catch {
      return undefined;
    }
  };

  return {
    name,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    cpuSeconds: () => processCpuSeconds(child.pid),
    memory: () => processMemory(child.pid),
    resetPeak: () => resetPeakRss(child.pid),
    /** Event-loop delay since the previous snapshot and memory after a full GC. */
    async snapshot(timeoutMs = 10_000) {
      const before = readProbe()?.seq ?? 0;
      child.kill('SIGUSR2');
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const data = readProbe();
        if (data && data.seq > before) return data;
        await sleep(20);
      }
      throw new Error(`${name}: no probe snapshot (is bench/eld-probe.mjs loaded?)`);
    },
    async stop(killAfterMs = 15_000) {
      if (exited) return exitPromise;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const code = await exitPromise;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a helper script to completion and parses the last JSON line it printed. */
export function runJsonScript(script, args, { env = {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      const last = stdout.trim().split('\n').at(-1);
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve({ ...JSON.parse(last), pid: child.pid });
      } catch (error) {
        reject(new Error(`${path.basename(script)} failed (${error.message}):\n${stderr}\n${stdout}`));
      }
    });
  });
}

export function newSecretKey() {
  return randomBytes(32).toString('hex');
}

export function makeWorkDir(root, name) {
  return mkdtempSync(path.join(root, `${name}-`));
}
