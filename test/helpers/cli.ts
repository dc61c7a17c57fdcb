/**
 * Running the real `gatehouse` CLI (`node bin/gatehouse.js …`) against a temporary data
 * directory, and a server on that same SQLite file, for the CLI tests.
 *
 * Each child gets a clean environment: only PATH/HOME/locale from ours, plus DATA_DIR, cheap
 * argon2id parameters and NODE_ENV=test, so a developer's DATABASE_URL, REDIS_URL or
 * SECRET_KEY never leaks in. It runs with the data dir as its working directory, so no
 * `.env` of the checkout is read either (the CLI loads `.env` from its working directory).
 *
 * Every line a command prints is checked against the workspace's forbidden strings (the
 * passwords it was given, and `$argon2`): `run` fails the test the moment one shows up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { captureLogs, FAST_HASH_ENV, freePort } from './server.ts';

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
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
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

  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const label = `gatehouse ${args.join(' ')}`;
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
        this.transcript.push(stdout, stderr);
        try {
          this.assertClean(stdout, `${label} (stdout)`);
          this.assertClean(stderr, `${label} (stderr)`);
          if (signal === 'SIGKILL') throw new Error(`${label}: killed after ${options.timeoutMs ?? 30_000} ms (waiting for stdin?)`);
        } catch (error) {
          return reject(error);
        }
        resolve({ code, signal, stdout, stderr });
      });
      child.stdin.on('error', () => {}); // the command may exit before reading its input
      child.stdin.end(options.input ?? '');
    });
  }

  /**
   * `gatehouse serve` as its own process on a free port of 127.0.0.1; resolves once it
   * answers /healthz. `stop(signal)` sends the signal and resolves with how it ended.
   */
  async spawnServe(env: Record<string, string> = {}): Promise<ServeProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
      cwd: this.dataDir,
      env: { ...this.env, HOST: '127.0.0.1', PORT: String(port), ...env },
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
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const ended = await exited;
        throw new Error(`gatehouse serve exited (${ended.code ?? ended.signal}) before answering: ${ended.stderr || ended.stdout}`);
      }
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
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
    return { url, port, output, stop };
  }

  /** A server in this process on the same DATA_DIR (so the same SQLite file and secret). */
  async startServer(env: Record<string, string> = {}): Promise<SharedServer> {
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'info',
      GLOBAL_RATE_LIMIT: '0',
      ...FAST_HASH_ENV,
      ...env,
    });
    const { logs, logStream } = captureLogs();
    const running = await startServer(config, { logStream });
    const server: SharedServer = { ...running, url: `http://127.0.0.1:${port}`, logs };
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
