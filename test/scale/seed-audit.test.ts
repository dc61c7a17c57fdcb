// Property: scripts/seed-audit.ts writes exactly the events asked for, as a valid hash
// chain (the verification `gatehouse audit-verify` runs passes), in seq and time order
// within the requested span, naming only seeded accounts; a second seed continues the chain,
// and so does the server's own append after it. On SQLite, and on PostgreSQL when available.
// 12 000 events: more than two batches (5 000), so batch boundaries are crossed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { deriveKey } from '../../src/domain/crypto.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createSqlAuditLog } from '../../src/storage/sql/audit-store.ts';
import { seedAudit, verifySeededAudit } from '../../scripts/seed-audit.ts';
import { seedUsers } from '../../scripts/seed-users.ts';
import { type BackendName, type ProvisionedBackend, provisionBackend, SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';

const USERS = 300;
const EVENTS = 12_000;
const DAY_MS = 24 * 3600 * 1000;

const backends: { name: BackendName; skip: string | false }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !SERVICE_URLS.postgres && !servicesRequired ? 'PostgreSQL not available: TEST_POSTGRES_URL is not set' : false },
];

for (const { name, skip } of backends) {
  describe(`seed-audit on ${name}`, { skip }, () => {
    const provisioned: ProvisionedBackend[] = [];
    after(async () => {
      for (const backend of provisioned) await backend.cleanup();
    });

    test('seeds a verifiable chain over the seeded accounts, and appends continue it', async () => {
      const backend = await provisionBackend(name);
      provisioned.push(backend);
      const url = backend.env.DATABASE_URL!;
      const secretKey = randomBytes(32).toString('hex');
      const now = Date.now();
      await seedUsers({ databaseUrl: url, count: USERS });
      const first = await seedAudit({ databaseUrl: url, count: EVENTS, secretKey, now, days: 30 });
      assert.equal(first.inserted, EVENTS);
      assert.equal(first.accounts, USERS);

      const verified = await verifySeededAudit(url, secretKey);
      assert.deepEqual(verified.verdict, { ok: true, checked: EVENTS, lastSeq: EVENTS });
      // Under another key the very same rows fail: the chain really is keyed.
      const forged = await verifySeededAudit(url, randomBytes(32).toString('hex'));
      assert.equal(forged.verdict.ok, false);

      const database = await openDatabase(url, { poolSize: 2 });
      try {
        const rows = await database.db.selectFrom('audit_events').select(['seq', 'occurred_at', 'type', 'actor_user_id', 'target_user_id']).orderBy('seq').execute();
        assert.equal(rows.length, EVENTS);
        const times = rows.map((row) => Number(row.occurred_at));
        rows.forEach((row, index) => assert.equal(Number(row.seq), index + 1));
        for (let i = 1; i < times.length; i += 1) assert.ok(times[i]! >= times[i - 1]!, `time goes back at seq ${i + 1}`);
        assert.ok(times[0]! >= now - 30 * DAY_MS && times.at(-1)! <= now - 60_000, 'times within the requested span, the newest a minute before now');
        assert.ok(times.at(-1)! - times[0]! > 25 * DAY_MS, 'times spread over the span');
        const types = new Set(rows.map((row) => row.type));
        assert.ok(types.has('login.succeeded') && types.has('login.failed') && types.size >= 15, `a realistic mix of types (${types.size})`);
        const ids = new Set((await database.db.selectFrom('users').select('id').execute()).map((row) => Number(row.id)));
        for (const row of rows) {
          for (const id of [row.actor_user_id, row.target_user_id]) if (id !== null) assert.ok(ids.has(Number(id)), `seq ${row.seq} names no seeded account`);
        }

        // The server's append after the seed, then a second seed: one chain throughout.
        const log = createSqlAuditLog(database.db, deriveKey(secretKey, 'audit-log'), Date.now, () => () => {});
        await log.record({ type: 'users.listed', outcome: 'success', targetUserId: null }, CLI_CONTEXT);
      } finally {
        await database.close();
      }
      await seedAudit({ databaseUrl: url, count: 100, secretKey, seed: 99 });
      const continued = await verifySeededAudit(url, secretKey);
      assert.deepEqual(continued.verdict, { ok: true, checked: EVENTS + 101, lastSeq: EVENTS + 101 });
      const again = await openDatabase(url, { poolSize: 1 });
      try {
        const all = (await again.db.selectFrom('audit_events').select('occurred_at').orderBy('seq').execute()).map((row) => Number(row.occurred_at));
        for (let i = 1; i < all.length; i += 1) assert.ok(all[i]! >= all[i - 1]!, `time goes back at seq ${i + 1} after the second seed`);
      } finally {
        await again.close();
      }
    });
  });
}
