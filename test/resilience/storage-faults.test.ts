// Property (issue #14; v5.0.0-16.5.3 fail securely): a data directory that cannot be written is
// said plainly. At start, a read-only DATA_DIR (or a read-only database file) stops `serve`
// with one line naming the path and the reason, exit 1, no stack trace, in the terminal's
// language. At run time, a full disk makes a write fail with SQLITE_FULL: the page and the API
// answer 503 with Retry-After and a sentence saying nothing was saved, never a 500 or a stack;
// the refused registration left nothing behind; once space is back, every registration that
// was acknowledged before signs in and SQLite's integrity_check says ok.
//
// Real mechanisms, no mocks: the test runs as root (CI and this machine), where permission bits
// do not stop writes, so read-only is the immutable attribute (`chattr +i`, which binds root
// too; ext4, xfs, tmpfs ≥ 6.0) and a full disk is a 4 MiB tmpfs mounted for the test (needs
// CAP_SYS_ADMIN). Where either is missing the test says which and why it skips.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CliWorkspace, GATEHOUSE_BIN } from '../helpers/cli.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';

/** Why `work` cannot run here, or undefined when it can (it is undone by `undo`). */
function unavailable(work: () => void, undo: () => void): string | undefined {
  try {
    work();
    undo();
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message).split('\n')[0];
  }
}

function chattr(flag: '+i' | '-i', target: string) {
  execFileSync('chattr', [flag, target], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `gatehouse serve` on `env` until it exits (or 20 s); what it printed and how it ended. */
function serveOnce(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const STACK = /\n\s+at\s|node_modules|\.ts:\d+/;

describe('read-only data directory at start', () => {
  const cli = new CliWorkspace();
  const immutable: string[] = [];
  after(async () => {
    for (const target of immutable) unavailable(() => chattr('-i', target), () => {});
    await cli.cleanup();
  });
  const probeDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-chattr-'));
  const noChattr = unavailable(() => chattr('+i', probeDir), () => chattr('-i', probeDir));
  rmSync(probeDir, { recursive: true, force: true });

  test('an immutable DATA_DIR or database file: one clear line naming it, exit 1, no stack trace (English and Spanish)', { skip: noChattr && `chattr +i is not available here: ${noChattr}` }, async () => {
    const env = { ...cli.env, LANG: 'C.UTF-8' };
    // A first run makes the database and the secret, as on a deployment that was working.
    const first = await cli.spawnServe();
    await first.stop();
    const db = path.join(cli.dataDir, 'gatehouse.db');

    chattr('+i', cli.dataDir);
    immutable.push(cli.dataDir);
    for (const lang of ['C.UTF-8', 'es_ES.UTF-8']) {
      const refused = await serveOnce({ ...env, LANG: lang });
      assert.equal(refused.code, 1, refused.stderr);
      assert.equal(refused.stdout, '');
      const lines = refused.stderr.trim().split('\n');
      assert.equal(lines.length, 1, refused.stderr);
      assert.doesNotMatch(refused.stderr, STACK);
      assert.ok(lines[0]!.includes(cli.dataDir), lines[0]);
      assert.match(lines[0]!, lang.startsWith('es') ? /^gatehouse serve: no se puede escribir en .* \(EPERM\): .*DATA_DIR/ : /^gatehouse serve: cannot write to .* \(EPERM\): .*DATA_DIR/);
    }
    chattr('-i', cli.dataDir);
    immutable.pop();

    // The directory writable, the database file itself read-only.
    chattr('+i', db);
    immutable.push(db);
    const fileRefused = await serveOnce(env);
    assert.equal(fileRefused.code, 1, fileRefused.stderr);
    assert.match(fileRefused.stderr.trim(), new RegExp(`^gatehouse serve: cannot write to ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(EPERM\\)`));
    assert.doesNotMatch(fileRefused.stderr, STACK);
    chattr('-i', db);
    immutable.pop();

    // Writable again: it starts.
    const again = await cli.spawnServe();
    await again.stop();
  });
});

describe('disk full at run time', () => {
  const cli = new CliWorkspace();
  const mountPoint = mkdtempSync(path.join(tmpdir(), 'gatehouse-tmpfs-'));
  let mounted = false;
  const noMount = unavailable(
    () => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint], { stdio: ['ignore', 'ignore', 'pipe'] }),
    () => (mounted = true),
  );
  after(async () => {
    await cli.cleanup();
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  test('a write that hits a full disk answers 503 (page and API), saves nothing, and loses nothing acknowledged', { skip: noMount && `a tmpfs cannot be mounted here (needs CAP_SYS_ADMIN): ${noMount}`, timeout: 90_000 }, async () => {
    const dataDir = path.join(mountPoint, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const serve = await cli.spawnServe({ DATA_DIR: dataDir, GLOBAL_RATE_LIMIT: '0', REGISTER_MAX_PER_HOUR: '100000', REGISTER_MAX_ATTEMPTS_PER_HOUR: '100000' });
    const acknowledged: string[] = [];
    const register = async (username: string) => {
      const client = new TestClient(serve.url);
      await client.get('/register');
      return client.postForm('/register', { username, email: `${username}@example.test`, password: GOOD_PASSWORD });
    };
    for (let i = 0; i < 5; i += 1) {
      const answer = await register(`kept${i}`);
      assert.equal(answer.status, 303, answer.body.slice(0, 300));
      acknowledged.push(`kept${i}`);
    }

    // Fill the disk: one file takes every free block (ENOSPC ends the loop).
    const filler = path.join(mountPoint, 'filler');
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }

    // The write-ahead log may still have room from earlier writes: register until a write needs
    // a new block (a few at most; bounded so a server that never fails fails the test).
    let refused: Awaited<ReturnType<typeof register>> | undefined;
    let refusedName = '';
    for (let i = 0; i < 200 && !refused; i += 1) {
      const username = `full${i}`;
      const answer = await register(username);
      if (answer.status === 303) acknowledged.push(username);
      else {
        refused = answer;
        refusedName = username;
      }
    }
    assert.ok(refused, '200 registrations on a full disk all succeeded');
    assert.equal(refused.status, 503, refused.body.slice(0, 500));
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(refused.body, /cannot save changes right now \(its storage is full or read-only\)/);
    assert.doesNotMatch(refused.body, /SQLITE|SqliteError|\bat\s+\S+\s+\(/);

    const api = new TestClient(serve.url);
    const apiAnswer = await api.postJson('/api/v1/register', { username: 'apifull', email: 'apifull@example.test', password: GOOD_PASSWORD });
    assert.equal(apiAnswer.status, 503, apiAnswer.body);
    assert.equal(apiAnswer.json().error, 'service_unavailable');
    assert.match(apiAnswer.json().message, /storage is full or read-only/);
    // Spanish, as the request asks.
    const es = await new TestClient(serve.url).postJson('/api/v1/register', { username: 'apifull2', email: 'apifull2@example.test', password: GOOD_PASSWORD }, { 'accept-language': 'es' });
    assert.equal(es.status, 503);
    assert.match(es.json().message, /almacenamiento está lleno o es de solo lectura/);
    assert.doesNotMatch(serve.output.stdout + serve.output.stderr, new RegExp(GOOD_PASSWORD));

    // Space back: everything acknowledged signs in, the refused ones never existed.
    rmSync(filler);
    for (const username of acknowledged) {
      const signedIn = await new TestClient(serve.url).signIn(username, GOOD_PASSWORD);
      assert.equal(signedIn.status, 303, `${username} signs in`);
    }
    await serve.stop();
    const db = new Database(path.join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
    try {
      const names = (db.prepare('SELECT username FROM users ORDER BY id').all() as Array<{ username: string }>).map((row) => row.username);
      assert.deepEqual(names, acknowledged, 'exactly the acknowledged registrations are stored');
      assert.ok(!names.includes(refusedName) && !names.includes('apifull'));
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });
});
