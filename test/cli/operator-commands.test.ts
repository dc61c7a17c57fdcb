// Property: the operator commands (issue #11) do what the contract says, beside a server that
// keeps running on the same SQLite file, and each leaves its audit row (channel `cli`,
// v5.0.0-16.3.3, v5.0.0-16.2.1): `list-users` lists with filters and `--json` and never a
// hash (v5.0.0-15.3.1); `delete-user` needs confirmation (`--yes` off a terminal), then
// removes sessions, tokens, known devices, queued mail and the row, while the audit keeps a
// `user.deleted` event naming the numeric id only (v5.0.0-14.1.2: the record is pseudonymous);
// `send-reset` mails a working reset link that only the mailbox sees; `unblock` lets a
// throttled account sign in again at once (v5.0.0-6.3.1: an operator can end a lockout);
// the last active admin cannot be demoted, disabled or deleted; `--version` prints
// package.json's version without opening a database. Every command answers bad input with
// one line and a non-zero exit, has `--help`, and speaks Spanish on a Spanish terminal.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { runCli } from '../../src/cli/main.ts';
import { TestClient } from '../helpers/client.ts';
import { assertOneLineError, CliWorkspace, REPO_ROOT, type SharedServer } from '../helpers/cli.ts';

const PASSWORD = 'marigold anvil sextant 2290 plover';
const NEW_PASSWORD = 'cobalt meridian thistle 8815 wren';
const WRONG = 'a wrong password, guessed';
const SPANISH = { LANG: 'es_ES.UTF-8' };
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('operator commands against a running server', () => {
  const cli = new CliWorkspace();
  cli.forbid(PASSWORD, NEW_PASSWORD);
  let server: SharedServer;

  const db = () => server.deps.database.db;

  /** The audit rows of one type, oldest first. */
  async function auditRows(type: string) {
    return db().selectFrom('audit_events').selectAll().where('type', '=', type).orderBy('seq').execute();
  }

  /** The newest audit row of `type` about `targetUserId` (null: about nobody), checked as a CLI row. */
  async function assertCliAudit(type: string, outcome: 'success' | 'failure', targetUserId: number | null) {
    const rows = (await auditRows(type)).filter((row) => (row.target_user_id === null ? null : Number(row.target_user_id)) === targetUserId);
    const row = rows.at(-1);
    assert.ok(row, `no ${type} audit row about ${targetUserId}`);
    assert.equal(row.outcome, outcome, `${type}: outcome`);
    assert.equal(row.channel, 'cli', `${type}: channel`);
    assert.equal(row.actor_user_id, null, `${type}: an operator has no user id`);
    assert.equal(row.ip, null, `${type}: no IP from the CLI`);
    return { ...row, details: JSON.parse(row.details) as Record<string, unknown> };
  }

  async function register(username: string): Promise<{ client: TestClient; id: number; email: string }> {
    const client = new TestClient(server.url);
    const email = `${username}@example.test`;
    assert.equal((await client.registerAndSignIn(username, PASSWORD, email)).status, 303);
    const id = Number(/data-user-id="(\d+)"/.exec((await client.get('/profile')).body)?.[1]);
    assert.ok(id > 0, `no data-user-id on ${username}'s profile`);
    return { client, id, email };
  }

  async function signIn(username: string, password = PASSWORD) {
    const client = new TestClient(server.url);
    return { client, response: await client.signIn(username, password) };
  }

  /** The newest mail to `address` in the outbox (written by the CLI or the server). */
  async function newestOutboxMail(address: string) {
    const outbox = path.join(cli.dataDir, 'outbox');
    if (!existsSync(outbox)) return undefined;
    const mails = [];
    for (const file of readdirSync(outbox).sort()) {
      const mail = await simpleParser(readFileSync(path.join(outbox, file)));
      if (!Array.isArray(mail.to) && mail.to?.text === address) mails.push({ file, mail });
    }
    return mails.at(-1);
  }

  before(async () => {
    const migrated = await cli.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    server = await cli.startServer();
    const root = await cli.run(['create-admin', '--username', 'root', '--email', 'root@example.test'], { input: `${PASSWORD}\n` });
    assert.equal(root.code, 0, root.stderr);
  });
  after(() => cli.cleanup());

  test('--version prints package.json\'s version and exits 0, even where no database could open', async () => {
    const [version, broken] = await Promise.all([cli.runProcess(['--version']), cli.runProcess(['--version'], { env: { DATABASE_URL: 'ftp://nowhere', PORT: 'nope' } })]);
    for (const result of [version, broken]) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `gatehouse ${VERSION}\n`);
      assert.equal(result.stderr, '');
    }
    const extra = await cli.run(['--version', 'now']);
    assert.equal(extra.code, 2);
    assertOneLineError(extra, '--version now');
  });

  test('--help lists the operator commands; each one\'s --help shows its usage and what it does', async () => {
    const help = await cli.run(['--help']);
    for (const name of ['list-users', 'delete-user', 'send-reset', 'unblock', 'audit-verify']) {
      assert.match(help.stdout, new RegExp(`^ {2}${name}\\s`, 'm'), `--help does not list ${name}`);
      const own = await cli.run([name, '--help']);
      assert.equal(own.code, 0, own.stderr);
      assert.match(own.stdout, new RegExp(`^usage: gatehouse ${name}\\b`));
    }
    assert.match((await cli.run(['delete-user', '--help'])).stdout, /--yes/);
    assert.match((await cli.run(['list-users', '--help'])).stdout, /--json prints one JSON array/);
    assert.match((await cli.run(['unblock', '--help'], { env: SPANISH })).stdout, /^uso: gatehouse unblock <username>\n\nlevanta el límite/);
  });

  describe('list-users', () => {
    let olga: { id: number };
    let pavel: { id: number };

    before(async () => {
      olga = await register('olga');
      pavel = await register('pavel');
      assert.equal((await cli.run(['disable', 'pavel'])).code, 0);
    });

    test('a table for people, a JSON array with --json; no hash or token anywhere; recorded as users.listed', async () => {
      const table = await cli.run(['list-users']);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^id\s+username\s+email\s+role\s+verified\s+disabled\s+created$/);
      assert.match(table.stdout, new RegExp(`^${olga.id}\\s+olga\\s+olga@example\\.test\\s+user\\s+no\\s+no\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));
      assert.match(table.stdout, new RegExp(`^${pavel.id}\\s+pavel\\s+\\S+\\s+user\\s+no\\s+yes\\s`, 'm'));
      assert.match(table.stdout, /^\d+\s+root\s+root@example\.test\s+admin\s/m);

      const json = await cli.run(['list-users', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const listed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      assert.ok(Array.isArray(listed));
      assert.deepEqual(Object.keys(listed[0]!).sort(), ['createdAt', 'disabled', 'email', 'emailVerified', 'id', 'role', 'username']);
      assert.deepEqual(listed.map((user) => user.username), ['root', 'olga', 'pavel'], 'oldest first');
      assert.doesNotMatch(json.stdout, /argon2|password|hash|token/i);

      const recorded = await assertCliAudit('users.listed', 'success', null);
      assert.equal(recorded.details.count, 3);
    });

    test('filters: --query (start of username or email, any case), --role, --disabled, --unverified, --limit', async () => {
      const names = async (...args: string[]) => {
        const result = await cli.run(['list-users', '--json', ...args]);
        assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
        return (JSON.parse(result.stdout) as Array<{ username: string }>).map((user) => user.username);
      };
      assert.deepEqual(await names('--query', 'OL'), ['olga']);
      assert.deepEqual(await names('--query', 'pavel@ex'), ['pavel']);
      assert.deepEqual(await names('--query', '%'), [], '% is plain text, not a wildcard');
      assert.deepEqual(await names('--role', 'admin'), ['root']);
      assert.deepEqual(await names('--disabled'), ['pavel']);
      assert.deepEqual(await names('--unverified', '--role', 'user'), ['olga', 'pavel']);
      const limited = await cli.run(['list-users', '--json', '--limit', '2']);
      assert.deepEqual((JSON.parse(limited.stdout) as Array<{ username: string }>).map((user) => user.username), ['root', 'olga']);
      assert.match(limited.stderr, /more accounts match/, 'the cut is said, on stderr (stdout stays JSON)');
      const nobody = await cli.run(['list-users', '--query', 'zzz']);
      assert.equal(nobody.stdout, 'no account matches\n');
      const recorded = await assertCliAudit('users.listed', 'success', null);
      assert.deepEqual(recorded.details, { count: 0, prefix: true, role: null, disabled: false, unverified: false }, 'filters recorded, not the query text');
    });

    test('bad arguments: one line and exit 2', async () => {
      for (const args of [['--role', 'superuser'], ['--limit', '0'], ['--limit', '1001'], ['--limit', 'ten'], ['--frobnicate'], ['olga']]) {
        const result = await cli.run(['list-users', ...args]);
        assert.equal(result.code, 2, `list-users ${args.join(' ')}`);
        assertOneLineError(result, `list-users ${args.join(' ')}`);
      }
      assert.match((await cli.run(['list-users', '--role', 'superuser'])).stderr, /superuser/);
    });

    test('in Spanish on a Spanish terminal', async () => {
      const table = await cli.run(['list-users', '--query', 'pavel'], { env: SPANISH });
      assert.match(table.stdout, /^id\s+usuario\s+correo\s+rol\s+verificada\s+desactivada\s+creada\n/);
      assert.match(table.stdout, /pavel\s+pavel@example\.test\s+user\s+no\s+sí\s/);
      assert.match(assertOneLineError(await cli.run(['list-users', '--limit', '0'], { env: SPANISH }), 'bad limit'), /debe ser un número entero de 1 a 1000/);
    });
  });

  describe('delete-user', () => {
    test('refuses without --yes when stdin is not a terminal: exit 2, one line, nothing deleted', async () => {
      const quinn = await register('quinn');
      const [inProcess, process] = await Promise.all([cli.run(['delete-user', 'quinn']), cli.runProcess(['delete-user', 'quinn'])]);
      for (const result of [inProcess, process]) {
        assert.equal(result.code, 2);
        assert.match(assertOneLineError(result, 'delete-user without --yes'), /--yes/);
      }
      assert.ok(await server.deps.users.findUserById(quinn.id));
      assert.equal((await quinn.client.get('/dashboard')).status, 200);
      assert.match(assertOneLineError(await cli.run(['delete-user', 'quinn'], { env: SPANISH }), 'Spanish'), /añade --yes/);
    });

    test('with --yes: sessions, tokens, known devices, queued mail and the row go; the audit keeps user.deleted with the id only', async () => {
      const rita = await register('rita');
      const elsewhere = (await signIn('rita')).client;
      // A reset token and its mail, queued for rita.
      const forgot = new TestClient(server.url);
      await forgot.get('/forgot-password');
      assert.equal((await forgot.postForm('/forgot-password', { email: rita.email })).status, 200);
      const count = async () => ({
        sessions: (await db().selectFrom('sessions').select('id_hash').where('user_id', '=', rita.id).execute()).length,
        tokens: (await db().selectFrom('tokens').select('hash').where('user_id', '=', rita.id).execute()).length,
        devices: (await db().selectFrom('known_devices').select('device_hash').where('user_id', '=', rita.id).execute()).length,
        mail: (await db().selectFrom('mail_queue').select('id').where('recipient', '=', rita.email).execute()).length,
      });
      const before = await count();
      assert.ok(before.sessions >= 2 && before.tokens >= 1 && before.devices >= 1 && before.mail >= 1, JSON.stringify(before));

      const deleted = await cli.runProcess(['delete-user', 'rita', '--yes']);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout, `deleted rita (id ${rita.id}); the audit log keeps only the id\n`);

      assert.equal(await server.deps.users.findUserById(rita.id), undefined);
      assert.deepEqual(await count(), { sessions: 0, tokens: 0, devices: 0, mail: 0 });
      for (const client of [rita.client, elsewhere]) {
        const dashboard = await client.get('/dashboard');
        assert.equal(dashboard.status, 303, 'a live session of the deleted user still works');
      }
      assert.equal((await signIn('rita')).response.status, 401);

      const event = await assertCliAudit('user.deleted', 'success', rita.id);
      assert.deepEqual(event.details, {});
      // Nothing in the audit log names her any more: only the numeric id remains.
      const everything = await db().selectFrom('audit_events').selectAll().execute();
      const mentions = everything.filter((row) => JSON.stringify(row).includes('rita'));
      assert.deepEqual(mentions, [], 'audit rows still name the deleted user');
    });

    test('on a terminal it asks for the username to be typed back; a wrong answer deletes nothing', async () => {
      const sam = await register('sam');
      const terminal = (answer: string) => Object.assign(Readable.from([`${answer}\n`]), { isTTY: true });
      const run = async (answer: string) => {
        let stdout = '';
        let stderr = '';
        const io = { out: (line: string) => (stdout += `${line}\n`), err: (line: string) => (stderr += `${line}\n`) };
        const code = await runCli(['delete-user', 'sam'], io, { env: cli.env, stdin: terminal(answer), loadDotEnv: false });
        return { code, stdout, stderr, signal: null };
      };
      const refused = await run('someone else');
      assert.equal(refused.code, 1);
      assert.match(assertOneLineError(refused, 'wrong confirmation'), /not confirmed: sam was not deleted/);
      assert.ok(await server.deps.users.findUserById(sam.id));
      const confirmed = await run('SAM');
      assert.equal(confirmed.code, 0, confirmed.stderr);
      assert.equal(await server.deps.users.findUserById(sam.id), undefined);
    });

    test('an unknown user or bad arguments: non-zero, one line', async () => {
      const unknown = await cli.runProcess(['delete-user', 'nobody', '--yes']);
      assert.equal(unknown.code, 1);
      assert.match(assertOneLineError(unknown, 'delete-user nobody'), /unknown user "nobody"/);
      for (const args of [['delete-user'], ['delete-user', '--yes'], ['delete-user', 'a', 'b', '--yes'], ['delete-user', 'a', '--force']]) {
        const result = await cli.run(args);
        assert.equal(result.code, 2, args.join(' '));
        assertOneLineError(result, args.join(' '));
      }
    });
  });

  test('the last active admin cannot be demoted, disabled or deleted: one clear line, exit 1, refusal audited; with a second admin it can', async () => {
    const root = await server.deps.users.findUserByUsername('root');
    assert.ok(root);
    const attempts = [
      { args: ['set-role', 'root', 'user'], type: 'role.changed' },
      { args: ['disable', 'root'], type: 'user.disabled' },
      { args: ['delete-user', 'root', '--yes'], type: 'user.deleted' },
    ];
    for (const { args, type } of attempts) {
      const result = await cli.runProcess(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(assertOneLineError(result, args.join(' ')), `gatehouse ${args[0]}: root is the last active admin: promote or enable another admin first`);
      const refusal = await assertCliAudit(type, 'failure', root.id);
      assert.equal(refusal.details.reason, 'last_admin');
    }
    const still = await server.deps.users.findUserById(root.id);
    assert.equal(still?.role, 'admin');
    assert.equal(still?.disabled, false);
    assert.match(assertOneLineError(await cli.run(['disable', 'root'], { env: SPANISH }), 'Spanish'), /root es el último administrador activo/);

    await register('tess');
    assert.equal((await cli.run(['set-role', 'tess', 'admin'])).code, 0);
    const demoted = await cli.run(['set-role', 'root', 'user']);
    assert.equal(demoted.code, 0, demoted.stderr);
    const changed = await assertCliAudit('role.changed', 'success', root.id);
    assert.deepEqual(changed.details, { from: 'admin', to: 'user' });
    assert.equal((await cli.run(['set-role', 'root', 'admin'])).code, 0);
  });

  test('set-role, disable, enable and revoke-sessions each leave their audit row (channel cli)', async () => {
    const uma = await register('uma');
    for (const [args, type] of [
      [['disable', 'uma'], 'user.disabled'],
      [['enable', 'uma'], 'user.enabled'],
      [['revoke-sessions', 'uma'], 'session.revoked'],
      [['set-role', 'uma', 'admin'], 'role.changed'],
    ] as const) {
      const result = await cli.run([...args]);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      await assertCliAudit(type, 'success', uma.id);
    }
  });

  describe('send-reset', () => {
    test('mails a working reset link to the address on the account, prints no link, audits password.reset_requested', async () => {
      const vera = await register('vera');
      const sent = await cli.runProcess(['send-reset', 'vera']);
      assert.equal(sent.code, 0, sent.stderr);
      assert.equal(sent.stdout, 'mailed a password reset link to vera\n');
      assert.doesNotMatch(sent.stdout + sent.stderr, /token|reset-password/);
      const found = await newestOutboxMail(vera.email);
      assert.ok(found, 'no mail to vera in the outbox');
      const text = found.mail.text ?? '';
      const token = /\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
      assert.ok(token, `no reset link in:\n${text}`);
      await assertCliAudit('password.reset_requested', 'success', vera.id);

      // The link is a real one: it sets a new password, which then signs in.
      const browser = new TestClient(server.url);
      const landing = await browser.get(`/reset-password?token=${token}`);
      const form = landing.status === 303 ? await browser.get(landing.location!) : landing;
      assert.equal(form.status, 200);
      const reset = await browser.postForm('/reset-password', { token, password: NEW_PASSWORD });
      assert.equal(reset.status, 303, reset.body.slice(0, 300));
      assert.equal((await signIn('vera', NEW_PASSWORD)).response.status, 303);
    });

    test('in Spanish; an unknown user or bad arguments: non-zero, one line', async () => {
      await register('wanda');
      const spanish = await cli.run(['send-reset', 'wanda'], { env: SPANISH });
      assert.equal(spanish.code, 0, spanish.stderr);
      assert.equal(spanish.stdout, 'enlace para restablecer la contraseña enviado a wanda\n');
      const unknown = await cli.run(['send-reset', 'nobody']);
      assert.equal(unknown.code, 1);
      assert.match(assertOneLineError(unknown, 'send-reset nobody'), /unknown user "nobody"/);
      for (const args of [['send-reset'], ['send-reset', 'a', 'b'], ['send-reset', '--now']]) {
        const result = await cli.run(args);
        assert.equal(result.code, 2, args.join(' '));
        assertOneLineError(result, args.join(' '));
      }
    });
  });

  describe('unblock', () => {
    test('an account throttled by five bad sign-ins over HTTP signs in again right after unblock', async () => {
      await register('xena');
      const attacker = new TestClient(server.url);
      await attacker.get('/login');
      for (let i = 0; i < 5; i += 1) assert.equal((await attacker.postForm('/login', { username: 'xena', password: WRONG })).status, 401);
      const blocked = await signIn('xena');
      assert.equal(blocked.response.status, 429, 'five failures did not throttle the account');

      const cleared = await cli.runProcess(['unblock', 'xena']);
      assert.equal(cleared.code, 0, cleared.stderr);
      assert.equal(cleared.stdout, "cleared xena's sign-in throttle\n");
      const xena = await server.deps.users.findUserByUsername('xena');
      const event = await assertCliAudit('throttle.cleared', 'success', xena!.id);
      assert.ok(Number(event.details.addresses) >= 1, `no address cleared: ${JSON.stringify(event.details)}`);
      assert.equal((await signIn('xena')).response.status, 303, 'still throttled after unblock');
    });

    test('in Spanish; an unknown user or bad arguments: non-zero, one line', async () => {
      await register('yusuf');
      assert.equal((await cli.run(['unblock', 'yusuf'], { env: SPANISH })).stdout, 'se levantó el límite de inicios de sesión de yusuf\n');
      const unknown = await cli.run(['unblock', 'nobody'], { env: SPANISH });
      assert.equal(unknown.code, 1);
      assert.match(assertOneLineError(unknown, 'unblock nobody'), /usuario desconocido «nobody»/);
      for (const args of [['unblock'], ['unblock', 'a', 'b'], ['unblock', '--all']]) {
        const result = await cli.run(args);
        assert.equal(result.code, 2, args.join(' '));
        assertOneLineError(result, args.join(' '));
      }
    });
  });

  test('after all of it the audit chain verifies', async () => {
    const verified = await cli.run(['audit-verify']);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^audit log intact: \d+ events checked\n$/);
  });
});
