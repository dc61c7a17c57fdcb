#!/usr/bin/env node
/**
 * `npm test`: every *.test.ts under src/ and test/ with Node's own test runner,
 * on SQLite; then the storage-touching acceptance suites (test/http, test/attacks) again on
 * each other backend whose service URL is set (TEST_POSTGRES_URL, TEST_MYSQL_URL,
 * TEST_REDIS_URL; `.ci/run` sets them). A backend without its URL is skipped with one line,
 * or fails the run when REQUIRE_SERVICES=1. The last line sums every pass:
 * `total: N passed, N failed, N skipped`.
 * Extra arguments go to every pass: `npm test -- --test-name-pattern=csrf`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

function runPass(label, files, env) {
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  const args = ['--test', `--test-concurrency=${concurrency}`, ...process.argv.slice(2), ...files];
  console.log(`\n=== tests on ${label} (${files.length} files) ===`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^# (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line);
        if (match) counts[match[1]] = Number(match[2]);
      }
    });
    child.on('close', (code) => resolve({ label, code: code ?? 1, counts }));
  });
}

const all = ['src', 'test'].flatMap(findTests).sort();
const acceptance = all.filter((file) => /^test[\\/](http|attacks)[\\/]/.test(file));
const urls = { postgres: process.env.TEST_POSTGRES_URL, mysql: process.env.TEST_MYSQL_URL, redis: process.env.TEST_REDIS_URL };
const required = process.env.REQUIRE_SERVICES === '1';
const extraPasses = [
  { label: 'PostgreSQL', backend: 'postgres', needs: ['postgres'] },
  { label: 'MySQL/MariaDB', backend: 'mysql', needs: ['mysql'] },
  { label: 'PostgreSQL + Redis', backend: 'postgres+redis', needs: ['postgres', 'redis'] },
];

const results = [await runPass('SQLite (all suites)', all, { TEST_BACKEND: 'sqlite' })];
let missingRequired = false;
for (const pass of extraPasses) {
  const missing = pass.needs.filter((service) => !urls[service]);
  if (missing.length > 0) {
    const names = missing.map((m) => `TEST_${m.toUpperCase()}_URL`).join(', ');
    console.log(`\n=== skipped: acceptance suites on ${pass.label}: ${names} not set (no ${missing.join(' or ')} service configured) ===`);
    if (required) missingRequired = true;
    continue;
  }
  if (acceptance.length > 0) results.push(await runPass(pass.label, acceptance, { TEST_BACKEND: pass.backend }));
}

const total = { pass: 0, fail: 0, skipped: 0 };
console.log('\n=== summary ===');
for (const { label, code, counts } of results) {
  total.pass += counts.pass;
  total.fail += counts.fail + counts.cancelled;
  total.skipped += counts.skipped + counts.todo;
  console.log(`${label}: ${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped} skipped (exit ${code})`);
}
if (missingRequired) console.log('REQUIRE_SERVICES=1 but a service URL is missing: failing the run');
const failed = missingRequired || results.some((r) => r.code !== 0) || total.fail > 0;
if (failed && total.fail === 0) total.fail = 1;
console.log(`total: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
