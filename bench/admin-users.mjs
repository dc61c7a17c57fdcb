#!/usr/bin/env node
/**
 * The admin console's user search at scale (issue #11): seeds 100 000 accounts
 * (scripts/seed-users.ts, straight into the database) into a temp SQLite file, and into a
 * fresh PostgreSQL schema when TEST_POSTGRES_URL (or BENCH_POSTGRES_URL) is set, then times
 * the UserDirectory queries the console makes, each N times after a warm-up:
 *   - a prefix search (username or email), sorted by username and by creation time;
 *   - the first page, sorted each way and in each direction;
 *   - a deep keyset page (the page after row 50 000), each way; and, for comparison only,
 *     the same page by OFFSET, which the console never uses;
 *   - the headline counts of the home page.
 * Reports the median and the 95th percentile in milliseconds; asserts nothing.
 *
 *   node bench/admin-users.mjs                     # 100 000 accounts, 50 runs each
 *   node bench/admin-users.mjs --count 20000 --runs 20 --backends sqlite
 *   TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test node bench/admin-users.mjs
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { seedUsers } from '../scripts/seed-users.ts';
import { openDatabase } from '../src/storage/open-database.ts';
import { createSqlUserDirectory } from '../src/storage/sql/user-directory.ts';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '50' },
    backends: { type: 'string', default: POSTGRES_URL ? 'sqlite,postgres' : 'sqlite' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const RUNS = Number(values.runs);
const BACKENDS = values.backends.split(',');
const WARMUP = 3;
const PAGE = 50;
const DEEP_ROW = Math.min(50_000, Math.floor(COUNT / 2));
if (!Number.isInteger(COUNT) || COUNT < 1000 || !Number.isInteger(RUNS) || RUNS < 1 || BACKENDS.some((b) => !['sqlite', 'postgres'].includes(b))) {
  process.stderr.write('usage: node bench/admin-users.mjs [--count N>=1000] [--runs N] [--backends sqlite,postgres] [--json]\n');
  process.exit(2);
}
if (BACKENDS.includes('postgres') && !POSTGRES_URL) {
  process.stderr.write('admin-users: --backends postgres needs TEST_POSTGRES_URL (or BENCH_POSTGRES_URL)\n');
  process.exit(2);
}

/** A database for one backend, removed afterwards. */
async function provision(backend) {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-admin-'));
    return { url: `sqlite:${path.join(dir, 'gatehouse.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  // test/helpers/backends.ts reads TEST_POSTGRES_URL when loaded: point it at ours first.
  process.env.TEST_POSTGRES_URL = POSTGRES_URL;
  const { provisionBackend } = await import('../test/helpers/backends.ts');
  const provisioned = await provisionBackend('postgres');
  return { url: provisioned.env.DATABASE_URL, cleanup: () => provisioned.cleanup() };
}

function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), runs: sorted.length };
}

/** Times `work` RUNS times after WARMUP untimed calls; `work(i)` may vary by run. */
async function time(work) {
  for (let i = 0; i < WARMUP; i += 1) await work(i);
  const samples = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await work(i);
    samples.push(performance.now() - started);
  }
  return summarise(samples);
}

/** The cursor after `row` rows in one sort, by walking the pages (untimed set-up). */
async function cursorAt(directory, sort, direction, row) {
  let after;
  for (let seen = 0; seen < row; ) {
    const limit = Math.min(200, row - seen);
    const page = await directory.search({ sort, direction, limit, ...(after ? { after } : {}) });
    if (!page.next) throw new Error(`fewer than ${row} rows`);
    after = page.next;
    seen += limit;
  }
  return after;
}

async function measure(backend) {
  const db = await provision(backend);
  try {
    const seeded = await seedUsers({ databaseUrl: db.url, count: COUNT });
    const database = await openDatabase(db.url, { poolSize: 2 });
    try {
      if (backend === 'postgres') await sql`analyze users`.execute(database.db);
      const directory = createSqlUserDirectory(database.db);
      const rows = [];
      const add = async (label, work) => rows.push({ label, ...(await time(work)) });
      const prefixes = ['ma', 'li', 'sofia.g', 'ch', 'omar', 'k', 'ana'];
      for (const sort of ['username', 'created']) {
        await add(`prefix search (${prefixes.length} prefixes in turn), by ${sort}`, (i) =>
          directory.search({ prefix: prefixes[i % prefixes.length], sort, direction: 'asc', limit: PAGE }),
        );
      }
      for (const sort of ['username', 'created']) {
        for (const direction of ['asc', 'desc']) {
          await add(`first page, ${sort} ${direction}`, () => directory.search({ sort, direction, limit: PAGE }));
        }
      }
      for (const sort of ['username', 'created']) {
        for (const direction of ['asc', 'desc']) {
          const after = await cursorAt(directory, sort, direction, DEEP_ROW);
          await add(`page after row ${DEEP_ROW}, ${sort} ${direction} (keyset)`, () => directory.search({ sort, direction, limit: PAGE, after }));
        }
      }
      await add(`page after row ${DEEP_ROW}, username asc, by OFFSET (comparison only)`, () =>
        database.db.selectFrom('users').selectAll().orderBy('username_normalized').limit(PAGE).offset(DEEP_ROW).execute(),
      );
      await add('home page counts (one pass over users)', () => directory.counts());
      return { backend, accounts: seeded.inserted, seedSeconds: seeded.seconds, rows };
    } finally {
      await database.close();
    }
  } finally {
    await db.cleanup();
  }
}

const results = [];
for (const backend of BACKENDS) {
  process.stderr.write(`admin-users: ${backend}: seeding ${COUNT} accounts…\n`);
  results.push(await measure(backend));
}
if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, runs: RUNS, results }, null, 2)}\n`);
} else {
  for (const result of results) {
    process.stdout.write(`\n${result.backend}: ${result.accounts} accounts (seeded in ${result.seedSeconds.toFixed(1)} s), ${RUNS} runs each, ms\n`);
    process.stdout.write(`${'query'.padEnd(66)} ${'median'.padStart(8)} ${'p95'.padStart(8)}\n`);
    for (const row of result.rows) process.stdout.write(`${row.label.padEnd(66)} ${row.median.toFixed(2).padStart(8)} ${row.p95.toFixed(2).padStart(8)}\n`);
  }
}
