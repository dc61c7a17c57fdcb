// Property: `gatehouse migrate` applies the one set of migrations on every dialect, and two
// runs started at the same moment (two instances deploying) apply each migration once.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/open-database.ts';
import { type BackendName, provisionBackend, SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';
import { runCliCommand } from '../helpers/process.ts';

const BACKENDS: { name: BackendName; url: string | undefined }[] = [
  { name: 'sqlite', url: 'always' },
  { name: 'postgres', url: SERVICE_URLS.postgres },
  { name: 'mysql', url: SERVICE_URLS.mysql },
];

for (const { name, url } of BACKENDS) {
  describe(`gatehouse migrate [${name}]`, { skip: !url && !servicesRequired ? `${name} not available: its TEST_*_URL is not set` : false }, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    test('two concurrent runs both succeed and apply each migration exactly once; a third finds nothing to do', async () => {
      const backend = await provisionBackend(name);
      cleanups.push(backend.cleanup);
      const env = { DATABASE_URL: backend.env.DATABASE_URL!, LOG_LEVEL: 'warn' };
      const runs = await Promise.all([runCliCommand(['migrate'], env), runCliCommand(['migrate'], env)]);
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const applied = runs.map((run) => run.stdout).join('\n');
      assert.equal(applied.match(/0001-initial/g)?.length, 1, applied);

      const again = await runCliCommand(['migrate'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /up to date/);

      const database = await openDatabase(backend.env.DATABASE_URL!);
      try {
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
        const names = rows.map((row) => row.name);
        assert.deepEqual(names, [...new Set(names)].sort());
        assert.ok(names.includes('0001-initial'));
        const users = await database.db.selectFrom('users').select('id').execute();
        assert.deepEqual(users, []);
      } finally {
        await database.close();
      }
    });
  });
}
