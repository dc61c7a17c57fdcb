/**
 * Running the `gatehouse` CLI against a temporary data directory, and a server on that same
 * SQLite file, for the CLI tests.
 *
 * `run` calls `runCli` in this process with a captured io, the workspace's environment and
 * the given stdin: the same dispatch, parsing and error handling as `node bin/gatehouse.js`,
 * without paying a Node start and an app load per call. `runProcess` spawns the real binary,
 * for what only a process shows: a piped stdin, exit codes, signals.
 *
 * Each command gets a clean environment: only PATH/HOME/locale from ours, plus DATA_DIR, cheap
 * argon2id parameters and NODE_ENV=test, so a developer's DATABASE_URL, REDIS_URL or
 * SECRET_KEY never leaks in. No `.env` is read: in-process runs skip it, and processes run
 * with the data dir as their working directory (the CLI loads `.env` from there).
 *
 * Every line a command prints is checked against the workspace's forbidden strings (the
 * passwords it was given, and `$argon2`): `run` fails the test the moment one shows up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { captureLogs, FAST_HASH_ENV } from './server.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const GATEHOUSE_BIN = path.join(REPO_ROOT, 'bin', 'gatehouse.js');

/**
 * Never printed by any command: password hashes (argon2, and the werkzeug formats a later
 * import reads; their bare scheme names may appear in help text, a salted hash may not).
 * Passwords are added per workspace.
 */
const ALWAYS_FORBIDDEN: (string | RegExp)[] = ['$argon2', /pbkdf2:sha256:\d+\$[^$\s]+\$[0-9a-f]{16}/, /scrypt:\d+:\d+:\d+\$[^$\s]+\$[0-9a-f]{16}/];

export interface CliResult {
  /** Exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (stdin is always a pipe, never a TTY). */
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ServeProcess {
  url: string;
  port: number;
  /** The process id the parent spawned. */
  pid: number;
  /** What it printed so far. */
  output: { stdout: string; stderr: string };
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliResult>;
}

export interface SharedServer extends RunningServer {
  url: string;
  /** Every log line written so far, raw JSON text. */
  logs: string[];
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // The CLI speaks the terminal's language (LC_ALL, LC_MESSAGES, LANG); these tests read English.
  return { ...env, LANG: 'C.UTF-8' };
}

/** One-line answer on stderr (and nothing on stdout), as the contract asks of bad input. */
export function assertOneLineError(result: CliResult, label: string): string {
  const err = result.stderr.replace(/\n$/, '');
  assert.notEqual(result.code, 0, `${label}: expected a non-zero exit, got 0 (stdout: ${result.stdout})`);
  assert.ok(err.length > 0, `${label}: no reason on stderr`);
  assert.ok(!err.includes('\n'), `${label}: the reason is not one line:\n${err}`);
  assert.ok(!/\n\s+at /.test(result.stderr), `${label}: a stack trace was printed`);
  assert.equal(result.stdout, '', `${label}: unexpected stdout`);
  return err;
}

/** Runs `work` over `items`, at most `limit` at a time (CLI processes are CPU-heavy to start). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class CliWorkspace {
  readonly dataDir: string;
  readonly forbidden: (string | RegExp)[] = [...ALWAYS_FORBIDDEN];
  /** Everything every command printed, for a final sweep. */
  readonly transcript: string[] = [];
  private readonly servers: SharedServer[] = [];
  private readonly processes: ((signal?: NodeJS.Signals) => Promise<CliResult>)[] = [];

  constructor() {
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-'));
  }

  get env(): Record<string, string> {
    return { ...baseEnv(), DATA_DIR: this.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...FAST_HASH_ENV };
  }

  /** Marks a string (a password) that no command output or server log may contain. */
  forbid(...secrets: string[]): void {
    this.forbidden.push(...secrets);
  }

  /** Fails when `text` holds a forbidden string; the message never repeats the string. */
  assertClean(text: string, label: string): void {
    this.forbidden.forEach((secret, index) => {
      const found = typeof secret === 'string' ? text.includes(secret) : secret.test(text);
      assert.ok(!found, `${label}: output contains forbidden string #${index} (a password or a hash)`);
    });
  }

  /** Checks a finished command's output, records it, and returns it (or throws). */
  private finish(label: string, result: CliResult): CliResult {
    this.transcript.push(result.stdout, result.stderr);
    this.assertClean(result.stdout, `${label} (stdout)`);
    this.assertClean(result.stderr, `${label} (stderr)`);
    return result;
  }

  /** `gatehouse <args>` in this process: runCli with this workspace's env and `input` as stdin. */
  async run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const label = `gatehouse ${args.join(' ')}`;
    let stdout = '';
    let stderr = '';
    const io = { out: (line: string) => (stdout += `${line}\n`), err: (line: string) => (stderr += `${line}\n`) };
    const context = { env: { ...this.env, ...options.env }, stdin: Readable.from([options.input ?? '']), loadDotEnv: false };
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: no answer after ${timeoutMs} ms (waiting for stdin?)`)), timeoutMs);
    });
    try {
      const code = await Promise.race([runCli(args, io, context), timedOut]);
      return this.finish(label, { code, signal: null, stdout, stderr });
    } finally {
      clearTimeout(timer);
    }
  }

  /** `node bin/gatehouse.js <args>` as a real process, `input` piped to its stdin. */
  runProcess(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const label = `gatehouse ${args.join(' ')} (process)`;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
        cwd: this.dataDir,
        env: { ...this.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        try {
          const result = this.finish(label, { code, signal, stdout, stderr });
          if (signal === 'SIGKILL') throw new Error(`${label}: killed after ${options.timeoutMs ?? 30_000} ms (waiting for stdin?)`);
          resolve(result);
        } catch (error) {
          reject(error);
        }
      });
      child.stdin.on('error', () => {}); // the command may exit before reading its input
      child.stdin.end(options.input ?? '');
    });
  }

  /**
   * `gatehouse serve` as its own process on port 0 of 127.0.0.1 (the kernel picks a free
   * port, so no other process can take it first); resolves once the banner names the bound
   * address and that address answers /healthz. `stop(signal)` sends the signal and resolves
   * with how it ended.
   */
  async spawnServe(env: Record<string, string> = {}): Promise<ServeProcess> {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
      cwd: this.dataDir,
      env: { ...this.env, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
    const exited = new Promise<CliResult>((resolve) => {
      child.on('close', (code, signal) => {
        this.transcript.push(output.stdout, output.stderr);
        resolve({ code, signal, ...output });
      });
    });
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const ended = await exited;
        throw new Error(`gatehouse serve exited (${ended.code ?? ended.signal}) before answering: ${ended.stderr || ended.stdout}`);
      }
      url ??= /Gatehouse is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)?.[1];
      if (url && (await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`gatehouse serve did not answer /healthz within 30 s: ${output.stderr || output.stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<CliResult> => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    };
    this.processes.push(stop);
    const bound = url!;
    return { url: bound, port: Number(new URL(bound).port), pid: child.pid!, output, stop };
  }

  /** A server in this process on the same DATA_DIR (so the same SQLite file and secret). */
  async startServer(env: Record<string, string> = {}): Promise<SharedServer> {
    const { logs, logStream } = captureLogs();
    // PORT=0: bound by the kernel; the running server reports its URL.
    const running = await startServer(
        loadConfig({
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: '0',
          DATA_DIR: this.dataDir,
          LOG_LEVEL: 'info',
          GLOBAL_RATE_LIMIT: '0',
          ...FAST_HASH_ENV,
          ...env,
        }),
        { logStream },
      );
    const server: SharedServer = { ...running, logs };
    this.servers.push(server);
    return server;
  }

  /** Stops the servers (checking their logs are clean) and removes the data dir. */
  async cleanup(): Promise<void> {
    try {
      for (const stop of this.processes) await stop('SIGKILL');
      for (const server of this.servers) {
        await server.stop();
        this.assertClean(server.logs.join('\n'), 'server log');
      }
      this.assertClean(this.transcript.join('\n'), 'CLI transcript');
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
