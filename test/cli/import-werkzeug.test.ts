/**
 * `gatehouse import-werkzeug` with the Flask demo's own database (../shared/fixtures): every
 * user signs in with the listed password and is argon2id afterwards; a password that fails
 * today's policy signs in once and must be changed first; wrong passwords fail; the
 * plaintext row is imported with no usable password and cannot sign in; a second run
 * changes nothing; invalid and colliding rows are skipped with their reason; a large file
 * (10 000 rows) imports in pages. ASVS v5.0.0-6.2.x (policy at sign-in), v5.0.0-11.4.2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { TestClient } from '../helpers/client.ts';
import { assertOneLineError, CliWorkspace, GATEHOUSE_BIN, REPO_ROOT } from '../helpers/cli.ts';

const FIXTURE = path.resolve(REPO_ROOT, '../shared/fixtures/flask-demo-users.db');
const USERS = [
  { username: 'admin', password: 'admin123', weak: true },
  { username: 'usuario', password: 'password123', weak: true },
  { username: 'maria', password: 'Montaña-azul-2024', weak: false },
  { username: 'jorge', password: 'cielo estrellado sobre el mar', weak: false },
];

describe('gatehouse import-werkzeug with the Flask demo fixture', () => {
  const cli = new CliWorkspace();
  const scratch = mkdtempSync(path.join(tmpdir(), 'gatehouse-import-'));
  const demo = path.join(scratch, 'users.db');
  before(async () => {
    // A copy with rows the fixture lacks: an invalid name, a missing email, a collision.
    copyFileSync(FIXTURE, demo);
    const db = new Database(demo);
    const insert = db.prepare('INSERT INTO users (username, password, email, role) VALUES (?, ?, ?, ?)');
    insert.run('bad name!', 'x', 'bad@example.test', 'user');
    insert.run('noemail', 'x', null, 'user');
    insert.run('maria2', 'x', db.prepare('SELECT email FROM users WHERE username = ?').pluck().get('maria'), 'user');
    db.close();
    assert.equal((await cli.run(['migrate'])).code, 0);
  });
  after(async () => {
    await cli.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('imports every valid row, reports each skipped one with its reason, and a second run changes nothing', async () => {
    const first = await cli.run(['import-werkzeug', demo]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^imported 5 users \(1 without a usable password: must reset\), 0 already imported, 3 skipped\n$/);
    assert.match(first.stderr, /skipped row \d+ \(bad name!\): not a valid username/);
    assert.match(first.stderr, /skipped row \d+ \(noemail\): no valid email address/);
    assert.match(first.stderr, /skipped row \d+ \(maria2\): the email address belongs to another account/);
    const second = await cli.run(['import-werkzeug', demo]);
    assert.match(second.stdout, /^imported 0 users \(all with their password\), 5 already imported, 3 skipped\n$/);
  });

  test('imported users sign in with their old password and are argon2id afterwards; weak ones must change it first', async () => {
    const server = await cli.startServer();
    for (const user of USERS) {
      assert.equal((await new TestClient(server.url).signIn(user.username, `${user.password}x`)).status, 401, `${user.username}: wrong password`);
      const client = new TestClient(server.url);
      const signedIn = await client.signIn(user.username, user.password);
      assert.equal(signedIn.status, 303, `${user.username} signs in`);
      assert.equal(signedIn.headers.get('location'), user.weak ? '/settings/password' : '/dashboard', user.username);
      const stored = await server.deps.users.findUserForLogin(user.username);
      assert.match(stored!.passwordHash!, /^\$argon2id\$/, `${user.username} is re-hashed`);
      assert.equal((await new TestClient(server.url).signIn(user.username, user.password)).status, 303, 'the re-hashed password works');
    }
    const legacy = await new TestClient(server.url).signIn('legacy', 'admin123');
    assert.equal(legacy.status, 401, 'the plaintext row cannot sign in');
    assert.equal((await server.deps.users.findUserByUsername('admin'))?.role, 'admin', 'roles are kept');
  });

  test('a file that is not the demo database is a one-line error', async () => {
    assert.match(assertOneLineError(await cli.run(['import-werkzeug', path.join(scratch, 'missing.db')]), 'missing file'), /cannot open/);
    const empty = path.join(scratch, 'empty.db');
    new Database(empty).close();
    assert.match(assertOneLineError(await cli.run(['import-werkzeug', empty]), 'no users table'), /no readable users table/);
    assert.equal((await cli.run(['import-werkzeug'])).code, 2);
  });

  test('10 000 rows import in pages (time reported, not asserted)', async (t) => {
    const big = path.join(scratch, 'big.db');
    copyFileSync(FIXTURE, big);
    const db = new Database(big);
    const hash = db.prepare("SELECT password FROM users WHERE username = 'maria'").pluck().get() as string;
    db.prepare('DELETE FROM users').run();
    const insert = db.prepare('INSERT INTO users (username, password, email, role, created_at) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let n = 0; n < 10_000; n += 1) insert.run(`pupil${n}`, hash, `pupil${n}@school.example`, 'user', '2024-03-01 08:00:00');
    })();
    db.close();
    const started = performance.now();
    const run = await cli.run(['import-werkzeug', big], { timeoutMs: 120_000 });
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`10 000 rows in ${seconds.toFixed(1)} s`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^imported 10,000 users \(all with their password\), 0 already imported, 0 skipped\n$/);
  });

  // Issue #14, crash safety: an import killed with SIGKILL half-way leaves whole pages only
  // (each account with its one user.created event), and running it again completes it.
  test('an import killed half-way re-runs to completion: every row once, each with its one audit event', async () => {
    const big = path.join(scratch, 'killed.db');
    copyFileSync(FIXTURE, big);
    const source = new Database(big);
    const hash = source.prepare("SELECT password FROM users WHERE username = 'maria'").pluck().get() as string;
    source.prepare('DELETE FROM users').run();
    const insert = source.prepare('INSERT INTO users (username, password, email, role, created_at) VALUES (?, ?, ?, ?, ?)');
    source.transaction(() => {
      for (let n = 0; n < 10_000; n += 1) insert.run(`late${n}`, hash, `late${n}@school.example`, 'user', '2024-03-01 08:00:00');
    })();
    source.close();
    const target = new Database(path.join(cli.dataDir, 'gatehouse.db'), { readonly: true });
    const imported = () => target.prepare("SELECT count(*) FROM users WHERE username LIKE 'late%'").pluck().get() as number;
    try {
      const child = spawn(process.execPath, [GATEHOUSE_BIN, 'import-werkzeug', big], { cwd: cli.dataDir, env: cli.env, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('close', resolve));
      const deadline = Date.now() + 60_000;
      while (imported() === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill('SIGKILL');
      await exited;
      const before = imported();
      assert.ok(before > 0 && before < 10_000, `killed half-way (${before} of 10 000 imported)`);
      const again = await cli.run(['import-werkzeug', big], { timeoutMs: 120_000 });
      assert.equal(again.code, 0, again.stderr);
      const counts = /^imported ([\d,]+) users .*, ([\d,]+) already imported, 0 skipped\n$/.exec(again.stdout);
      assert.ok(counts, again.stdout);
      assert.equal(Number(counts[1]!.replace(/,/g, '')) + Number(counts[2]!.replace(/,/g, '')), 10_000);
      assert.equal(imported(), 10_000);
      const events = target
        .prepare("SELECT count(*) FROM audit_events a JOIN users u ON u.id = a.target_user_id WHERE a.type = 'user.created' AND u.username LIKE 'late%'")
        .pluck()
        .get() as number;
      assert.equal(events, 10_000, 'each imported account has exactly one user.created event');
      assert.equal(target.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      target.close();
    }
    assert.equal((await cli.run(['audit-verify'])).code, 0);
  });
});
