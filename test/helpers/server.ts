/**
 * A real Gatehouse server for tests: its own temp data dir and database (SQLite, or the
 * backend named by TEST_BACKEND — postgres, mysql, postgres+redis — isolated per server), a free port on
 * 127.0.0.1, cheap argon2id parameters (production ones are tested in the hasher and
 * timing tests), log lines captured for assertions. Always `await server.stop()`.
 *
 * Why not PORT=0: the server's origin (BASE_URL, the only `Origin` allowed to post) is fixed
 * from PORT when the config is loaded, before the socket is bound, so a server on port 0
 * would refuse every browser form post. Until start-up can bind first, the port is probed
 * free and a lost race (EADDRINUSE: another process took it in between) retries on a new one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Config, loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { type BackendName, provisionBackend } from './backends.ts';

export interface TestServer extends RunningServer {
  url: string;
  config: Readonly<Config>;
  dataDir: string;
  /** Every log line written so far, raw JSON text. */
  logs: string[];
}

export const FAST_HASH_ENV = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts something on a probed free port, retrying on a fresh port when another process took
 * it between the probe and the listen (EADDRINUSE); any other error is thrown at once.
 */
export async function listenWithRetry<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<{ running: T; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { running: await start(port), port };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= attempts) throw error;
    }
  }
}

/** A stream for the server's logger that keeps every line, for assertions on log content. */
export function captureLogs(): { logs: string[]; logStream: Writable } {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logs, logStream };
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  const backendName = process.env.TEST_BACKEND as BackendName | undefined;
  const backend = backendName && backendName !== 'sqlite' && env.DATABASE_URL === undefined ? await provisionBackend(backendName) : undefined;
  const { logs, logStream } = captureLogs();
  let started: { running: { server: RunningServer; config: Readonly<Config> }; port: number };
  try {
    started = await listenWithRetry(async (port) => {
      const config = loadConfig({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        GLOBAL_RATE_LIMIT: '0',
        ...FAST_HASH_ENV,
        ...backend?.env,
        ...env,
      });
      return { server: await startServer(config, { logStream }), config };
    });
  } catch (error) {
    await backend?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { server, config } = started.running;
  return {
    ...server,
    url: `http://127.0.0.1:${started.port}`,
    config,
    dataDir,
    logs,
    async stop() {
      await server.stop();
      await backend?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
