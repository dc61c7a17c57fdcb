#!/usr/bin/env node
/**
 * `npm run test:sqlmap`: Debian's sqlmap (installed with apt-get when missing, as root) against
 * a live Gatehouse on 127.0.0.1 with a fresh SQLite file and its throttles relaxed (sqlmap sends
 * thousands of sign-ins; a 429 would hide the query behind it): the sign-in and registration
 * forms (each with its CSRF token), the JSON sign-in (its `X-CSRF-Token` from /api/v1/csrf), and
 * the profile id as a signed-in admin (so different ids give different pages for the boolean
 * and union techniques to tell apart). `--batch --level 3 --risk 3`, two targets at a time.
 *
 * Fails (exit 1) when sqlmap reports an injectable parameter, when the server answered any
 * request with a 5xx, or when a run did not finish within SQLMAP_TARGET_SECONDS (default 600).
 * Prints one line per target with its verdict and the request count sqlmap reported; the full
 * sqlmap logs go to SQLMAP_OUTPUT (default a temp dir, kept on failure).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../src/cli/main.ts';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/main.ts';

const TARGET_SECONDS = Number(process.env.SQLMAP_TARGET_SECONDS ?? 600);
const PARALLEL = 2;
const PASSWORD = `sqlmap-${Math.random().toString(36).slice(2)} harbour quill 4471`;

function ensureSqlmap() {
  if (spawnSync('sqlmap', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log('sqlmap is missing: installing Debian\'s package');
  const install = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install(['install', '-y', '-qq', 'sqlmap']).status !== 0) {
    install(['update', '-qq']);
    if (install(['install', '-y', '-qq', 'sqlmap']).status !== 0) throw new Error('apt-get install sqlmap failed (run as root, or install sqlmap)');
  }
}

/** Runs sqlmap with `args`; resolves with its output and whether it finished in time. */
function sqlmap(name, args, outputDir) {
  return new Promise((resolve) => {
    const child = spawn('sqlmap', ['--batch', '--level', '3', '--risk', '3', '--disable-coloring', '--threads', '4', `--output-dir=${path.join(outputDir, name)}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TARGET_SECONDS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      writeFileSync(path.join(outputDir, `${name}.log`), output);
      resolve({ name, output, finished: signal === null, code });
    });
  });
}

/** The verdict on one run: injectable, a 5xx seen, unfinished, or clean. */
function judge(run) {
  const problems = [];
  if (!run.finished) problems.push(`did not finish within ${TARGET_SECONDS} s`);
  if (/identified the following injection point|appears to be injectable|is vulnerable/i.test(run.output)) problems.push('sqlmap reports an injectable parameter');
  const codes = /HTTP error codes detected during run:\s*\n([^\n]*)/.exec(run.output)?.[1] ?? '';
  if (/\b5\d\d \(/.test(codes)) problems.push(`server errors: ${codes.trim()}`);
  if (run.finished && !/do not appear to be injectable|does not seem to be injectable/.test(run.output)) problems.push('no verdict in the output');
  return { problems, codes: codes.trim() };
}

async function main() {
  ensureSqlmap();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sqlmap-'));
  const outputDir = process.env.SQLMAP_OUTPUT ?? mkdtempSync(path.join(tmpdir(), 'sqlmap-out-'));
  const env = {
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', GLOBAL_RATE_LIMIT: '0',
    LOGIN_MAX_FAILURES: '1000000', LOGIN_MAX_FAILURES_PER_IP: '1000000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
    REGISTER_MAX_PER_HOUR: '1000000', REGISTER_MAX_ATTEMPTS_PER_HOUR: '1000000',
    ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1',
  };
  const quiet = { out() {}, err: (line) => console.error(line) };
  const context = (input) => ({ env: { ...env, PATH: process.env.PATH }, stdin: Readable.from([input]), loadDotEnv: false });
  if ((await runCli(['migrate'], quiet, context(''))) !== 0) throw new Error('migrate failed');
  if ((await runCli(['create-admin', '--username', 'sqlmap-admin', '--email', 'sqlmap-admin@example.test'], quiet, context(`${PASSWORD}\n`))) !== 0) throw new Error('create-admin failed');
  const server = await startServer(loadConfig(env));
  const base = server.url;
  let failed = false;
  try {
    // A signed-in admin's cookie for the profile id (the sign-in form wants its CSRF token first).
    const page = await fetch(`${base}/login`);
    const preCookie = page.headers.getSetCookie()[0].split(';')[0];
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())[1];
    const signIn = await fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: preCookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ username: 'sqlmap-admin', password: PASSWORD, csrf_token: csrf }),
    });
    if (signIn.status !== 303) throw new Error(`signing in the admin answered ${signIn.status}`);
    const session = signIn.headers.getSetCookie().find((line) => line.startsWith('gatehouse_session=')).split(';')[0];

    // Each target gets a pre-session cookie and its CSRF token, fixed for the whole run
    // (`--drop-set-cookie`): a refused sign-in keeps that pre-session, so every request passes
    // the CSRF check and reaches the query behind it, and sqlmap may use threads.
    const pre = await fetch(`${base}/api/v1/csrf`);
    const preSession = pre.headers.getSetCookie()[0].split(';')[0];
    const { csrfToken } = await pre.json();
    const fixed = ['--cookie', preSession, '--drop-set-cookie', '-H', `Origin: ${base}`];
    const targets = [
      ['login-form', ['-u', `${base}/login`, '--data', `username=alice&password=secret&csrf_token=${csrfToken}`, '-p', 'username,password', '--ignore-code=401', ...fixed]],
      ['register-form', ['-u', `${base}/register`, '--data', `username=sqlmapuser&email=sqlmap%40example.test&password=plover%20anvil%20marigold%2077&csrf_token=${csrfToken}`, '-p', 'username,email', '--ignore-code=400', ...fixed]],
      ['json-login', ['-u', `${base}/api/v1/login`, '--data', '{"username":"alice","password":"secret"}', '-H', 'Content-Type: application/json', '-H', `X-CSRF-Token: ${csrfToken}`, '-p', 'username,password', '--ignore-code=401', ...fixed]],
      ['profile-id', ['-u', `${base}/profile?id=1`, '--cookie', session, '-p', 'id', '--ignore-code=400,403,404', '--drop-set-cookie']],
    ];
    const runs = [];
    for (let i = 0; i < targets.length; i += PARALLEL) {
      runs.push(...(await Promise.all(targets.slice(i, i + PARALLEL).map(([name, args]) => sqlmap(name, args, outputDir)))));
    }
    for (const run of runs) {
      const { problems, codes } = judge(run);
      failed ||= problems.length > 0;
      console.log(`${problems.length === 0 ? 'pass' : 'FAIL'}  ${run.name.padEnd(14)} ${problems.length === 0 ? 'no injectable parameter' : problems.join('; ')}${codes ? `  (status codes seen: ${codes})` : ''}`);
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failed ? `sqlmap: FAILED (logs in ${outputDir})` : 'sqlmap: no injectable parameter in any target');
  if (!failed && process.env.SQLMAP_OUTPUT === undefined) rmSync(outputDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`test:sqlmap: ${error.message}`);
  process.exit(1);
});
