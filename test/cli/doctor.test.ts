// Property: `gatehouse doctor` names what is wrong with a deployment, each finding with a level
// and a fix, exits 1 exactly when one is an error, and never prints a secret (SECRET_KEY, a
// password inside SMTP_URL). One test per group of findings, each made by the configuration
// or the state that causes it: the database missing, unmigrated or unreachable; SECRET_KEY
// weak or missing in production (v5.0.0-13.3.1); TRUST_PROXY=true and a live server that takes a
// forged X-Forwarded-For as the client (v5.0.0-15.3.4, 4.1.3); several instances without shared
// counters (v5.0.0-6.1.1: the throttle must hold across instances); SMTP and Redis down or up;
// failed and stuck mail; production headers and cookie flags through --url (v5.0.0-3.4.1,
// 3.3.1); and the scheme a proxy fails to forward.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { CliWorkspace } from '../helpers/cli.ts';
import { startTestSmtp } from '../helpers/smtp.ts';
import { SERVICE_URLS } from '../helpers/backends.ts';

const STRONG_SECRET = 'a3f1c9e2b7d4058e6a1f2c3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8';
const SMTP_PASSWORD = 's3cr3t-smtp-pass-7731';

interface Report {
  errors: number;
  warnings: number;
  findings: Array<{ level: string; code: string; message: string; fix: string | null }>;
}

describe('gatehouse doctor', () => {
  const cli = new CliWorkspace();
  cli.forbid(STRONG_SECRET, SMTP_PASSWORD);

  async function doctor(args: string[] = [], env: Record<string, string> = {}) {
    const result = await cli.run(['doctor', '--json', ...args], { env, timeoutMs: 20_000 });
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(result.code, report.errors > 0 ? 1 : 0, `exit code against ${report.errors} errors: ${result.stdout}`);
    for (const finding of report.findings) {
      assert.ok(finding.message.length > 0 && (finding.level === 'ok' || (finding.fix ?? '').length > 0), `${finding.code}: a sentence and a fix`);
    }
    return { ...report, code: result.code, levelOf: (code: string) => report.findings.find((finding) => finding.code === code)?.level };
  }

  after(() => cli.cleanup());

  test('a data directory never migrated: the missing database is an error (exit 1)', async () => {
    const report = await doctor();
    assert.equal(report.levelOf('database.missing'), 'error');
    assert.equal(report.code, 1);
    assert.equal(report.levelOf('env.not_production'), 'warn');
    assert.equal(report.levelOf('secret.file'), 'info', 'outside production a generated key is only noted');
  });

  describe('after `gatehouse migrate`', () => {
    before(async () => {
      assert.equal((await cli.run(['migrate'])).code, 0);
    });

    test('a migrated development set-up has no error: exit 0, and the table says so in words', async () => {
      const report = await doctor();
      assert.equal(report.code, 0, JSON.stringify(report.findings));
      assert.equal(report.levelOf('database.ok'), 'ok');
      assert.equal(report.levelOf('admins.none'), 'warn');
      assert.equal(report.levelOf('mail.outbox'), 'info');
      const table = await cli.run(['doctor']);
      assert.equal(table.code, 0);
      assert.match(table.stdout, /^warn {3}no active administrator exists/m);
      assert.match(table.stdout, /^ {7}fix: create one with `gatehouse create-admin/m);
      assert.match(table.stdout, /0 errors, \d+ warnings in \d+ findings\n$/);
      const spanish = await cli.run(['doctor'], { env: { LANG: 'es_ES.UTF-8' } });
      assert.match(spanish.stdout, /^aviso  no hay ningún administrador activo/m);
    });

    test('a migration not applied is an error naming it', async () => {
      const server = await cli.startServer();
      try {
        // The newest migration, forgotten and then restored exactly (name and timestamp).
        const db = server.deps.database.db;
        const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db);
        const newest = rows[0]!;
        await sql`delete from kysely_migration where name = ${newest.name}`.execute(db);
        const report = await doctor();
        assert.equal(report.levelOf('database.pending'), 'error');
        assert.match(report.findings.find((f) => f.code === 'database.pending')!.message, new RegExp(`1 migration is not applied: ${newest.name}`));
        await sql`insert into kysely_migration (name, timestamp) values (${newest.name}, ${newest.timestamp})`.execute(db);
        assert.equal((await doctor()).levelOf('database.ok'), 'ok');
      } finally {
        await server.stop();
      }
    });

    test('production: a missing or weak SECRET_KEY is an error, and the key itself is never printed', async () => {
      const production = { NODE_ENV: 'production', BASE_URL: 'https://auth.example.test' };
      assert.equal((await doctor([], production)).levelOf('secret.missing'), 'error');
      assert.equal((await doctor([], { ...production, SECRET_KEY: 'changeme-changeme-changeme-changeme' })).levelOf('secret.weak'), 'error');
      const good = await doctor([], { ...production, SECRET_KEY: STRONG_SECRET, TRUST_PROXY: '1' });
      assert.equal(good.levelOf('secret.environment'), 'ok');
      assert.equal(good.levelOf('env.not_production'), undefined);
      assert.equal(good.levelOf('pepper.missing'), 'info');
      assert.equal(good.levelOf('mail.outbox'), 'warn', 'production without SMTP: nobody gets mail');
    });

    test('production settings that weaken it: BASE_URL unset or an address, 2FA for admins off, TRUST_PROXY=true', async () => {
      const production = { NODE_ENV: 'production', SECRET_KEY: STRONG_SECRET };
      const unset = await doctor([], production);
      assert.equal(unset.levelOf('base_url.missing'), 'error');
      assert.equal(unset.levelOf('base_url.http'), 'error');
      const weak = await doctor([], { ...production, BASE_URL: 'https://203.0.113.9', REQUIRE_2FA_FOR_ADMINS: '0', TRUST_PROXY: 'true' });
      assert.equal(weak.levelOf('base_url.ip'), 'warn');
      assert.equal(weak.levelOf('two_factor.admins_optional'), 'warn');
      assert.equal(weak.levelOf('trust_proxy.every_hop'), 'warn');
      assert.equal((await doctor([], { ...production, BASE_URL: 'https://auth.example.test' })).levelOf('trust_proxy.unset'), 'info');
    });

    test('several instances: per-process sign-in counters are an error, per-process request limits a warning; Redis shares both', async () => {
      const alone = await doctor(['--instances', '3'], { THROTTLE_STORE: 'memory', GLOBAL_RATE_LIMIT: '0' });
      assert.equal(alone.levelOf('instances.throttle_not_shared'), 'error');
      assert.equal(alone.levelOf('instances.sqlite'), 'warn');
      assert.equal(alone.levelOf('instances.request_limit_per_process'), 'warn');
      assert.equal(alone.levelOf('throttle.global_off'), 'warn');
      assert.equal((await doctor([], { THROTTLE_STORE: 'memory' })).levelOf('throttle.memory'), 'warn');
      assert.equal((await doctor(['--instances', '2'], { REDIS_URL: 'redis://127.0.0.1:1' })).levelOf('redis.unreachable'), 'error');
      if (SERVICE_URLS.redis) {
        const shared = await doctor(['--instances', '2'], { REDIS_URL: SERVICE_URLS.redis });
        assert.equal(shared.levelOf('instances.shared'), 'ok');
        assert.equal(shared.levelOf('redis.ok'), 'ok');
        assert.equal(shared.levelOf('instances.throttle_not_shared'), undefined);
      }
      const bad = await cli.run(['doctor', '--instances', 'many']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /--instances must be a whole number/);
    });

    test('forward-auth: off is noted; domains without a trusted proxy are an error; apps outside the cookie domain look signed out', async () => {
      assert.equal((await doctor()).levelOf('forward_auth.forward_auth_off'), 'info');
      const base = { BASE_URL: 'https://auth.example.test', FORWARD_AUTH_DOMAINS: 'app.example.test' };
      const untrusted = await doctor([], base);
      assert.equal(untrusted.levelOf('forward_auth.trust_proxy_unset'), 'error');
      assert.equal(untrusted.levelOf('forward_auth.no_cookie_domain'), 'warn');
      const hops = await doctor([], { ...base, TRUST_PROXY: '1', FORWARD_AUTH_COOKIE_DOMAIN: 'example.test' });
      assert.equal(hops.levelOf('forward_auth.trust_proxy_hops'), 'warn');
      assert.equal(hops.levelOf('forward_auth.no_cookie_domain'), undefined);
      const outside = await doctor([], { ...base, FORWARD_AUTH_DOMAINS: 'app.example.test,10.0.0.9,other.test', TRUST_PROXY: '10.0.0.2', FORWARD_AUTH_COOKIE_DOMAIN: 'example.test' });
      assert.equal(outside.levelOf('forward_auth.domain_outside_cookie_domain'), 'warn');
      assert.equal(outside.levelOf('forward_auth.domain_is_ip'), 'warn');
      assert.equal(outside.levelOf('forward_auth.trust_proxy_unset'), undefined);
    });

    test('OpenID Connect: no client and no keys yet are noted; keys or secrets sealed under another SECRET_KEY are errors; old keys a warning', async () => {
      const before = await doctor();
      assert.equal(before.levelOf('oidc.no_clients'), 'info');
      assert.equal(before.levelOf('oidc.keys_pending'), 'info');
      const added = await cli.run(['oidc-client', 'add', '--name', 'Grafana', '--redirect-uri', 'https://grafana.example.test/login/generic_oauth', '--alg', 'RS256', '--json']);
      assert.equal(added.code, 0, added.stderr);
      const secret = (JSON.parse(added.stdout) as { client_secret: string }).client_secret;
      assert.equal((await cli.run(['oidc-keys', 'rotate'])).code, 0);
      const after = await doctor();
      assert.equal(after.levelOf('oidc.clients'), 'ok');
      assert.equal(after.levelOf('oidc.keys_ok'), 'ok');
      assert.equal(after.levelOf('oidc.rs256_clients'), 'info');
      const otherKey = await doctor([], { SECRET_KEY: STRONG_SECRET });
      assert.equal(otherKey.levelOf('oidc.keys_unreadable'), 'error');
      assert.equal(otherKey.levelOf('oidc.client_secrets_unreadable'), 'error');
      for (const report of [after, otherKey]) assert.ok(!JSON.stringify(report.findings).includes(secret), 'doctor never prints a client secret');
      const db = new Database(path.join(cli.dataDir, 'gatehouse.db'));
      try {
        db.prepare('update oidc_keys set created_at = ?').run(Date.now() - 200 * 86_400_000);
      } finally {
        db.close();
      }
      assert.equal((await doctor()).levelOf('oidc.keys_old'), 'warn');
      assert.equal((await cli.run(['oidc-keys', 'rotate'])).code, 0);
      assert.equal((await doctor()).levelOf('oidc.keys_ok'), 'ok', 'a rotation answers the warning');
    });

    test('an unreachable database is an error with the driver’s reason', async () => {
      const report = await doctor([], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      assert.equal(report.levelOf('database.unreachable'), 'error');
    });

    test('SMTP: a server that greets is ok; one that does not is an error that keeps the URL’s password to itself', async () => {
      const smtp = await startTestSmtp();
      try {
        assert.equal((await doctor([], { SMTP_URL: smtp.url })).levelOf('mail.smtp_ok'), 'ok');
      } finally {
        await smtp.stop();
      }
      const down = await doctor([], { SMTP_URL: `smtp://doctor:${SMTP_PASSWORD}@127.0.0.1:1` });
      assert.equal(down.levelOf('mail.smtp_unreachable'), 'error');
    });

    test('mail that gave up, and mail waiting long past its time, are warnings', async () => {
      const server = await cli.startServer();
      try {
        const mail = { to: 'someone@example.test', kind: 'password-reset', subject: 's', text: 't', html: '<p>t</p>' };
        await server.deps.mailQueue.enqueue(mail, new Date(Date.now() - 60 * 60_000));
        const [claimed] = await server.deps.mailQueue.claimDue(new Date(), new Date(Date.now() + 1000), 1);
        if (claimed) await server.deps.mailQueue.markFailed(claimed.id, 'mailbox unavailable', null);
        await server.deps.mailQueue.enqueue({ ...mail, to: 'other@example.test' }, new Date(Date.now() - 60 * 60_000));
        await server.stop();
        const report = await doctor();
        assert.equal(report.levelOf('mail.failed'), 'warn');
        assert.equal(report.levelOf('mail.stuck'), 'warn');
      } finally {
        await server.stop().catch(() => {});
      }
    });
  });

  describe('--url against a running server', () => {
    test('development: headers in place, and a forged X-Forwarded-For does not move the client address', async () => {
      const server = await cli.startServer();
      try {
        const report = await doctor(['--url', server.url], { BASE_URL: server.url });
        assert.equal(report.levelOf('live.ok'), 'ok', JSON.stringify(report.findings));
        assert.match(report.findings.find((f) => f.code === 'live.ip_resolved')!.message, /coming from 127\.0\.0\.1/);
      } finally {
        await server.stop();
      }
    });

    test('TRUST_PROXY=true: the forged address is taken as the client, an error', async () => {
      const server = await cli.startServer({ TRUST_PROXY: 'true' });
      try {
        const report = await doctor(['--url', server.url], { TRUST_PROXY: 'true' });
        assert.equal(report.levelOf('live.ip_spoofable'), 'error');
      } finally {
        await server.stop();
      }
    });

    test('production: HSTS for a year with subdomains and Secure cookies pass; an https BASE_URL reached as http is a scheme the proxy did not forward', async () => {
      const probe = await cli.startServer();
      const port = new URL(probe.url).port;
      await probe.stop();
      const env = { NODE_ENV: 'production', SECRET_KEY: STRONG_SECRET, PORT: port, BASE_URL: `https://127.0.0.1:${port}` };
      const server = await cli.startServer(env);
      try {
        const report = await doctor(['--url', server.url], env);
        assert.equal(report.levelOf('live.hsts_missing'), undefined);
        assert.equal(report.levelOf('live.hsts_weak'), undefined);
        assert.equal(report.levelOf('live.cookie_flags'), undefined, JSON.stringify(report.findings));
        assert.equal(report.levelOf('live.protocol_mismatch'), 'error');
      } finally {
        await server.stop();
      }
    });

    test('a server that does not answer is an error', async () => {
      const report = await doctor(['--url', 'http://127.0.0.1:1']);
      assert.equal(report.levelOf('live.unreachable'), 'error');
    });
  });
});
