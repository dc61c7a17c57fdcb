#!/usr/bin/env node
/**
 * What the audit log costs per event (issue #11: "for sign-in failures, cheaply enough that a
 * flood costs little"). Appends N `login.failed` events through the real store on a fresh
 * SQLite file (and PostgreSQL when TEST_POSTGRES_URL is set), one writer and then 8 at once
 * (they queue on the chain-head lock), and reports microseconds per event next to a refused
 * sign-in's own password verification measured in the same run (argon2id at the default cost,
 * through the hashing pool), so the figure reads as a share of the work a failure already does.
 *
 *   node bench/audit-append.mjs [--events 5000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPasswordHasher } from '../src/domain/passwords/hasher.ts';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { openDatabase } from '../src/storage/open-database.ts';
import { createSqlAuditLog, createSqlAuditMaintenance } from '../src/storage/sql/audit-store.ts';

const EVENTS = Number(process.argv[process.argv.indexOf('--events') + 1]) || 5000;
const KEY = Buffer.alloc(32, 1);
const CONTEXT = { actorUserId: null, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (bench)', channel: 'web' };
const event = (i) => ({ type: 'login.failed', outcome: 'failure', targetUserId: i % 100, details: { reason: 'bad_password' } });

async function measure(label, url) {
  const database = await openDatabase(url, { poolSize: 10 });
  try {
    const migrated = await migrateToLatest(database.db);
    if (!migrated.ok) throw new Error(migrated.error);
    const audit = createSqlAuditLog(database.db, KEY, () => Date.now(), () => () => {});
    let started = performance.now();
    for (let i = 0; i < EVENTS; i += 1) await audit.record(event(i), CONTEXT);
    const serial = ((performance.now() - started) * 1000) / EVENTS;
    started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < EVENTS) await audit.record(event(next++), CONTEXT);
      }),
    );
    const concurrent = ((performance.now() - started) * 1000) / EVENTS;
    const verified = await createSqlAuditMaintenance(database.db, KEY, () => Date.now(), () => () => {}).verify();
    if (!verified.ok) throw new Error(`chain broken after the run: ${JSON.stringify(verified)}`);
    return { label, serial, concurrent, verifiedEvents: verified.checked };
  } finally {
    await database.close();
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-audit-bench-'));
const results = [];
try {
  results.push(await measure('SQLite', `sqlite:${path.join(tmp, 'audit.db')}`));
  const pgUrl = process.env.TEST_POSTGRES_URL;
  if (pgUrl) {
    const schema = `bench_audit_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    try {
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      results.push(await measure('PostgreSQL', url.toString()));
    } finally {
      await admin.query(`drop schema "${schema}" cascade`);
      await admin.end();
    }
  }
  // The verification a refused sign-in already spends (default argon2id cost, OWASP).
  const config = loadConfig({});
  const hasher = await createPasswordHasher(config.passwords);
  const hash = await hasher.hashPassword('a password for the benchmark only');
  const rounds = 40;
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) await hasher.verifyPassword(hash, 'not the password');
  const verifyUs = ((performance.now() - started) * 1000) / rounds;
  await hasher.close();
  console.log(`audit append, ${EVENTS} events each way; a refused sign-in's argon2id verification: ${Math.round(verifyUs)} µs`);
  for (const r of results) {
    console.log(
      `${r.label.padEnd(10)} one writer ${r.serial.toFixed(0).padStart(5)} µs/event (${((r.serial / verifyUs) * 100).toFixed(1)}% of a verification)   8 writers ${r.concurrent.toFixed(0).padStart(5)} µs/event   chain verified: ${r.verifiedEvents} events`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
