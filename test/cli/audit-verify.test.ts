// Property: `gatehouse audit-verify` tells an intact audit log from a tampered one, end to end
// (the real command, on the database a running server writes): it exits 0 and counts every
// event when nothing was touched, and exits 1 with one line naming the first broken row when
// a row's details or IP were edited, a middle row was deleted (the row after the gap is
// named), two rows' contents were swapped, or the newest row was deleted (missing tail)
// (v5.0.0-16.4.2: logs cannot be modified unnoticed). Writers in several processes at once
// (CLI commands beside a server taking sign-ins; two servers on one PostgreSQL schema) keep
// one valid chain. An unreachable database is one line and exit 1. On SQLite, and on
// PostgreSQL when TEST_POSTGRES_URL is set.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Selectable } from 'kysely';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import type { AuditEventTable } from '../../src/storage/database.ts';
import { type BackendName, provisionBackend, type ProvisionedBackend } from '../helpers/backends.ts';
import { assertOneLineError, CliWorkspace, mapLimit, type SharedServer } from '../helpers/cli.ts';
import { TestClient } from '../helpers/client.ts';
import { eachBackend } from '../helpers/stores.ts';

const PASSWORD = 'quartz meadow lantern 6071 heron';
type EventRow = Selectable<AuditEventTable>;

eachBackend(
  'gatehouse audit-verify',
  (backendName: BackendName) => {
    const cli = new CliWorkspace();
    cli.forbid(PASSWORD);
    let backend: ProvisionedBackend | undefined;
    let env: Record<string, string> = {};
    let server: SharedServer;
    /** What the CLI commands of the concurrency test answered (checked by the test after it). */
    let commandOutcomes: Array<{ args: string[]; code: number | null; stderr: string }> = [];

    const db = () => server.deps.database.db;
    const rows = (): Promise<EventRow[]> => db().selectFrom('audit_events').selectAll().orderBy('seq').execute();
    const verify = (extra: Record<string, string> = {}) => cli.run(['audit-verify'], { env: { ...env, ...extra } });

    /** Exit 1 and one line on stderr; returns the line. */
    async function assertBroken(what: string): Promise<string> {
      const result = await verify();
      assert.equal(result.code, 1, `${what}: ${result.stdout}${result.stderr}`);
      return assertOneLineError(result, what);
    }

    async function assertIntact(what: string): Promise<number> {
      const result = await verify();
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      const count = (await rows()).length;
      assert.equal(result.stdout, `audit log intact: ${count} events checked\n`, what);
      return count;
    }

    /** Puts a row back exactly as it was (same id, seq, content and MAC). */
    async function restore(row: EventRow): Promise<void> {
      await db().deleteFrom('audit_events').where('id', '=', row.id).execute();
      await db().insertInto('audit_events').values(row).execute();
    }

    /** The middle row of the chain and its successor. */
    async function middle(): Promise<{ row: EventRow; next: EventRow }> {
      const all = await rows();
      assert.ok(all.length >= 5, `too few events to tamper with: ${all.length}`);
      const index = Math.floor(all.length / 2);
      return { row: all[index]!, next: all[index + 1]! };
    }

    before(async () => {
      if (backendName !== 'sqlite') {
        backend = await provisionBackend(backendName);
        env = backend.env;
      }
      const migrated = await cli.run(['migrate'], { env });
      assert.equal(migrated.code, 0, migrated.stderr);
      server = await cli.startServer(env);
      // Events through the product's own paths (registration, sign-ins good and bad) and,
      // so the count never depends on which flows are audited yet, a few through the service.
      for (const name of ['ava', 'ben']) {
        const client = new TestClient(server.url);
        assert.equal((await client.registerAndSignIn(name, PASSWORD)).status, 303);
        await new TestClient(server.url).signIn(name, 'not the password at all');
      }
      for (let i = 0; i < 6; i += 1) {
        await server.deps.audit.record({ type: 'login.failed', outcome: 'failure', targetUserId: i, details: { reason: 'bad_password' } }, { ...CLI_CONTEXT, ip: `198.51.100.${i}` });
      }
    });
    after(async () => {
      await cli.cleanup();
      await backend?.cleanup();
    });

    test('an untouched log verifies: exit 0 and every event counted, from the real binary too; in Spanish on a Spanish terminal', async () => {
      const count = await assertIntact('untouched');
      assert.ok(count >= 6);
      const process = await cli.runProcess(['audit-verify'], { env });
      assert.equal(process.code, 0, process.stderr);
      assert.equal(process.stdout, `audit log intact: ${count} events checked\n`);
      const spanish = await verify({ LANG: 'es_ES.UTF-8' });
      assert.equal(spanish.stdout, `registro de auditoría íntegro: ${count} eventos comprobados\n`);
    });

    test("an edited row's details are found: exit 1, one line naming its id and seq", async () => {
      const { row } = await middle();
      await db().updateTable('audit_events').set({ details: JSON.stringify({ reason: 'nothing to see' }) }).where('id', '=', row.id).execute();
      const line = await assertBroken('edited details');
      assert.match(line, new RegExp(`event id ${row.id} \\(seq ${row.seq}\\)`));
      assert.match(line, /content or its place in the chain does not match its MAC/);
      await restore(row);
      await assertIntact('details restored');
    });

    test("an edited row's IP is found too, and named in Spanish on a Spanish terminal", async () => {
      const { row } = await middle();
      await db().updateTable('audit_events').set({ ip: '192.0.2.250' }).where('id', '=', row.id).execute();
      assert.match(await assertBroken('edited ip'), new RegExp(`id ${row.id} \\(seq ${row.seq}\\)`));
      const spanish = await verify({ LANG: 'es_ES.UTF-8' });
      assert.match(assertOneLineError(spanish, 'edited ip, Spanish'), new RegExp(`registro de auditoría roto en el evento id ${row.id} \\(seq ${row.seq}\\)`));
      await restore(row);
      await assertIntact('ip restored');
    });

    test('a deleted middle row is found: the row after the gap is named', async () => {
      const { row, next } = await middle();
      await db().deleteFrom('audit_events').where('id', '=', row.id).execute();
      const line = await assertBroken('deleted middle row');
      assert.match(line, new RegExp(`event id ${next.id} \\(seq ${next.seq}\\)`));
      assert.match(line, /the event before it is missing/);
      await db().insertInto('audit_events').values(row).execute();
      await assertIntact('row put back');
    });

    test("two rows' contents swapped (re-ordered events) are found at the first of them", async () => {
      const { row, next } = await middle();
      const content = ({ occurred_at, type, actor_user_id, target_user_id, ip, user_agent, channel, outcome, details, mac }: EventRow) => ({
        occurred_at,
        type,
        actor_user_id,
        target_user_id,
        ip,
        user_agent,
        channel,
        outcome,
        details,
        mac,
      });
      await db().updateTable('audit_events').set(content(next)).where('id', '=', row.id).execute();
      await db().updateTable('audit_events').set(content(row)).where('id', '=', next.id).execute();
      assert.match(await assertBroken('swapped rows'), new RegExp(`event id ${row.id} \\(seq ${row.seq}\\)`));
      await restore(row);
      await restore(next);
      await assertIntact('swap undone');
    });

    test('the newest row deleted is found as a missing tail', async () => {
      const all = await rows();
      const newest = all.at(-1)!;
      await db().deleteFrom('audit_events').where('id', '=', newest.id).execute();
      const line = await assertBroken('deleted newest row');
      assert.match(line, new RegExp(`the newest events, from seq ${newest.seq} on, are missing`));
      await restore(newest);
      await assertIntact('tail restored');
    });

    test('bad arguments exit 2 with one line; --help says what it does', async () => {
      for (const args of [['audit-verify', 'now'], ['audit-verify', '--fix']]) {
        const result = await cli.run(args, { env });
        assert.equal(result.code, 2);
        assertOneLineError(result, args.join(' '));
      }
      const help = await cli.run(['audit-verify', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /usage: gatehouse audit-verify\n\nwalk the tamper-evident audit log/);
    });

    test('an unreachable database: exit 1 and one line', async () => {
      const result = await cli.run(['audit-verify'], { env: { ...env, DATABASE_URL: 'postgres://gatehouse@127.0.0.1:1/gatehouse' } });
      assert.equal(result.code, 1);
      assert.match(assertOneLineError(result, 'unreachable database'), /database unreachable/);
    });

    test('writers in several processes at once keep one valid chain', async () => {
      const others = backendName === 'sqlite' ? [] : [await cli.startServer(env)];
      // A standing admin, so that demoting the racing ones never meets the last-admin rule.
      assert.equal((await cli.run(['set-role', 'ava', 'admin'], { env })).code, 0);
      const before = (await rows()).length;
      const names = ['cara', 'dan', 'eve', 'finn'];
      for (const name of names) assert.equal((await new TestClient(server.url).registerAndSignIn(name, PASSWORD)).status, 303);
      const signIns: Array<() => Promise<unknown>> = [server, ...others].flatMap((target) =>
        names.flatMap((name) => [
          () => new TestClient(target.url).signIn(name, PASSWORD),
          () => new TestClient(target.url).signIn(name, 'wrong, and counted'),
        ]),
      );
      // CLI processes writing (role changes, sessions ended, throttles cleared) while the
      // servers record sign-ins and events of their own.
      const commands = names.flatMap((name) => [['set-role', name, 'admin'], ['revoke-sessions', name], ['set-role', name, 'user'], ['unblock', name]]);
      const direct: Array<() => Promise<unknown>> = Array.from({ length: 20 }, (_, i) => () =>
        server.deps.audit.record({ type: 'login.failed', outcome: 'failure', targetUserId: i, details: { reason: 'unknown_user' } }, CLI_CONTEXT),
      );
      const [results] = await Promise.all([
        mapLimit(commands, 4, (args) => cli.runProcess(args, { env })),
        mapLimit([...signIns, ...direct], 8, (work) => work()),
      ]);
      commandOutcomes = results.map((result, index) => ({ args: commands[index]!, code: result.code, stderr: result.stderr }));
      const after = await rows();
      assert.ok(after.length >= before + direct.length, `${after.length - before} new events`);
      assert.deepEqual(after.map((row) => Number(row.seq)), after.map((_, i) => Number(after[0]!.seq) + i), 'seqs have a gap or a repeat');
      await assertIntact('after concurrent writers');
    });

    // On SQLite this failed in 3 of 3 runs ("database is locked") until transactions began with
    // BEGIN IMMEDIATE (storage/open-database.ts): a deferred BEGIN that read and then wrote
    // while another process committed got SQLITE_BUSY at once, without waiting.
    test(
      'every CLI command run beside the busy servers succeeds',
      () => {
        assert.ok(commandOutcomes.length > 0, 'the concurrency test ran first');
        const failed = commandOutcomes.filter((outcome) => outcome.code !== 0).map((outcome) => `${outcome.args.join(' ')}: ${outcome.stderr.trim()}`);
        assert.deepEqual(failed, []);
      },
    );
  },
  ['sqlite', 'postgres'],
);
