// Contract: the tamper-evident audit log on every SQL backend (issue #11; ASVS v5.0.0-16.4.2
// logs protected from modification, v5.0.0-16.4.1 no log injection, v5.0.0-16.3.1 auth events
// logged). Events chain by HMAC; verification names the first edited, deleted, reordered or
// truncated row; concurrent writers keep one valid chain; pruning keeps it verifiable; an event
// written in a rolled-back transaction never exists.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import type { AuditContext } from '../../src/domain/audit/events.ts';
import { createSqlAuditLog, createSqlAuditMaintenance, type RecordedAuditEvent } from '../../src/storage/sql/audit-store.ts';
import { createSqlTransactor } from '../../src/storage/sql/transactor.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const KEY = Buffer.alloc(32, 5);
const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const WEB: AuditContext = { actorUserId: 7, ip: '203.0.113.9', userAgent: 'Firefox', channel: 'web' };

eachBackend('AuditLog contract', (backend) => {
  let stores: TestStores;
  let now = T0;
  const logged: RecordedAuditEvent[] = [];
  const sink = () => (event: RecordedAuditEvent) => void logged.push(event);
  const audit = () => createSqlAuditLog(stores.database.db, KEY, () => now, sink);
  const maintenance = (key = KEY) => createSqlAuditMaintenance(stores.database.db, key, () => now, sink);
  const db = () => stores.database.db;

  before(async () => {
    stores = await openTestStores(backend, () => now);
  });
  after(() => stores.close());
  beforeEach(async () => {
    await db().deleteFrom('audit_events').execute();
    const genesis = '0'.repeat(64);
    await db().updateTable('audit_chain').set({ head_seq: 0, head_mac: genesis, anchor_seq: 0, anchor_mac: genesis, anchor_tag: null }).execute();
    now = T0;
    logged.length = 0;
  });

  async function writeEvents(count: number) {
    for (let i = 0; i < count; i += 1) {
      await audit().record({ type: 'login.failed', outcome: 'failure', targetUserId: i, details: { reason: 'bad_password' } }, WEB);
    }
  }
  const rowsBySeq = () => db().selectFrom('audit_events').selectAll().orderBy('seq').execute();

  test('events are stored with their context, gap-free seqs, and logged once each', async () => {
    await writeEvents(3);
    const rows = await rowsBySeq();
    assert.deepEqual(rows.map((row) => Number(row.seq)), [1, 2, 3]);
    assert.equal(rows[0]!.type, 'login.failed');
    assert.equal(rows[0]!.ip, '203.0.113.9');
    assert.equal(Number(rows[0]!.actor_user_id), 7);
    assert.deepEqual(JSON.parse(rows[0]!.details), { reason: 'bad_password' });
    assert.deepEqual(logged.map((event) => event.seq), [1, 2, 3]);
    assert.deepEqual(await maintenance().verify(), { ok: true, checked: 3, lastSeq: 3 });
  });

  test('an edited row is named, and so is the row after a deleted one', async () => {
    await writeEvents(5);
    const rows = await rowsBySeq();
    await db().updateTable('audit_events').set({ ip: '198.51.100.1' }).where('id', '=', rows[2]!.id).execute();
    const edited = await maintenance().verify();
    assert.equal(edited.ok, false);
    assert.deepEqual(edited.ok ? null : [edited.problem, edited.seq, edited.id], ['mac_mismatch', 3, Number(rows[2]!.id)]);
  });

  test('a deleted middle row is a gap named at the next row', async () => {
    await writeEvents(5);
    const rows = await rowsBySeq();
    await db().deleteFrom('audit_events').where('id', '=', rows[1]!.id).execute();
    const verdict = await maintenance().verify();
    assert.deepEqual(verdict.ok ? null : [verdict.problem, verdict.seq], ['missing_row', 3]);
  });

  test('two rows swapped (their seqs exchanged) break the chain at the first of them', async () => {
    await writeEvents(4);
    const rows = await rowsBySeq();
    const [second, third] = [rows[1]!, rows[2]!];
    // Through a free seq: seq is unique.
    await db().updateTable('audit_events').set({ seq: -1 }).where('id', '=', second.id).execute();
    await db().updateTable('audit_events').set({ seq: 2 }).where('id', '=', third.id).execute();
    await db().updateTable('audit_events').set({ seq: 3 }).where('id', '=', second.id).execute();
    const verdict = await maintenance().verify();
    assert.deepEqual(verdict.ok ? null : [verdict.problem, verdict.seq], ['mac_mismatch', 2]);
  });

  test('deleting the newest row is caught by the head', async () => {
    await writeEvents(3);
    await db().deleteFrom('audit_events').where('seq', '=', 3).execute();
    const verdict = await maintenance().verify();
    assert.deepEqual(verdict.ok ? null : verdict.problem, 'missing_tail');
  });

  test('a chain checked under another key fails at once (nobody without SECRET_KEY can forge rows)', async () => {
    await writeEvents(2);
    const verdict = await maintenance(Buffer.alloc(32, 6)).verify();
    assert.deepEqual(verdict.ok ? null : [verdict.problem, verdict.seq], ['mac_mismatch', 1]);
  });

  test('an event recorded in a rolled-back transaction leaves no row and no gap', async () => {
    const transactor = createSqlTransactor(db(), () => now, { mail: KEY, audit: KEY }, sink);
    await writeEvents(1);
    await assert.rejects(
      transactor.run(async (tx) => {
        await tx.audit.record({ type: 'role.changed', outcome: 'success', targetUserId: 1, details: { from: 'user', to: 'admin' } }, WEB);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await transactor.run((tx) => tx.audit.record({ type: 'user.disabled', outcome: 'success', targetUserId: 1 }, WEB));
    const rows = await rowsBySeq();
    assert.deepEqual(rows.map((row) => [Number(row.seq), row.type]), [[1, 'login.failed'], [2, 'user.disabled']]);
    assert.deepEqual(logged.map((event) => event.type), ['login.failed', 'user.disabled'], 'the rolled-back event was never logged');
    assert.equal((await maintenance().verify()).ok, true);
  });

  test('forty concurrent writers keep one valid chain', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => audit().record({ type: 'login.succeeded', outcome: 'success', targetUserId: i }, WEB)),
    );
    const rows = await rowsBySeq();
    assert.deepEqual(rows.map((row) => Number(row.seq)), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.deepEqual(await maintenance().verify(), { ok: true, checked: 40, lastSeq: 40 });
  });

  test('pruning removes old events, records a checkpoint, and the chain still verifies', async () => {
    await writeEvents(3);
    now = T0 + 10 * DAY;
    await writeEvents(2);
    assert.deepEqual(await maintenance().prune(new Date(T0 + 5 * DAY)), { removed: 3 });
    const rows = await rowsBySeq();
    assert.deepEqual(rows.map((row) => [Number(row.seq), row.type]), [[4, 'login.failed'], [5, 'login.failed'], [6, 'audit.pruned']]);
    assert.deepEqual(JSON.parse(rows[2]!.details), { count: 3, through_seq: 3 });
    assert.deepEqual(await maintenance().verify(), { ok: true, checked: 3, lastSeq: 6 });
    assert.deepEqual(await maintenance().prune(new Date(T0 + 5 * DAY)), { removed: 0 }, 'nothing more to prune');
    // The anchor cannot be moved by hand without the key.
    await db().updateTable('audit_chain').set({ anchor_seq: 4 }).execute();
    const verdict = await maintenance().verify();
    assert.deepEqual(verdict.ok ? null : verdict.problem, 'bad_anchor');
  });

  test('hostile text in details and user agent is stored as data and verifies (no injection)', async () => {
    const hostile = "x'); drop table audit_events; --\n\u0000<script>";
    await audit().record({ type: 'login.failed', outcome: 'failure', targetUserId: null, details: { reason: hostile } }, { ...WEB, userAgent: hostile });
    const [row] = await rowsBySeq();
    // NUL (refused by PostgreSQL in text) is stored as U+FFFD; everything else as sent.
    assert.equal(JSON.parse(row!.details).reason, hostile.replace('\u0000', '\uFFFD'));
    assert.equal(row!.user_agent, hostile.replace('\u0000', '\uFFFD'));
    assert.equal((await maintenance().verify()).ok, true);
    assert.equal(Number((await sql<{ n: number }>`select count(*) as n from audit_events`.execute(db())).rows[0]!.n), 1);
  });
});
