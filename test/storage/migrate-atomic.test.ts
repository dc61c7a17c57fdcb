// Property: on SQLite a migration run is all or nothing. A run whose second migration fails
// half-way (after its first statement) leaves no table, no column and no bookkeeping row of
// that run behind, so the next start, with the mistake fixed, applies everything cleanly
// instead of failing on "already exists" (seen while writing migration 0016, before
// open-database.ts told Kysely that SQLite has transactional DDL).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type Kysely, type Migration, sql } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const first: Migration = { up: (db) => db.schema.createTable('first_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute() };
const secondFailing: Migration = {
  async up(db) {
    await db.schema.createTable('second_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    await db.schema.alterTable('first_table').addColumn('note', 'text').execute();
    await sql`insert into no_such_table values (1)`.execute(db);
  },
};
const secondFixed: Migration = {
  async up(db) {
    await db.schema.createTable('second_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    await db.schema.alterTable('first_table').addColumn('note', 'text').execute();
  },
};

async function tables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'kysely_%' and name not like 'sqlite_%' order by name`.execute(db);
  return rows.map((row) => row.name);
}

test('a SQLite migration run that fails half-way changes nothing, and the fixed run applies all of it', async () => {
  const database = await openDatabase(`sqlite:${path.join(dir, 'half.db')}`);
  try {
    const failed = await migrateToLatest(database.db, { '0001-first': first, '0002-second': secondFailing });
    assert.equal(failed.ok, false);
    assert.deepEqual(failed.applied, []);
    assert.deepEqual(await tables(database.db), [], 'nothing of the failed run is left');
    const recorded = await sql<{ name: string }>`select name from kysely_migration`.execute(database.db);
    assert.deepEqual(recorded.rows, []);

    const fixed = await migrateToLatest(database.db, { '0001-first': first, '0002-second': secondFixed });
    assert.deepEqual(fixed, { ok: true, applied: ['0001-first', '0002-second'] });
    assert.deepEqual(await tables(database.db), ['first_table', 'second_table']);
    const columns = await sql<{ name: string }>`select name from pragma_table_info('first_table') order by cid`.execute(database.db);
    assert.deepEqual(columns.rows.map((row) => row.name), ['id', 'note']);
  } finally {
    await database.close();
  }
});

test("the schema's own migrations still apply on a fresh SQLite file in one run, and a second run applies none", async () => {
  const database = await openDatabase(`sqlite:${path.join(dir, 'real.db')}`);
  try {
    const result = await migrateToLatest(database.db);
    assert.ok(result.ok);
    assert.ok(result.applied.length >= 16, `${result.applied.length} applied`);
    assert.deepEqual(await migrateToLatest(database.db), { ok: true, applied: [] });
  } finally {
    await database.close();
  }
});
