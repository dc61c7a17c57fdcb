/**
 * The CLI's shape: `secret`, `--help` for every command, unknown commands, and `serve` as a
 * real process (migrates a fresh data dir, answers, serves an admin created alongside it,
 * stops cleanly on SIGTERM). Most calls run in-process (`cli.run`); exit codes and stdout of
 * the real binary are checked once each with `cli.runProcess`.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import { assertOneLineError, CliWorkspace, mapLimit } from '../helpers/cli.ts';

/** The commands the contract lists today; any more that `--help` names are checked too. */
const KNOWN_COMMANDS = ['serve', 'migrate', 'create-admin', 'set-role', 'disable', 'enable', 'revoke-sessions', 'secret'];
const PASSWORD = 'saffron tunnel beacon 7702 marble';

describe('gatehouse CLI commands', () => {
  const cli = new CliWorkspace();
  cli.forbid(PASSWORD);
  after(() => cli.cleanup());

  test('secret prints 64 hex characters (256 bits), a different one each run', async () => {
    const runs = await Promise.all([cli.runProcess(['secret']), cli.run(['secret']), cli.run(['secret'])]);
    const secrets = runs.map((run) => {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
      return run.stdout.trim();
    });
    assert.equal(new Set(secrets).size, secrets.length, 'secret repeated itself');
  });

  test('secret with an argument: exit 2, one line', async () => {
    const result = await cli.runProcess(['secret', '64']);
    assert.equal(result.code, 2);
    assertOneLineError(result, 'secret 64');
  });

  test('--help lists every command and exits 0; so do -h and help', async () => {
    const [help, short, word] = await Promise.all([cli.runProcess(['--help']), cli.run(['-h']), cli.run(['help'])]);
    for (const result of [help, short, word]) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /usage: gatehouse <command>/);
    }
    for (const name of KNOWN_COMMANDS) assert.match(help.stdout, new RegExp(`^\\s+${name}\\s`, 'm'), `--help does not list ${name}`);
  });

  test('<command> --help exits 0 and prints its usage, without running it', async (t) => {
    const listed = [...(await cli.run(['--help'])).stdout.matchAll(/^ {2}([a-z][a-z-]*)\s/gm)].map((m) => m[1]!);
    const names = [...new Set([...KNOWN_COMMANDS, ...listed])];
    t.diagnostic(`commands: ${names.join(', ')}`);
    // `serve --help` must not start a server and `create-admin --help` must not wait for a
    // password: a short timeout catches either.
    const calls = names.flatMap((name) => [[name, '--help'], [name, '-h']]);
    const results = await mapLimit(calls, 4, (args) => cli.run(args, { timeoutMs: 20_000 }));
    results.forEach((result, i) => {
      const [name, flag] = calls[i]!;
      assert.equal(result.code, 0, `${name} ${flag}: ${result.stderr}`);
      assert.equal(result.stderr, '', `${name} ${flag} wrote to stderr`);
      assert.match(result.stdout, new RegExp(`usage: gatehouse ${name}\\b`), `${name} ${flag}: ${result.stdout}`);
    });
  });

  test('an unknown command exits 2 with one line naming it; no command prints the usage and exits 2', async () => {
    const [unknown, none] = await Promise.all([cli.runProcess(['frobnicate']), cli.runProcess([])]);
    assert.equal(unknown.code, 2);
    assert.match(assertOneLineError(unknown, 'gatehouse frobnicate'), /frobnicate/);
    assert.equal(none.code, 2);
    assert.match(none.stdout + none.stderr, /usage: gatehouse <command>/);
  });

  test('an unknown option is refused with exit 2 and one line', async () => {
    const result = await cli.run(['create-admin', '--username', 'x', '--email', 'x@x.io', '--role', 'user'], { input: `${PASSWORD}\n` });
    assert.equal(result.code, 2);
    assertOneLineError(result, 'create-admin --role');
  });

  test('serve: migrates a fresh data dir, answers, sees an admin created beside it, stops on SIGTERM with 0', async () => {
    const serve = await cli.spawnServe({ LOG_LEVEL: 'info' });
    // Started with PORT=0: the banner names the port actually bound, the one that answers.
    assert.match(serve.output.stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${serve.port}\\n`));
    assert.ok(serve.port > 0, `serve reported port ${serve.port}`);
    assert.match(serve.output.stdout, /create-admin/, 'serve does not say how to create the first admin');
    const health = await fetch(`${serve.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    // Outside production the secret is generated once, readable by the owner only.
    assert.equal(statSync(path.join(cli.dataDir, 'secret.key')).mode & 0o777, 0o600);

    const created = await cli.runProcess(['create-admin', '--username', 'boss', '--email', 'boss@x.io'], { input: `${PASSWORD}\n` });
    assert.equal(created.code, 0, created.stderr);
    const client = new TestClient(serve.url);
    const signIn = await client.signIn('boss', PASSWORD);
    assert.equal(signIn.status, 303);
    assert.match((await client.get('/dashboard')).body, /<strong data-role>admin<\/strong>/);

    const ended = await serve.stop('SIGTERM');
    assert.equal(ended.signal, null, `serve was killed by ${ended.signal}`);
    assert.equal(ended.code, 0, ended.stderr);
    cli.assertClean(ended.stdout + ended.stderr, 'serve output');
    // The session token must not be logged either.
    const token = client.cookies.get('gatehouse_session');
    assert.ok(token);
    assert.ok(!(ended.stdout + ended.stderr).includes(token), 'serve logged a session token');
  });
});
