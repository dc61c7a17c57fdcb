#!/usr/bin/env node
/**
 * `npm test` (after `tsc --noEmit`): every *.test.ts under src/ and test/ with Node's own test
 * runner, in three phases.
 *
 *  1. SQLite: every suite except the timing ones, `--test-concurrency=2` (TEST_CONCURRENCY).
 *  2. Other backends: the storage-touching acceptance suites (test/http, test/attacks) again
 *     on PostgreSQL, MySQL/MariaDB and PostgreSQL + Redis, each whose TEST_*_URL is set
 *     (which backends exist is decided by test/helpers/backends.ts, the one rule every suite
 *     uses), one after another. TEST_PARALLEL_BACKENDS=1 runs them side by side, output
 *     printed pass by pass; measured on the shared 2-core machine it was slower (162 s against
 *     146 s for test/http on all four backends) and a serve start timed out, so it is opt-in.
 *     A backend without its URL is skipped with one line, or fails the run when
 *     REQUIRE_SERVICES=1.
 *  3. Timing: suites that measure response times run last, one file at a time
 *     (`--test-concurrency=1`), on SQLite and then on each other backend, never beside
 *     another suite. A timing suite is any test file named `enumeration*.test.ts` or
 *     `*.timing.test.ts` (SERIAL below); name a new timing test that way.
 *
 * Counting uses a reporter (scripts/count-reporter.mjs) beside `spec`, so skipped suites
 * (a `describe(…, { skip })`), todo and cancelled tests are counted, not only skipped tests;
 * the summary lists every skipped suite and test with its reason, and every failure with the
 * first lines of its error (CI logs keep the end of the output). Failed counts cancelled;
 * skipped counts skipped suites and todo. The last line is exactly
 * `total: N passed, N failed, N skipped` (CI reads it).
 *
 * Extra arguments go to every pass: `npm test -- --test-name-pattern=csrf`. TEST_FILES=<regex>
 * keeps only the test files whose path matches: `TEST_FILES=test/cli node scripts/run-tests.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendAvailability, servicesRequired } from '../test/helpers/backends.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORTER = path.join(REPO_ROOT, 'scripts', 'count-reporter.mjs');
/** Timing-sensitive suites: phase 3 only, alone. */
const SERIAL = /(^|[\\/])(enumeration[^\\/]*\.test\.ts|[^\\/]+\.timing\.test\.ts)$/;
/** Suites that run again on every other backend. */
const ACCEPTANCE = /^test[\\/](http|attacks)[\\/]/;
const OTHER_BACKENDS = ['postgres', 'mysql', 'postgres+redis'];
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const parallelBackends = process.env.TEST_PARALLEL_BACKENDS === '1';

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

function emptyCounts() {
  return { pass: 0, fail: 0, cancelled: 0, skip: 0, todo: 0, skippedSuites: 0, skipped: [], failures: [] };
}

/** Tallies the reporter's lines: tests by outcome; suites only when skipped or failing on their own. */
function countEvents(text) {
  const counts = emptyCounts();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line);
    const where = event.file ? path.relative(REPO_ROOT, event.file) : '?';
    if (event.type === 'suite') {
      if (event.outcome === 'skip' || event.outcome === 'todo') {
        counts[event.outcome] += 1;
        counts.skippedSuites += 1;
        counts.skipped.push(`${where} › ${event.name} (suite): ${event.reason ?? event.outcome}`);
      } else if (event.outcome === 'fail' && event.failureType !== 'subtestsFailed') {
        counts.fail += 1; // a failing before/after hook, or an error in the suite body
        counts.failures.push(`${where} › ${event.name} (suite): ${event.error ?? event.failureType}`);
      }
      continue;
    }
    counts[event.outcome] += 1;
    if (event.outcome === 'fail') counts.failures.push(`${where} › ${event.name}: ${event.error ?? event.failureType}`);
    if (event.outcome === 'skip' || event.outcome === 'todo') counts.skipped.push(`${where} › ${event.name}: ${event.reason ?? event.outcome}`);
  }
  return counts;
}

/**
 * One `node --test` run. Live passes stream their output; the others keep it and print it
 * as one block when they end, so passes running side by side stay readable.
 */
function runPass({ label, files, env, passConcurrency = concurrency, live = true }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-run-tests-'));
  const eventsFile = path.join(dir, 'events.jsonl');
  const args = [
    '--test',
    `--test-concurrency=${passConcurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${REPORTER}`,
    `--test-reporter-destination=${eventsFile}`,
    ...process.argv.slice(2),
    ...files,
  ];
  const header = `\n=== tests on ${label} (${files.length} files, concurrency ${passConcurrency}) ===`;
  if (live) console.log(header);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', live ? 'inherit' : 'pipe'],
    });
    const kept = [];
    child.stdout.on('data', (chunk) => (live ? process.stdout.write(chunk) : kept.push(chunk)));
    child.stderr?.on('data', (chunk) => kept.push(chunk));
    child.on('close', (code) => {
      if (!live) console.log(`${header}\n${Buffer.concat(kept).toString()}`);
      let counts;
      try {
        counts = countEvents(readFileSync(eventsFile, 'utf8'));
      } catch (error) {
        console.log(`${label}: the count reporter left no readable results (${error.message})`);
        counts = { ...emptyCounts(), fail: 1 };
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ label, code: code ?? 1, counts, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const filter = process.env.TEST_FILES ? new RegExp(process.env.TEST_FILES) : undefined;
const all = ['src', 'test']
  .flatMap(findTests)
  .sort()
  .filter((file) => !filter || filter.test(file));
const timing = all.filter((file) => SERIAL.test(file));
const regular = all.filter((file) => !SERIAL.test(file));
const acceptance = regular.filter((file) => ACCEPTANCE.test(file));
const acceptanceTiming = timing.filter((file) => ACCEPTANCE.test(file));

const backends = backendAvailability().filter((backend) => OTHER_BACKENDS.includes(backend.name));
let missingRequired = false;
const runnable = [];
for (const backend of backends) {
  if (backend.available) runnable.push(backend);
  else {
    console.log(`\n=== skipped: acceptance suites on ${backend.label}: ${backend.reason} (no ${backend.needs.join(' or ')} service configured) ===`);
    if (servicesRequired) missingRequired = true;
  }
}

const results = [];
if (regular.length > 0) results.push(await runPass({ label: 'SQLite (all suites)', files: regular, env: { TEST_BACKEND: 'sqlite' } }));

const backendPasses = acceptance.length === 0 ? [] : runnable.map((backend) => ({ label: backend.label, files: acceptance, env: { TEST_BACKEND: backend.name } }));
if (parallelBackends && backendPasses.length > 1) {
  console.log(`\n=== ${backendPasses.map((p) => p.label).join(', ')}: running side by side, output follows as each ends ===`);
  results.push(...(await Promise.all(backendPasses.map((pass) => runPass({ ...pass, live: false })))));
} else {
  for (const pass of backendPasses) results.push(await runPass(pass));
}

const timingPasses = [
  ...(timing.length > 0 ? [{ label: 'SQLite, timing suites alone', files: timing, env: { TEST_BACKEND: 'sqlite' } }] : []),
  ...(acceptanceTiming.length === 0 ? [] : runnable.map((b) => ({ label: `${b.label}, timing suites alone`, files: acceptanceTiming, env: { TEST_BACKEND: b.name } }))),
];
for (const pass of timingPasses) results.push(await runPass({ ...pass, passConcurrency: '1' }));

const total = { pass: 0, fail: 0, skipped: 0 };
console.log('\n=== summary ===');
for (const { label, code, counts, seconds } of results) {
  const failed = counts.fail + counts.cancelled;
  const skipped = counts.skip + counts.todo;
  total.pass += counts.pass;
  total.fail += failed;
  total.skipped += skipped;
  const detail = `${counts.skippedSuites} suites, ${counts.todo} todo; ${counts.cancelled} cancelled`;
  console.log(`${label}: ${counts.pass} passed, ${failed} failed, ${skipped} skipped (${detail}; exit ${code}, ${seconds.toFixed(0)} s)`);
  for (const line of counts.skipped) console.log(`  skipped: ${line}`);
  for (const line of counts.failures) console.log(`  failed: ${line.replaceAll('\n', '\n    ')}`);
}
if (missingRequired) console.log('REQUIRE_SERVICES=1 but a service URL is missing: failing the run');
const failed = missingRequired || results.some((r) => r.code !== 0) || total.fail > 0;
if (failed && total.fail === 0) total.fail = 1;
console.log(`total: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
