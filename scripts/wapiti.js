#!/usr/bin/env node
/**
 * `npm run test:wapiti`: Debian's wapiti (web application scanner; installed with apt-get when
 * missing, as root) against a live Gatehouse on 127.0.0.1, twice: anonymous, and signed in as a
 * user (the session cookie as a header; sign-out and the account-ending forms excluded so the
 * scan keeps its session), each bounded by WAPITI_SECONDS (default 240). Throttles are relaxed
 * as for sqlmap. Prints every finding (module, method, path, parameter, info) and writes the
 * JSON reports to WAPITI_OUTPUT (default a temp dir). Exit 1 when wapiti finds a vulnerability
 * of a class that is never acceptable here (SQL injection, XSS, command execution, path
 * traversal, open redirect, CRLF, XXE, SSRF, file disclosure) or when the server answered 5xx
 * (wapiti's "Internal Server Error" anomalies); other findings are printed for judgement (the
 * README's security section records each one and the verdict).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/main.ts';

const SECONDS = Number(process.env.WAPITI_SECONDS ?? 240);
const PASSWORD = `scan-${Math.random().toString(36).slice(2)} harbour quill 4471`;
/**
 * The attack modules run: every one of wapiti 3.0.4's that stays on the target. Left out:
 * ssrf and xxe (their payloads make the target call wapiti's public endpoint), nikto and wapp
 * (databases fetched from the web), takeover (DNS lookups of other names), wp_enum, buster and
 * brute_login_form (WordPress and dictionary guessing: brute force is `gatehouse audit`'s job).
 */
const MODULES = 'backup,blindsql,cookieflags,crlf,csp,csrf,exec,file,htaccess,http_headers,methods,permanentxss,redirect,shellshock,sql,timesql,xss';
/**
 * wapiti 3.0.4 (Debian 12) compiles each `-x` exclusion to a regex ending in `\Z(?ms)`, which
 * Python 3.11 refuses ("global flags not at the start"), so any `-x` crashes it. This launcher
 * runs wapiti's own entry point with that one function fixed (the flags moved to the front).
 */
const LAUNCHER = `
import re, sys
import wapitiCore.net.crawler as crawler
def wildcard_translate(pattern):
    return re.compile('(?ms)' + ''.join('.*' if char == '*' else re.escape(char) for char in pattern) + r'\\Z')
crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = 'wapiti'
sys.exit(wapiti_main())
`;
const NEVER_ACCEPTABLE = /SQL Injection|Cross Site Scripting|Command execution|Path Traversal|Open Redirect|CRLF|XXE|Server Side Request Forgery|Potentially dangerous file|Backup file|Htaccess Bypass/i;

function ensureWapiti() {
  if (spawnSync('wapiti', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log("wapiti is missing: installing Debian's package");
  const install = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install(['install', '-y', '-qq', 'wapiti']).status !== 0) {
    install(['update', '-qq']);
    if (install(['install', '-y', '-qq', 'wapiti']).status !== 0) throw new Error('apt-get install wapiti failed (run as root, or install wapiti)');
  }
}

/** The Python that Debian's wapiti runs on (its shebang), not whichever python3 is first on PATH. */
function wapitiPython() {
  const which = spawnSync('sh', ['-c', 'command -v wapiti'], { encoding: 'utf8' }).stdout.trim();
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(which, 'utf8').split('\n')[0] ?? '')?.[1];
  return shebang ?? '/usr/bin/python3';
}

function wapiti(name, base, outputDir, extra) {
  const report = path.join(outputDir, `${name}.json`);
  const args = [
    '-u', `${base}/`, '--scope', 'folder', '--flush-session', '--store-session', path.join(outputDir, `${name}-session`),
    '--max-scan-time', String(SECONDS), '--max-attack-time', String(Math.max(20, Math.floor(SECONDS / 6))), '-f', 'json', '-o', report, '-v', '0',
    '-x', `${base}/logout`, '-x', `${base}/api/v1/logout`, '-x', `${base}/settings/delete-account`, '-x', `${base}/settings/sessions/revoke-others`, '-x', `${base}/settings/sessions/revoke`,
    ...extra,
  ];
  // wapiti constructs every module, and the wapp one downloads its database from GitHub when
  // none is on disk: an empty one in a private HOME keeps every packet on 127.0.0.1.
  const home = path.join(outputDir, `${name}-home`);
  mkdirSync(path.join(home, '.wapiti', 'config'), { recursive: true });
  writeFileSync(path.join(home, '.wapiti', 'config', 'apps.json'), '{}');
  return new Promise((resolve) => {
    const child = spawn(wapitiPython(), ['-c', LAUNCHER, ...args, '-m', MODULES], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    // wapiti's own bound is on scanning and each attack module; a hard stop well after it.
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS * 3 + 120) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(path.join(outputDir, `${name}.log`), output);
      let parsed;
      try {
        parsed = JSON.parse(readFileSync(report, 'utf8'));
      } catch {
        parsed = undefined;
      }
      resolve({ name, code, output, report: parsed });
    });
  });
}

/** Every finding of a report, flat: kind (vulnerability or anomaly), category, request line, parameter, info. */
function findingsOf(report) {
  const findings = [];
  for (const kind of ['vulnerabilities', 'anomalies', 'additionals']) {
    for (const [category, entries] of Object.entries(report?.[kind] ?? {})) {
      for (const entry of entries) findings.push({ kind, category, method: entry.method, path: entry.path, parameter: entry.parameter, info: entry.info });
    }
  }
  return findings;
}

async function main() {
  ensureWapiti();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-wapiti-'));
  const outputDir = process.env.WAPITI_OUTPUT ?? mkdtempSync(path.join(tmpdir(), 'wapiti-out-'));
  const server = await startServer(
    loadConfig({
      NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', GLOBAL_RATE_LIMIT: '0',
      LOGIN_MAX_FAILURES: '1000000', LOGIN_MAX_FAILURES_PER_IP: '1000000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
      REGISTER_MAX_PER_HOUR: '1000000', REGISTER_MAX_ATTEMPTS_PER_HOUR: '1000000', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1',
    }),
  );
  const base = server.url;
  let failed = false;
  try {
    // A signed-in user for the second scan: register, then sign in through the form.
    const form = async (pathname, cookie, fields) => {
      const page = await fetch(`${base}${pathname}`, { headers: cookie ? { cookie } : {} });
      const jar = cookie ?? page.headers.getSetCookie()[0].split(';')[0];
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())[1];
      const answer = await fetch(`${base}${pathname}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar, origin: base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, csrf_token: csrf }) });
      return { answer, jar };
    };
    await form('/register', undefined, { username: 'wapiti', email: 'wapiti@example.test', password: PASSWORD });
    const { answer } = await form('/login', undefined, { username: 'wapiti', password: PASSWORD });
    const session = answer.headers.getSetCookie().find((line) => line.startsWith('gatehouse_session=')).split(';')[0];

    for (const run of [await wapiti('anonymous', base, outputDir, []), await wapiti('signed-in', base, outputDir, ['-H', `Cookie: ${session}`])]) {
      if (!run.report) {
        failed = true;
        console.log(`FAIL  ${run.name}: no report (exit ${run.code}): ${run.output.slice(-500)}`);
        continue;
      }
      const findings = findingsOf(run.report);
      console.log(`${run.name}: ${findings.length} findings`);
      for (const finding of findings) {
        const fatal = (finding.kind === 'vulnerabilities' && NEVER_ACCEPTABLE.test(finding.category)) || /Internal Server Error/i.test(finding.category);
        failed ||= fatal;
        console.log(`  ${fatal ? 'FAIL' : 'note'}  ${finding.category} (${finding.kind}) ${finding.method} ${finding.path} ${finding.parameter ?? ''}: ${String(finding.info).slice(0, 200)}`);
      }
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failed ? `wapiti: FAILED (reports in ${outputDir})` : `wapiti: nothing unacceptable (reports in ${outputDir})`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`test:wapiti: ${error.message}`);
  process.exit(1);
});
