/**
 * Child processes of the benchmark: Gatehouse servers (`node bin/gatehouse.js serve`), the
 * bare-Fastify baseline, and one-shot helper scripts; plus what the harness reads from
 * /proc about them (RSS, CPU time). Every process started here is remembered and killed
 * (by its own pid) if the harness exits early.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
export const GATEHOUSE_BIN = path.join(REPO_ROOT, 'bin', 'gatehouse.js');
export const BASELINE_SERVER = path.join(BENCH_DIR, 'baseline-server.js');
const PROBE_URL = pathToFileURL(path.join(BENCH_DIR, 'eld-probe.mjs')).href;
const CLOCK_TICKS_PER_SECOND = 100;

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
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: process.env.LANG ?? 'C.UTF-8' };
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

/** CPU seconds (user + system, all threads) a process has used so far; undefined once gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by this process and every process below it, including children
 * that already exited (their time moves into the parent's cutime/cstime when reaped).
 */
export function treeCpuSeconds(rootPid = process.pid) {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
      table.set(Number(entry), { ppid: Number(fields[1]), cpu });
    } catch {
      // exited meanwhile
    }
  }
  const children = new Map();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    total += table.get(pid)?.cpu ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Resets a process's VmHWM to its current RSS (Linux clear_refs 5); false when not allowed. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
export function processMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Whole-machine CPU counters from /proc/stat (jiffies). */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Pids of processes whose command name is one of `names` (e.g. postgres, redis-server); read-only. */
export function pidsByName(names) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

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

export function exists(file) {
  return existsSync(file);
}
