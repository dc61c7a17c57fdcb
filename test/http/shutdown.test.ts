// Property: the real CLI server announces itself, and on SIGTERM finishes in-flight requests and exits 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { freePort } from '../helpers/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'gatehouse.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: () => string;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` without npm: `node bin/gatehouse.js serve`, development defaults, cheap argon2id. */
async function serve(ready: RegExp = /create-admin/): Promise<Served> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-shutdown-'));
  dirs.push(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    LOG_LEVEL: 'info',
    LC_ALL: 'C.UTF-8',
  };
  for (const name of ['NODE_ENV', 'HOST', 'BASE_URL', 'DATABASE_URL', 'REDIS_URL', 'SECRET_KEY', 'REGISTRATION', 'MIGRATE']) delete env[name];
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    for (const check of listeners) check();
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const served: Served = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    output: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\n${served.output()}`));
        }, timeoutMs);
        function check() {
          if (!pattern.test(stdout)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        }
        listeners.add(check);
        void exited.then(({ code }) => {
          if (!pattern.test(stdout)) reject(new Error(`exited with ${code} before ${pattern}\n${served.output()}`));
        });
        check();
      });
    },
    exited,
  };
  await served.waitFor(ready);
  return served;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref()),
  ]);
}

test('serve prints the URL it listens on and how to create the first admin', async () => {
  const served = await serve();
  try {
    await served.waitFor(/create-admin/);
    const out = served.stdout();
    assert.ok(out.includes(`http://127.0.0.1:${served.port}`), out);
    assert.match(out, /gatehouse create-admin --username \S+ --email \S+/);
    const health = await fetch(`${served.url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    served.child.kill('SIGTERM');
    await served.exited;
  }
});

test('SIGTERM lets an in-flight sign-in complete, refuses new connections, and exits 0 soon after', async () => {
  const served = await serve();
  const c = new TestClient(served.url);
  await c.get('/register');
  const registered = await c.postForm('/register', { username: 'shutdown', email: 'shutdown@example.test', password: GOOD_PASSWORD });
  assert.equal(registered.status, 303, registered.body.slice(0, 300));
  await c.get('/login');
  const body = new URLSearchParams({ csrf_token: c.lastCsrf!, username: 'shutdown', password: GOOD_PASSWORD }).toString();

  // Headers and half the body now: the request is in flight on the server, waiting for the rest.
  const request = http.request(`${served.url}/login`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      cookie: c.cookieHeader(),
      connection: 'close',
    },
  });
  const response = new Promise<{ status: number; location: string | undefined; setCookie: string[] }>((resolve, reject) => {
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    request.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  request.write(body.slice(0, half));
  await new Promise((resolve) => setTimeout(resolve, 300));

  const signalledAt = Date.now();
  served.child.kill('SIGTERM');
  await served.waitFor(/SIGTERM/, 5000);

  // While shutting down, no new connection is served.
  const late = await fetch(`${served.url}/healthz`).then(
    (res) => res.status,
    () => 'refused',
  );
  assert.ok(late === 'refused' || late === 503, `a new request during shutdown got ${late}`);

  request.end(body.slice(half));
  const result = await withTimeout(response, 10_000, 'the in-flight request');
  assert.equal(result.status, 303, served.output());
  assert.equal(result.location, '/dashboard');
  assert.ok(result.setCookie.some((line) => line.startsWith('gatehouse_session=')));

  const exit = await withTimeout(served.exited, 5000, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, served.output());
  assert.ok(Date.now() - signalledAt < 5000);
});

test('SIGTERM sent the moment the "listening" banner appears shuts down gracefully with exit 0', async () => {
  // A supervisor may signal as soon as the server says it listens; the handler must be in place by then.
  const served = await serve(/Gatehouse is listening on /);
  const started = Date.now();
  served.child.kill('SIGTERM');
  const exit = await withTimeout(served.exited, 5000, 'exit after SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, served.output());
  assert.ok(Date.now() - started < 5000);
});
