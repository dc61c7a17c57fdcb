/**
 * The pieces of a real forward-auth deployment for test/proxy: a Gatehouse test server that
 * trusts 127.0.0.1 as its proxy (FORWARD_AUTH_DOMAINS and the cookie domain `example.test`,
 * NODE_ENV=development so plain-http targets on loopback are allowed), a tiny upstream that
 * answers every request with the headers it received as JSON (and /app-forbidden with a 403
 * of its own), a proxy (nginx or Caddy) started
 * as a child process from the template in docs/forward-auth/, and a client that speaks to the
 * proxy with any Host header (fetch cannot set one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTestServer, type TestServer } from '../helpers/server.ts';

export const APP_HOST = 'app.example.test';
export const BASE_URL = 'http://auth.example.test';
const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/forward-auth');

export interface Upstream {
  port: number;
  /** The headers of the last request the application received (undefined: none reached it). */
  last: IncomingHttpHeaders | undefined;
  server: Server;
}

export async function startUpstream(): Promise<Upstream> {
  const upstream: Upstream = { port: 0, last: undefined, server: createServer() };
  upstream.server.on('request', (req, res) => {
    upstream.last = req.headers;
    // The application's own refusal, which the proxy must pass on as it is.
    if (req.url?.startsWith('/app-forbidden')) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('the application says no');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.port = (upstream.server.address() as { port: number }).port;
  return upstream;
}

/** Moves the Gatehouse server's clock (max_age rules). */
export const clockOffset = { ms: 0 };

export function startGatehouse(): Promise<TestServer> {
  return startTestServer(
    {
      NODE_ENV: 'development',
      BASE_URL,
      TRUST_PROXY: '127.0.0.1',
      FORWARD_AUTH_DOMAINS: 'example.test',
      FORWARD_AUTH_COOKIE_DOMAIN: 'example.test',
      REGISTER_MAX_PER_HOUR: '1000',
      SECRET_KEY: 'proxy-tests-secret-key-0123456789abcdef0123456789',
    },
    { clock: { now: () => Date.now() + clockOffset.ms } },
  );
}

export interface RunningProxy {
  port: number;
  stop(): Promise<void>;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`no value for {{${name}}}`);
    return values[name]!;
  });
}

/** Resolves once something accepts HTTP on the port, or rejects with the child's output. */
async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/_probe', headers: { host: 'probe.invalid' } }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`proxy did not listen on ${port}: ${output()}`);
}

function run(command: string, args: string[], env: Record<string, string>, port: number, temp: string): Promise<RunningProxy> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(temp, { recursive: true, force: true });
  };
  return waitForPort(port, child, () => output).then(
    () => ({ port, stop }),
    async (error) => {
      await stop();
      throw error;
    },
  );
}

/** nginx from docs/forward-auth/nginx.conf, as a child process (never a system service). */
export async function startNginx(gatehousePort: number, appPort: number): Promise<RunningProxy> {
  const temp = mkdtempSync(path.join(tmpdir(), 'gatehouse-nginx-'));
  const port = await freePort();
  const conf = path.join(temp, 'nginx.conf');
  writeFileSync(conf, fill(readFileSync(path.join(DOCS, 'nginx.conf'), 'utf8'), { LISTEN: `127.0.0.1:${port}`, APP_HOST, GATEHOUSE: `127.0.0.1:${gatehousePort}`, APP: `127.0.0.1:${appPort}`, TEMP: temp }));
  return run('/usr/sbin/nginx', ['-p', temp, '-c', conf, '-e', path.join(temp, 'error.log'), '-g', `daemon off; pid ${path.join(temp, 'nginx.pid')};`], {}, port, temp);
}

/** Caddy from docs/forward-auth/Caddyfile, as a child process. */
export async function startCaddy(gatehousePort: number, appPort: number): Promise<RunningProxy> {
  const temp = mkdtempSync(path.join(tmpdir(), 'gatehouse-caddy-'));
  mkdirSync(path.join(temp, 'home'));
  const port = await freePort();
  const file = path.join(temp, 'Caddyfile');
  writeFileSync(file, fill(readFileSync(path.join(DOCS, 'Caddyfile'), 'utf8'), { APP_HOST, PORT: String(port), GATEHOUSE: `127.0.0.1:${gatehousePort}`, APP: `127.0.0.1:${appPort}`, TEMP: temp }));
  const home = path.join(temp, 'home');
  return run('/usr/bin/caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home }, port, temp);
}

export interface ProxiedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the proxy as a browser on `Host: app.example.test:<port>` (or `host`) would send it. */
export function viaProxy(port: number, pathname: string, options: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: { host: options.host ?? `${APP_HOST}:${port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
