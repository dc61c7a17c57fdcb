/**
 * `gatehouse migrate` and `gatehouse create-admin` on a temporary data dir; the admin then
 * signs in through a server on the same SQLite file. In-process (`cli.run`) except where a
 * real process matters: a password piped to the binary's stdin, an empty stdin that must not
 * hang, and the exit code of a command run before any migration.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { TestClient } from '../helpers/client.ts';
import { assertOneLineError, CliWorkspace } from '../helpers/cli.ts';

const ADMIN_PASSWORD = 'quartz lantern meadow 4817 violet';
const CRLF_PASSWORD = 'harbor pepper juniper 2093 canyon';
// Refused by length alone, so this stays true whatever rules the policy adds.
const WEAK_PASSWORDS = ['Xq7', 'Tr0ub4dor&3'];
const ARGV_PASSWORD = 'argv-password-never-echoed-9431';

function readUsers(dataDir: string) {
  const db = new Database(path.join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select username, email, role, disabled, password_hash from users order by id').all() as {
      username: string;
      email: string;
      role: string;
      disabled: number;
      password_hash: string | null;
    }[];
  } finally {
    db.close();
  }
}

describe('gatehouse migrate', () => {
  const cli = new CliWorkspace();
  after(() => cli.cleanup());

  test('before any migration, a command that needs the schema says to migrate, in one line', async () => {
    const result = await cli.runProcess(['revoke-sessions', 'nobody']);
    assert.equal(result.code, 1);
    const reason = assertOneLineError(result, 'revoke-sessions before migrate');
    assert.match(reason, /migrate/);
  });

  test('creates the schema and exits 0; a second run says it is up to date', async () => {
    const first = await cli.run(['migrate']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied: 0001-initial/);
    assert.equal(first.stderr, '');
    assert.ok(existsSync(path.join(cli.dataDir, 'gatehouse.db')));

    const db = new Database(path.join(cli.dataDir, 'gatehouse.db'), { readonly: true });
    const tables = (db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    db.close();
    for (const table of ['users', 'sessions']) assert.ok(tables.includes(table), `missing table ${table}: ${tables.join(', ')}`);

    const second = await cli.run(['migrate']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
    assert.doesNotMatch(second.stdout, /applied/);
  });

  test('a bad DATABASE_URL is refused in one line', async () => {
    const result = await cli.run(['migrate'], { env: { DATABASE_URL: 'oracle://db/x' } });
    const reason = assertOneLineError(result, 'migrate with a bad DATABASE_URL');
    assert.match(reason, /DATABASE_URL/);
  });
});

describe('gatehouse create-admin', () => {
  const cli = new CliWorkspace();
  cli.forbid(ADMIN_PASSWORD, CRLF_PASSWORD, ARGV_PASSWORD, ...WEAK_PASSWORDS);

  before(async () => {
    const migrated = await cli.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
  });
  after(() => cli.cleanup());

  test('with the password piped on stdin: exit 0, and the user is an admin who can sign in', async () => {
    const result = await cli.runProcess(['create-admin', '--username', 'root', '--email', 'r@x.io'], { input: `${ADMIN_PASSWORD}\n` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /root/);

    const [user] = readUsers(cli.dataDir);
    assert.equal(user?.username, 'root');
    assert.equal(user?.role, 'admin');
    assert.match(user?.password_hash ?? '', /^\$argon2id\$/);

    const server = await cli.startServer();
    const client = new TestClient(server.url);
    const signIn = await client.signIn('root', ADMIN_PASSWORD);
    assert.equal(signIn.status, 303, signIn.body.slice(0, 300));
    assert.equal(signIn.location, '/dashboard');
    const dashboard = await client.get('/dashboard');
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.body, /<span data-username>root<\/span>/);
    assert.match(dashboard.body, /<strong data-role>admin<\/strong>/);
  });

  test('a password piped with a Windows line ending (CRLF) is the line without the CR', async () => {
    const result = await cli.run(['create-admin', '--username', 'crlf', '--email', 'crlf@x.io'], { input: `${CRLF_PASSWORD}\r\n` });
    assert.equal(result.code, 0, result.stderr);
    const server = await cli.startServer();
    const signIn = await new TestClient(server.url).signIn('crlf', CRLF_PASSWORD);
    assert.equal(signIn.status, 303);
    assert.equal(signIn.location, '/dashboard');
  });

  test('a weak password piped: non-zero, a one-line reason, nothing stored', async () => {
    const results = await Promise.all(
      WEAK_PASSWORDS.map((weak) => cli.run(['create-admin', '--username', 'weakling', '--email', 'weak@x.io'], { input: `${weak}\n` })),
    );
    results.forEach((result, i) => assert.match(assertOneLineError(result, `create-admin with weak password #${i}`), /password/i));
    assert.equal(readUsers(cli.dataDir).filter((u) => u.username === 'weakling').length, 0);
  });

  test('nothing on stdin: non-zero with a one-line reason (no hang)', async () => {
    const result = await cli.runProcess(['create-admin', '--username', 'nopass', '--email', 'nopass@x.io'], { input: '' });
    const reason = assertOneLineError(result, 'create-admin with empty stdin');
    assert.match(reason, /password/i);
  });

  test('missing --email or --username: exit 2, one line', async () => {
    const [noEmail, noUsername] = await Promise.all([
      cli.run(['create-admin', '--username', 'someone'], { input: `${ADMIN_PASSWORD}\n` }),
      cli.run(['create-admin', '--email', 'someone@x.io'], { input: `${ADMIN_PASSWORD}\n` }),
    ]);
    assert.equal(noEmail.code, 2);
    assert.match(assertOneLineError(noEmail, 'create-admin without --email'), /--email/);

    assert.equal(noUsername.code, 2);
    assert.match(assertOneLineError(noUsername, 'create-admin without --username'), /--username/);
    assert.equal(readUsers(cli.dataDir).filter((u) => u.username === 'someone').length, 0);
  });

  test('there is no argv password option: --password is refused without echoing its value', async () => {
    const variants = [['--password', ARGV_PASSWORD], [`--password=${ARGV_PASSWORD}`], ['-p', ARGV_PASSWORD]];
    const results = await Promise.all(
      variants.map((extra) => cli.run(['create-admin', '--username', 'argvuser', '--email', 'argv@x.io', ...extra], { input: `${ADMIN_PASSWORD}\n` })),
    );
    // `run` has already checked that no output holds the value.
    results.forEach((result, i) => assertOneLineError(result, `create-admin ${variants[i]![0]!.split('=')[0]}`));
    assert.equal(readUsers(cli.dataDir).filter((u) => u.username === 'argvuser').length, 0);
  });

  test('a taken username or email: non-zero, one line', async () => {
    const [sameName, sameEmail] = await Promise.all([
      cli.run(['create-admin', '--username', 'ROOT', '--email', 'other@x.io'], { input: `${ADMIN_PASSWORD}\n` }),
      cli.run(['create-admin', '--username', 'other', '--email', 'R@X.IO'], { input: `${ADMIN_PASSWORD}\n` }),
    ]);
    assert.match(assertOneLineError(sameName, 'create-admin with a taken username'), /username/);
    assert.match(assertOneLineError(sameEmail, 'create-admin with a taken email'), /email/);
  });

  test('an invalid username or email: non-zero, one line', async () => {
    const [badName, badEmail] = await Promise.all([
      cli.run(['create-admin', '--username', 'a b<c>', '--email', 'ab@x.io'], { input: `${ADMIN_PASSWORD}\n` }),
      cli.run(['create-admin', '--username', 'goodname', '--email', 'not-an-email'], { input: `${ADMIN_PASSWORD}\n` }),
    ]);
    assert.match(assertOneLineError(badName, 'create-admin with a bad username'), /username/i);
    assert.match(assertOneLineError(badEmail, 'create-admin with a bad email'), /email/i);
  });

  test('the stored hashes never show up in any output or server log', () => {
    for (const user of readUsers(cli.dataDir)) if (user.password_hash) cli.forbid(user.password_hash);
    cli.assertClean(cli.transcript.join('\n'), 'CLI transcript');
  });
});
