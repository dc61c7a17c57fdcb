#!/usr/bin/env node
/**
 * Seeds N audit events straight into a database (never through HTTP), fast, with a valid
 * hash chain: `gatehouse audit-verify` (same SECRET_KEY) passes afterwards. For the scale
 * figures of the benchmark (bench/figures/scale.mjs, issue #15) and for trying the audit
 * viewer on a year of history. Seed the accounts first (scripts/seed-users.ts): the actors
 * and targets are drawn from the users table.
 *
 *   SECRET_KEY=… DATABASE_URL=sqlite:/tmp/big.db node scripts/seed-audit.ts --count 1000000
 *   node scripts/seed-audit.ts --count 50000 --database-url postgres://… --secret-key … --verify
 *
 * Chain: each batch (BATCH_ROWS events, one transaction) first takes the chain-head lock
 * the way an append does (audit-store.ts), reads the head, computes the MACs from there
 * (domain/audit/chain.ts: an HMAC-SHA256 per row, ≈ 2 µs), inserts the rows and stores the
 * new head. So the seed continues whatever chain the database holds, and a server writing
 * meanwhile queues behind each batch instead of forking the chain.
 *
 * The events look real: a Poisson stream over `--days` (365) ending a minute ago (starting
 * no earlier than the newest event already stored), so `seq` and time rise together as
 * appends make them; mostly sign-ins (45 % succeeded, 20 %
 * failed: wrong passwords, unknown usernames, throttled attempts), sign-outs, session and
 * address events, a few admin actions by the admins; activity skewed (some accounts sign
 * in far more than others); each account at a home address or two, failed attempts for
 * unknown names from a pool of hostile addresses, a few of them busy. A fixed PRNG seed
 * (`--seed`) makes the content repeatable (the MACs depend on SECRET_KEY as well).
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { type ChainRow, rowMac } from '../src/domain/audit/chain.ts';
import { type AuditDetails, type AuditEventType, boundDetails } from '../src/domain/audit/events.ts';
import { deriveKey } from '../src/domain/crypto.ts';
import type { Database } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { openDatabase } from '../src/storage/open-database.ts';
import type { Kysely, Transaction } from 'kysely';
import { createSqlAuditMaintenance } from '../src/storage/sql/audit-store.ts';
import { prng } from './seed-users.ts';

/**
 * Events per transaction, and per INSERT statement: 11 parameters a row stays under SQLite's
 * 32 766 and PostgreSQL's 65 535 bound parameters; larger transactions gained nothing.
 */
const BATCH_ROWS = 5000;
const STATEMENT_ROWS = 2500;
const DAY_MS = 24 * 3600 * 1000;

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'curl/8.5.0',
  'python-requests/2.32.3',
];
/** Hostile addresses trying unknown usernames; the first few carry most of the attempts. */
const HOSTILE_IPS = 2000;

export interface SeedAuditOptions {
  databaseUrl: string;
  count: number;
  /** SECRET_KEY of the server that will read the log (the chain is keyed from it). */
  secretKey: string;
  seed?: number;
  /** The newest event's time is a minute before this (default now). */
  now?: number;
  /** How far back the events go (default 365 days). */
  days?: number;
  /** Called after each batch with the number inserted so far. */
  progress?: (inserted: number) => void;
}

interface Accounts {
  ids: number[];
  admins: number[];
}

/** What happened, to whom, and who did it (the row's content before its chain position). */
type Content = Omit<ChainRow, 'seq' | 'atMs'>;

/** A generator of realistic event contents over `accounts`, driven by `random`. */
function eventMaker(accounts: Accounts, random: () => number) {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  // Skewed activity: the square of a uniform favours the start of the list (≈ a third of the
  // events concern the first tenth of the accounts).
  const anyone = () => accounts.ids[Math.floor(random() * random() * accounts.ids.length)]!;
  const homeIp = (id: number, second: boolean) => (id % 7 === 0 ? `2001:db8:${(id >> 8).toString(16)}:${(id & 255).toString(16)}::${second ? 2 : 1}` : `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${(id & 255) ^ (second ? 128 : 0)}`);
  const ipOf = (id: number) => homeIp(id, random() < 0.15);
  const hostileIp = () => {
    const n = Math.floor(random() ** 3 * HOSTILE_IPS);
    return `203.0.${n >> 8}.${n & 255}`;
  };
  const by = (id: number, type: AuditEventType, details: AuditDetails = {}, outcome = 'success'): Content => ({
    type,
    actorUserId: id,
    targetUserId: id,
    ip: ipOf(id),
    userAgent: pick(USER_AGENTS.slice(0, 6)),
    channel: random() < 0.75 ? 'web' : 'api',
    outcome,
    details: boundDetails(details),
  });
  const visitor = (target: number | null, type: AuditEventType, details: AuditDetails, ip: string, outcome = 'failure'): Content => ({
    type,
    actorUserId: null,
    targetUserId: target,
    ip,
    userAgent: pick(USER_AGENTS),
    channel: random() < 0.6 ? 'web' : 'api',
    outcome,
    details: boundDetails(details),
  });
  const admin = (type: AuditEventType, details: AuditDetails = {}): Content => {
    const actor = accounts.admins.length ? pick(accounts.admins) : anyone();
    return { ...by(actor, type, details), targetUserId: anyone() };
  };

  /** [cumulative weight, maker]: weights are per thousand events. */
  const table: [number, () => Content][] = [];
  let total = 0;
  const add = (weight: number, make: () => Content) => table.push([(total += weight), make]);
  add(450, () => by(anyone(), 'login.succeeded', { method: random() < 0.9 ? 'password' : 'passkey' }));
  add(110, () => {
    const id = anyone();
    return { ...visitor(id, 'login.failed', { reason: 'bad_password' }, ipOf(id)), userAgent: pick(USER_AGENTS.slice(0, 6)) };
  });
  add(60, () => visitor(null, 'login.failed', { reason: 'unknown_user' }, hostileIp()));
  add(30, () => visitor(anyone(), 'login.failed', { reason: 'throttled' }, hostileIp()));
  add(120, () => by(anyone(), 'logout'));
  add(40, () => by(anyone(), 'session.revoked', { scope: pick(['one', 'others', 'all']) }));
  add(35, () => by(anyone(), 'user.registered'));
  add(35, () => by(anyone(), 'email.verification_sent'));
  add(30, () => by(anyone(), 'email.verified'));
  add(20, () => by(anyone(), 'sudo.succeeded'));
  add(5, () => by(anyone(), 'sudo.failed', {}, 'failure'));
  add(20, () => by(anyone(), 'password.changed'));
  add(15, () => visitor(anyone(), 'password.reset_requested', {}, hostileIp(), 'success'));
  add(8, () => by(anyone(), 'password.reset'));
  add(5, () => by(anyone(), 'email.change_requested'));
  add(4, () => by(anyone(), 'email.changed'));
  add(6, () => by(anyone(), 'two_factor.enrolled', { method: 'totp' }));
  add(4, () => by(anyone(), 'passkey.added'));
  add(1, () => by(anyone(), 'account.secured'));
  add(15, () => admin('profile.viewed'));
  add(2, () => admin('role.changed', { from: 'user', to: 'admin' }));
  add(3, () => admin('user.disabled'));
  add(2, () => admin('user.enabled'));
  return (): Content => {
    const roll = random() * total;
    for (const [limit, make] of table) if (roll < limit) return make();
    return table.at(-1)![1]();
  };
}

/** The accounts events may name: every user id, and the admins among them. */
async function readAccounts(db: Kysely<Database>): Promise<Accounts> {
  const rows = await db.selectFrom('users').select(['id', 'role']).orderBy('id').execute();
  if (rows.length === 0) throw new Error('seed-audit: the users table is empty: seed accounts first (scripts/seed-users.ts)');
  return { ids: rows.map((row) => Number(row.id)), admins: rows.filter((row) => row.role === 'admin').map((row) => Number(row.id)) };
}

/** One batch in `trx`: lock the head, chain `contents` after it with `times`, insert, store the new head. */
async function appendBatch(trx: Transaction<Database>, key: Buffer, contents: Content[], times: number[]): Promise<void> {
  // The first write takes the lock every append takes (audit-store.ts), held to commit.
  await trx.updateTable('audit_chain').set((eb) => ({ head_seq: eb('head_seq', '+', 0) })).where('id', '=', 1).execute();
  const head = await trx.selectFrom('audit_chain').select(['head_seq', 'head_mac']).where('id', '=', 1).executeTakeFirstOrThrow();
  let seq = Number(head.head_seq);
  let mac = head.head_mac;
  const rows = contents.map((content, index) => {
    seq += 1;
    const row: ChainRow = { ...content, seq, atMs: times[index]! };
    mac = rowMac(key, mac, row);
    return {
      seq,
      occurred_at: row.atMs,
      type: row.type,
      actor_user_id: row.actorUserId,
      target_user_id: row.targetUserId,
      ip: row.ip,
      user_agent: row.userAgent,
      channel: row.channel,
      outcome: row.outcome,
      details: JSON.stringify(row.details),
      mac,
    };
  });
  for (let start = 0; start < rows.length; start += STATEMENT_ROWS) {
    await trx.insertInto('audit_events').values(rows.slice(start, start + STATEMENT_ROWS)).execute();
  }
  await trx.updateTable('audit_chain').set({ head_seq: seq, head_mac: mac }).where('id', '=', 1).execute();
}

/** Appends `count` events to the audit log of `databaseUrl` (migrated first); returns how many and how long it took. */
export async function seedAudit(options: SeedAuditOptions): Promise<{ inserted: number; seconds: number; accounts: number }> {
  const started = performance.now();
  const random = prng(options.seed ?? 13);
  const key = deriveKey(options.secretKey, 'audit-log');
  const newest = (options.now ?? Date.now()) - 60_000;
  const spanMs = (options.days ?? 365) * DAY_MS;
  const database = await openDatabase(options.databaseUrl, { poolSize: 2 });
  try {
    const migrated = await migrateToLatest(database.db);
    if (!migrated.ok) throw new Error(`migrations failed: ${migrated.error}`);
    // SQLite's default page cache (2 MiB) cannot hold the seven indexes' hot pages past a few
    // hundred thousand rows: each batch re-reads them from the OS. 256 MiB for this connection.
    if (database.dialect === 'sqlite') await sql`pragma cache_size = -262144`.execute(database.db);
    const accounts = await readAccounts(database.db);
    const makeEvent = eventMaker(accounts, random);
    // A Poisson stream: exponential gaps of mean span/count from `start`, so the times rise
    // with seq as appends make them; clamped at `end` in case the gaps run long.
    // Never before the newest event already there, so time keeps rising with seq across seeds.
    const [latest] = await database.db.selectFrom('audit_events').select((eb) => eb.fn.max('occurred_at').as('at')).execute();
    const start = Math.max(newest - spanMs, Number(latest?.at ?? 0));
    const end = Math.max(newest, start);
    const meanGapMs = (end - start) / options.count;
    let at = start;
    let inserted = 0;
    while (inserted < options.count) {
      const size = Math.min(BATCH_ROWS, options.count - inserted);
      const contents: Content[] = [];
      const times: number[] = [];
      for (let i = 0; i < size; i += 1) {
        at = Math.min(end, at - Math.log(1 - random()) * meanGapMs);
        times.push(Math.floor(at));
        contents.push(makeEvent());
      }
      await database.db.transaction().execute((trx) => appendBatch(trx, key, contents, times));
      inserted += size;
      options.progress?.(inserted);
    }
    // What autovacuum would do a minute later, done before anyone measures: statistics for
    // the planner, and the visibility map, without which PostgreSQL's index-only scans (a
    // month's page reads ~83 000 (occurred_at, seq) entries at 1M events) visit the heap for
    // every entry: 30 ms instead of ≈ 15 ms measured (S1, 2026-12-02). As after pg_restore.
    if (database.dialect === 'postgres') await sql`vacuum analyze audit_events`.execute(database.db);
    return { inserted, seconds: (performance.now() - started) / 1000, accounts: accounts.ids.length };
  } finally {
    await database.close();
  }
}

/** Walks the whole chain as `gatehouse audit-verify` does; returns the verdict and how long it took. */
export async function verifySeededAudit(databaseUrl: string, secretKey: string) {
  const started = performance.now();
  const database = await openDatabase(databaseUrl, { poolSize: 2 });
  try {
    const maintenance = createSqlAuditMaintenance(database.db, deriveKey(secretKey, 'audit-log'), Date.now, () => () => {});
    const verdict = await maintenance.verify();
    return { verdict, seconds: (performance.now() - started) / 1000 };
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000000' },
      'database-url': { type: 'string' },
      'secret-key': { type: 'string' },
      days: { type: 'string', default: '365' },
      seed: { type: 'string', default: '13' },
      verify: { type: 'boolean', default: false },
    },
  });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const secretKey = values['secret-key'] ?? process.env.SECRET_KEY;
  const count = Number(values.count);
  const days = Number(values.days);
  const fail = (message: string) => {
    process.stderr.write(`seed-audit: ${message}\n`);
    process.exit(2);
  };
  if (!databaseUrl) fail('set DATABASE_URL or pass --database-url');
  if (!secretKey) fail('set SECRET_KEY or pass --secret-key (the chain is keyed from it)');
  if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive whole number, not ${values.count}`);
  if (!(days > 0)) fail(`--days must be a number > 0, not ${values.days}`);
  const result = await seedAudit({
    databaseUrl: databaseUrl!,
    secretKey: secretKey!,
    count,
    days,
    seed: Number(values.seed),
    progress: (n) => {
      if (n % 50_000 === 0 || n === count) process.stderr.write(`\r${n} / ${count}`);
    },
  });
  process.stderr.write(`\nseed-audit: ${result.inserted} events over ${result.accounts} accounts in ${result.seconds.toFixed(1)} s\n`);
  if (values.verify) {
    const { verdict, seconds } = await verifySeededAudit(databaseUrl!, secretKey!);
    process.stderr.write(`seed-audit: chain ${verdict.ok ? `intact, ${verdict.checked} events` : `BROKEN (${verdict.problem} at seq ${verdict.seq})`}, verified in ${seconds.toFixed(1)} s\n`);
    if (!verdict.ok) process.exit(1);
  }
}
