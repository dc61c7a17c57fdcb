#!/usr/bin/env node
/**
 * Seeds N accounts straight into a database (never through HTTP), fast: multi-row INSERTs of
 * 500 rows inside transactions, the schema migrated first. For the admin console benchmark
 * (bench/admin-users.mjs) and for trying the console on a realistic user base.
 *
 *   DATABASE_URL=sqlite:/tmp/big.db node scripts/seed-users.ts --count 100000
 *   node scripts/seed-users.ts --count 5000 --database-url postgres://postgres@127.0.0.1:5432/test
 *
 * The accounts look real: first and last names from a few languages joined as `ana.garcia`,
 * `li_wei7`, `jonas-berg`, … (a number where the name is taken), their addresses at a handful
 * of domains, creation times spread over two years (several per millisecond at times, as a
 * bulk import makes), about 80 % of addresses confirmed, 1 % disabled, 1 in 2 000 an admin.
 * Every account shares one argon2id hash of a random password, computed once: nobody can sign
 * in as a seeded account. A fixed PRNG seed (`--seed`) makes a run repeatable; a second run
 * with the same seed into the same database refuses on the unique indexes.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Algorithm, hash } from '@node-rs/argon2';
import { type Insertable, sql } from 'kysely';
import type { UserTable } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { openDatabase } from '../src/storage/open-database.ts';
import { normalizeEmail, normalizeUsername } from '../src/domain/users/user.ts';

const BATCH = 500;
const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;

const FIRST = ['ana', 'maria', 'jose', 'juan', 'lucia', 'pablo', 'sofia', 'mateo', 'emma', 'liam', 'olivia', 'noah', 'ava', 'elijah', 'mia', 'lucas', 'amelia', 'leon', 'hanna', 'jonas', 'lea', 'felix', 'chloe', 'louis', 'camille', 'hugo', 'ines', 'raphael', 'giulia', 'marco', 'chiara', 'luca', 'wei', 'li', 'hiroshi', 'yuki', 'sakura', 'ren', 'aarav', 'priya', 'arjun', 'ananya', 'omar', 'fatima', 'yusuf', 'aisha', 'ivan', 'olga', 'dmitri', 'anya', 'kofi', 'amara', 'chidi', 'zara', 'mateus', 'beatriz', 'tiago', 'joana', 'lars', 'ingrid', 'sven', 'freya'];
const LAST = ['garcia', 'martinez', 'lopez', 'sanchez', 'perez', 'gomez', 'smith', 'johnson', 'brown', 'taylor', 'wilson', 'davies', 'muller', 'schmidt', 'schneider', 'fischer', 'weber', 'martin', 'bernard', 'dubois', 'thomas', 'robert', 'rossi', 'russo', 'ferrari', 'esposito', 'bianchi', 'wang', 'zhang', 'chen', 'liu', 'sato', 'suzuki', 'takahashi', 'tanaka', 'patel', 'sharma', 'singh', 'kumar', 'hassan', 'ali', 'ahmed', 'ivanov', 'smirnov', 'popov', 'mensah', 'okafor', 'silva', 'santos', 'oliveira', 'costa', 'berg', 'hansen', 'nielsen', 'larsen', 'novak', 'kowalski', 'nagy', 'horvat', 'yilmaz', 'kaya'];
const SEPARATORS = ['.', '_', '-', ''];
const DOMAINS = ['example.org', 'mail.example.com', 'example.net', 'corp.example', 'uni.example.edu'];

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  databaseUrl: string;
  count: number;
  seed?: number;
  /** The newest creation time (default now). */
  now?: number;
  /** Called after each batch with the number inserted so far. */
  progress?: (inserted: number) => void;
}

/** Inserts `count` accounts into `databaseUrl` (migrated first); returns how many and how long it took. */
export async function seedUsers(options: SeedOptions): Promise<{ inserted: number; seconds: number }> {
  const started = performance.now();
  const random = prng(options.seed ?? 11);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const now = options.now ?? Date.now();
  const database = await openDatabase(options.databaseUrl, { poolSize: 2 });
  try {
    const migrated = await migrateToLatest(database.db);
    if (!migrated.ok) throw new Error(`migrations failed: ${migrated.error}`);
    // One hash for every account, of a password nobody keeps.
    const passwordHash = await hash(randomBytes(24).toString('base64url'), { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const taken = new Set<string>();
    const nameFor = (): string => {
      const base = `${pick(FIRST)}${pick(SEPARATORS)}${pick(LAST)}`;
      if (!taken.has(base)) return base;
      for (;;) {
        const numbered = `${base}${Math.floor(random() * 10_000)}`;
        if (!taken.has(numbered)) return numbered;
      }
    };
    // Creation times: sorted random instants over two years, some in bursts on one millisecond.
    const times = Array.from({ length: options.count }, () => now - Math.floor(random() * TWO_YEARS_MS)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) if (random() < 0.05) times[i] = times[i - 1]!;
    let inserted = 0;
    while (inserted < options.count) {
      const rows: Insertable<UserTable>[] = [];
      for (let i = inserted; i < Math.min(options.count, inserted + BATCH); i += 1) {
        const username = nameFor();
        taken.add(username);
        // The username is unique, so is the address made from it.
        const email = `${username}@${pick(DOMAINS)}`;
        const createdAt = times[i]!;
        rows.push({
          username,
          username_normalized: normalizeUsername(username),
          email,
          email_normalized: normalizeEmail(email),
          password_hash: passwordHash,
          role: random() < 0.0005 ? 'admin' : 'user',
          disabled: random() < 0.01 ? 1 : 0,
          must_change_password: 0,
          email_verified_at: random() < 0.8 ? createdAt + Math.floor(random() * 3_600_000) : null,
          locale: random() < 0.3 ? 'es' : 'en',
          created_at: createdAt,
          updated_at: createdAt,
        });
      }
      await database.db.transaction().execute((trx) => trx.insertInto('users').values(rows).execute());
      inserted += rows.length;
      options.progress?.(inserted);
    }
    // Statistics and the visibility map now rather than when autovacuum comes by (see seed-audit.ts).
    if (database.dialect === 'postgres') await sql`vacuum analyze users`.execute(database.db);
    return { inserted, seconds: (performance.now() - started) / 1000 };
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      'database-url': { type: 'string' },
      seed: { type: 'string', default: '11' },
    },
  });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const count = Number(values.count);
  if (!databaseUrl) {
    process.stderr.write('seed-users: set DATABASE_URL or pass --database-url\n');
    process.exit(2);
  }
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write(`seed-users: --count must be a positive whole number, not ${values.count}\n`);
    process.exit(2);
  }
  const result = await seedUsers({
    databaseUrl,
    count,
    seed: Number(values.seed),
    progress: (n) => {
      if (n % 10_000 === 0 || n === count) process.stderr.write(`\r${n} / ${count}`);
    },
  });
  process.stderr.write(`\nseed-users: ${result.inserted} accounts in ${result.seconds.toFixed(1)} s\n`);
}
