// Property: a server killed with SIGKILL in the middle of a storm loses nothing it acknowledged
// and leaves nothing half-written (issue #14; v5.0.0-16.5.3 fail securely, 2.3.3 transactions).
// A real `gatehouse serve` process on SQLite takes concurrent registrations and sign-ins, then
// concurrent password changes, and is killed mid-storm each time; after a restart on the same
// data directory: every registration that got its 303 signs in; every user row has a usable
// argon2id hash, its `user.registered` audit event and its verification mail (they commit
// together); no session points at a missing user; each password change that was acknowledged
// holds, and every account opens with exactly one of its two passwords (nobody is left without
// a usable password); the same for password resets through mailed links, whose acknowledged
// tokens stay used after the restart; the audit chain verifies (`gatehouse audit-verify`) and SQLite's
// `PRAGMA integrity_check` answers ok.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { waitForLinkToken } from '../../src/cli/audit/mailbox.ts';
import { TestClient } from '../helpers/client.ts';
import { CliWorkspace, type ServeProcess } from '../helpers/cli.ts';

const OLD_PASSWORD = 'lantern quarry fennel 3312 heron';
const NEW_PASSWORD = 'marble orchard kestrel 9047 dune';
/** Requests in flight at once during a storm; the kill comes once this many were acknowledged (or after STORM_MAX_MS), with the rest in flight. */
const LANES = 8;
const KILL_AFTER = 16;
const STORM_MAX_MS = 20_000;
/** Enough throttle room for the storm (one client address); everything else as shipped. */
const ENV = { REGISTER_MAX_PER_HOUR: '100000', REGISTER_MAX_ATTEMPTS_PER_HOUR: '100000', GLOBAL_RATE_LIMIT: '0', SESSION_TOUCH_INTERVAL_SECONDS: '0' };

describe('crash safety: SIGKILL mid-storm, then restart', () => {
  const cli = new CliWorkspace();
  cli.forbid(OLD_PASSWORD, NEW_PASSWORD);
  let serve: ServeProcess | undefined;

  const openDb = () => new Database(path.join(cli.dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });

  /** Runs `work(lane, i)` on LANES lanes and kills the server mid-way; returns what was acknowledged. */
  async function storm(work: (lane: number, i: number) => Promise<boolean>, killAfter = KILL_AFTER): Promise<{ acknowledged: number; attempted: number }> {
    let stop = false;
    let acknowledged = 0;
    let attempted = 0;
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let i = 0; !stop; i += 1) {
        attempted += 1;
        try {
          if (await work(lane, i)) acknowledged += 1;
        } catch {
          // The connection died with the server: not acknowledged.
        }
      }
    });
    const deadline = Date.now() + STORM_MAX_MS;
    while (acknowledged < killAfter && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const result = await serve!.stop('SIGKILL');
    assert.equal(result.signal, 'SIGKILL');
    stop = true;
    await Promise.all(lanes);
    return { acknowledged, attempted };
  }

  function integrityChecks() {
    const db = openDb();
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const users = db.prepare('select id, email, password_hash from users').all() as Array<{ id: number; email: string; password_hash: string | null }>;
      for (const user of users) {
        assert.match(user.password_hash ?? '', /^\$argon2id\$/, `user ${user.id}: no usable hash`);
        const events = db.prepare("select count(*) as n from audit_events where type = 'user.registered' and target_user_id = ?").get(user.id) as { n: number };
        assert.equal(events.n, 1, `user ${user.id}: its user.registered event`);
        const mails = db.prepare('select count(*) as n from mail_queue where recipient = ?').get(user.email) as { n: number };
        assert.ok(mails.n >= 1, `user ${user.id}: its verification mail`);
      }
      const orphans = db.prepare('select count(*) as n from sessions s left join users u on u.id = s.user_id where u.id is null').get() as { n: number };
      assert.equal(orphans.n, 0, 'sessions of no user');
      return users;
    } finally {
      db.close();
    }
  }

  const registered: string[] = [];

  before(async () => {
    assert.equal((await cli.run(['migrate'])).code, 0);
  });

  after(async () => {
    await serve?.stop('SIGKILL').catch(() => {});
    await cli.cleanup();
  });

  test('registrations and sign-ins: every acknowledged registration signs in after the restart; no half-written account', { timeout: 120_000 }, async () => {
    serve = await cli.spawnServe(ENV);
    const url = serve.url;
    const { acknowledged, attempted } = await storm(async (lane, i) => {
      const client = new TestClient(url);
      const username = `storm${lane}x${i}`;
      await client.get('/register');
      const answer = await client.postForm('/register', { username, email: `${username}@example.test`, password: OLD_PASSWORD });
      if (answer.status !== 303) return false;
      registered.push(username);
      await client.signIn(username, OLD_PASSWORD);
      return true;
    });
    assert.ok(acknowledged >= LANES, `the storm got going (${acknowledged} of ${attempted} acknowledged)`);

    serve = await cli.spawnServe(ENV);
    const users = integrityChecks();
    assert.ok(users.length >= registered.length, 'every acknowledged registration is stored');
    for (const username of registered) {
      assert.equal((await new TestClient(serve.url).signIn(username, OLD_PASSWORD)).status, 303, `${username} signs in`);
    }
    await serve.stop();
    assert.equal((await cli.run(['audit-verify'])).code, 0, 'the audit chain verifies');
  });

  test('password changes: the acknowledged ones hold, and every account opens with exactly one of its passwords', { timeout: 120_000 }, async () => {
    serve = await cli.spawnServe(ENV);
    const url = serve.url;
    const accounts = registered.slice(0, 40);
    const clients = await Promise.all(
      accounts.map(async (username) => {
        const client = new TestClient(url);
        assert.equal((await client.signIn(username, OLD_PASSWORD)).status, 303);
        return { username, client };
      }),
    );
    const changed = new Set<string>();
    let next = 0;
    await storm(async () => {
      const account = clients[next++];
      if (!account) return new Promise((resolve) => setTimeout(() => resolve(false), 20));
      await account.client.get('/settings/password');
      const answer = await account.client.postForm('/settings/password', { current_password: OLD_PASSWORD, new_password: NEW_PASSWORD });
      if (answer.status !== 303) return false;
      changed.add(account.username);
      return true;
    }, Math.floor(clients.length / 2));

    serve = await cli.spawnServe(ENV);
    integrityChecks();
    for (const { username } of clients) {
      const oldWorks = (await new TestClient(serve.url).signIn(username, OLD_PASSWORD)).status === 303;
      const newWorks = (await new TestClient(serve.url).signIn(username, NEW_PASSWORD)).status === 303;
      assert.ok(oldWorks !== newWorks, `${username}: old ${oldWorks}, new ${newWorks}`);
      if (changed.has(username)) assert.ok(newWorks, `${username}: an acknowledged change was lost`);
    }
    await serve.stop();
    assert.equal((await cli.run(['audit-verify'])).code, 0, 'the audit chain verifies');
  });

  test('password resets through mailed links: the acknowledged ones hold and their tokens stay used; every account opens with exactly one password', { timeout: 120_000 }, async () => {
    serve = await cli.spawnServe(ENV);
    const url = serve.url;
    // 16 accounts of their own, 16 resets: the shipped limit is 20 reset mails an hour from one address.
    const accounts = Array.from({ length: 16 }, (_, i) => `reset${i}`);
    for (const username of accounts) {
      const client = new TestClient(url);
      await client.get('/register');
      assert.equal((await client.postForm('/register', { username, email: `${username}@example.test`, password: OLD_PASSWORD })).status, 303);
    }
    const since = Date.now();
    for (const username of accounts) {
      const client = new TestClient(url);
      await client.get('/forgot-password');
      assert.equal((await client.postForm('/forgot-password', { email: `${username}@example.test` })).status, 200);
    }
    const outbox = path.join(cli.dataDir, 'outbox');
    const links = await Promise.all(
      accounts.map(async (username) => {
        const token = await waitForLinkToken(outbox, `${username}@example.test`, '/reset-password', since, 20_000);
        assert.ok(token, `${username}: a reset link arrived`);
        return { username, token };
      }),
    );
    const reset = new Map<string, string>();
    let next = 0;
    await storm(async () => {
      const link = links[next++];
      if (!link) return new Promise((resolve) => setTimeout(() => resolve(false), 20));
      const client = new TestClient(url);
      await client.get(`/reset-password?token=${link.token}`);
      await client.get('/reset-password');
      const answer = await client.postForm('/reset-password', { token: link.token, password: NEW_PASSWORD });
      if (answer.status !== 303) return false;
      reset.set(link.username, link.token);
      return true;
    }, links.length / 2);

    serve = await cli.spawnServe(ENV);
    integrityChecks();
    for (const { username, token } of links) {
      const oldWorks = (await new TestClient(serve.url).signIn(username, OLD_PASSWORD)).status === 303;
      const newWorks = (await new TestClient(serve.url).signIn(username, NEW_PASSWORD)).status === 303;
      assert.ok(oldWorks !== newWorks, `${username}: old ${oldWorks}, new ${newWorks}`);
      if (reset.has(username)) {
        assert.ok(newWorks, `${username}: an acknowledged reset was lost`);
        const again: TestClient = new TestClient(serve.url);
        await again.get(`/reset-password?token=${token}`);
        await again.get('/reset-password');
        assert.equal((await again.postForm('/reset-password', { token, password: OLD_PASSWORD })).status, 400, `${username}: a used token works again`);
      }
    }
    assert.ok(reset.size >= 1, 'the storm acknowledged resets before the kill');
    await serve.stop();
    assert.equal((await cli.run(['audit-verify'])).code, 0, 'the audit chain verifies');
  });
});
