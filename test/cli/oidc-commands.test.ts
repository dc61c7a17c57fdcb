// Property: `gatehouse oidc-client add|list|remove` and `gatehouse oidc-keys rotate` (issue #13)
// do what the contract says beside a running server on the same SQLite file. `add --json`
// prints exactly {"client_id","client_secret"} once (no secret for --public), and the secret is
// never printed again (`list` in both forms shows none; v5.0.0-13.3.1); redirect URIs are
// checked (absolute https, http only on loopback, no fragment, no wildcard; v5.0.0-10.4.1);
// `remove` revokes what the client was issued; rotation keeps the retired keys; every change
// leaves its audit row with the CLI context (v5.0.0-16.3.3); bad input is one line and a
// non-zero exit; the sentences exist in Spanish.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOneLineError, CliWorkspace, type SharedServer } from '../helpers/cli.ts';

const SPANISH = { LANG: 'es_ES.UTF-8' };

describe('oidc-client and oidc-keys commands', () => {
  const cli = new CliWorkspace();
  let server: SharedServer;
  const db = () => server.deps.database.db;

  before(async () => {
    const migrated = await cli.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    server = await cli.startServer();
  });
  after(() => cli.cleanup());

  async function auditRows(type: string) {
    const rows = await db().selectFrom('audit_events').selectAll().where('type', '=', type).orderBy('seq').execute();
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
  }

  test('add --json prints the id and secret once; list never shows the secret; the server serves the client; remove revokes its grants', async () => {
    const added = await cli.run(['oidc-client', 'add', '--name', 'Grafana', '--redirect-uri', 'https://grafana.example/login/generic_oauth', '--redirect-uri', 'http://127.0.0.1:3000/login/generic_oauth', '--post-logout-redirect-uri', 'https://grafana.example/', '--first-party', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const printed = JSON.parse(added.stdout) as { client_id: string; client_secret: string };
    assert.deepEqual(Object.keys(printed), ['client_id', 'client_secret']);
    assert.match(printed.client_id, /^[A-Za-z0-9_-]{22,}$/);
    assert.match(printed.client_secret, /^[A-Za-z0-9_-]{43,}$/);
    const clean = (result: { stdout: string; stderr: string }) => assert.ok(!`${result.stdout}${result.stderr}`.includes(printed.client_secret), 'the secret is shown once');

    const listed = await cli.run(['oidc-client', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    clean(listed);
    const [entry] = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(entry, {
      client_id: printed.client_id,
      name: 'Grafana',
      redirect_uris: ['https://grafana.example/login/generic_oauth', 'http://127.0.0.1:3000/login/generic_oauth'],
      post_logout_redirect_uris: ['https://grafana.example/'],
      first_party: true,
      public: false,
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
      created_at: entry!.created_at,
    });
    const table = await cli.run(['oidc-client', 'list']);
    assert.equal(table.code, 0, table.stderr);
    clean(table);
    assert.match(table.stdout, /^client id +name +type +first-party +alg +redirect URIs\n/);
    assert.match(table.stdout, new RegExp(`${printed.client_id} +Grafana +confidential +yes +ES256 +https://grafana.example/login/generic_oauth http://127.0.0.1:3000`));

    // The running server reads the client (and its secret) through its adapter.
    const metadata = await new server.deps.oidc.adapter('Client').find(printed.client_id);
    assert.equal(metadata?.client_secret, printed.client_secret);
    const raw = await db().selectFrom('oidc_clients').selectAll().execute();
    assert.ok(!JSON.stringify(raw).includes(printed.client_secret), 'stored sealed');

    await server.deps.oidc.payloads.upsert('Grant', 'cli-grant', { accountId: 'someone', clientId: printed.client_id }, 3600);
    await server.deps.oidc.payloads.upsert('AccessToken', 'cli-token', { grantId: 'cli-grant', accountId: 'someone', clientId: printed.client_id }, 3600);
    const removed = await cli.run(['oidc-client', 'remove', printed.client_id]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed "Grafana"/);
    clean(removed);
    assert.equal(await server.deps.oidc.payloads.find('AccessToken', 'cli-token'), undefined);
    assert.equal(await server.deps.oidc.payloads.find('Grant', 'cli-grant'), undefined);
    assert.equal((await cli.run(['oidc-client', 'list'])).stdout, 'no application is registered\n');

    const again = await cli.run(['oidc-client', 'remove', printed.client_id]);
    assert.equal(again.code, 1);
    assert.match(assertOneLineError(again, 'remove twice'), /no application with client id/);

    const [addedRow] = await auditRows('oidc.client_added');
    const [removedRow] = await auditRows('oidc.client_removed');
    for (const row of [addedRow!, removedRow!]) {
      assert.equal(row.channel, 'cli');
      assert.equal(row.actor_user_id, null);
      assert.equal(row.details.client_id, printed.client_id);
      assert.ok(!JSON.stringify(row).includes(printed.client_secret));
    }
  });

  test('a public client gets no secret; human output says the secret is shown once', async () => {
    const pub = await cli.run(['oidc-client', 'add', '--name', 'Desktop app', '--redirect-uri', 'http://[::1]:8400/cb', '--public', '--json']);
    assert.equal(pub.code, 0, pub.stderr);
    assert.deepEqual(Object.keys(JSON.parse(pub.stdout)), ['client_id']);
    const human = await cli.run(['oidc-client', 'add', '--name', 'Gitea', '--redirect-uri', 'https://git.example/user/oauth2/gatehouse/callback', '--alg', 'RS256']);
    assert.equal(human.code, 0, human.stderr);
    const secret = /client secret: (\S+)/.exec(human.stdout)?.[1];
    assert.ok(secret);
    assert.match(human.stdout, /not shown again/);
    const listing = await cli.run(['oidc-client', 'list', '--json']);
    assert.ok(!listing.stdout.includes(secret));
    const post = await cli.run(['oidc-client', 'add', '--name', 'Nextcloud', '--redirect-uri', 'https://cloud.example/apps/user_oidc/code', '--auth-method', 'client_secret_post', '--json']);
    assert.equal(post.code, 0, post.stderr);
    const listed = JSON.parse((await cli.run(['oidc-client', 'list', '--json'])).stdout) as Array<{ name: string; public: boolean; id_token_signed_response_alg: string; token_endpoint_auth_method: string }>;
    assert.deepEqual(listed.map((c) => [c.name, c.public, c.id_token_signed_response_alg, c.token_endpoint_auth_method]), [
      ['Desktop app', true, 'ES256', 'none'],
      ['Gitea', false, 'RS256', 'client_secret_basic'],
      ['Nextcloud', false, 'ES256', 'client_secret_post'],
    ]);
  });

  test('bad input is one line and a non-zero exit, and registers nothing (v5.0.0-10.4.1)', async () => {
    const before = (await db().selectFrom('oidc_clients').select('client_id').execute()).length;
    const cases: Array<[string, string[], RegExp]> = [
      ['no name', ['--redirect-uri', 'https://a.example/cb'], /--name is required/],
      ['no redirect URI', ['--name', 'A'], /at least one --redirect-uri/],
      ['plain http', ['--name', 'A', '--redirect-uri', 'http://a.example/cb'], /is not allowed/],
      ['fragment', ['--name', 'A', '--redirect-uri', 'https://a.example/cb#x'], /is not allowed/],
      ['wildcard', ['--name', 'A', '--redirect-uri', 'https://*.a.example/cb'], /is not allowed/],
      ['relative', ['--name', 'A', '--redirect-uri', '/cb'], /is not allowed/],
      ['custom scheme', ['--name', 'A', '--redirect-uri', 'javascript:alert(1)'], /is not allowed/],
      ['user info', ['--name', 'A', '--redirect-uri', 'https://user:pw@a.example/cb'], /is not allowed/],
      ['bad logout URI', ['--name', 'A', '--redirect-uri', 'https://a.example/cb', '--post-logout-redirect-uri', 'http://a.example/'], /--post-logout-redirect-uri/],
      ['bad alg', ['--name', 'A', '--redirect-uri', 'https://a.example/cb', '--alg', 'HS256'], /--alg "HS256" is not offered/],
      ['bad auth method', ['--name', 'A', '--redirect-uri', 'https://a.example/cb', '--auth-method', 'private_key_jwt'], /--auth-method "private_key_jwt" is not offered/],
      ['auth method on a public client', ['--name', 'A', '--redirect-uri', 'https://a.example/cb', '--public', '--auth-method', 'client_secret_post'], /--auth-method "client_secret_post" is not offered/],
      ['unknown option', ['--name', 'A', '--redirect-uri', 'https://a.example/cb', '--secret', 'x'], /--secret/],
    ];
    for (const [label, args, message] of cases) {
      const result = await cli.run(['oidc-client', 'add', ...args]);
      assert.match(assertOneLineError(result, label), message, label);
    }
    assert.equal((await cli.run(['oidc-client'])).code, 2);
    assertOneLineError(await cli.run(['oidc-client', 'frobnicate']), 'unknown subcommand');
    assertOneLineError(await cli.run(['oidc-keys']), 'oidc-keys without rotate');
    assert.equal((await db().selectFrom('oidc_clients').select('client_id').execute()).length, before);
  });

  test('oidc-keys rotate: new keys sign, the previous ones stay published, audited', async () => {
    const first = await server.deps.oidc.signingKeys.privateJwks();
    const rotated = await cli.run(['oidc-keys', 'rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /stay published for 7 days/);
    const now = await server.deps.oidc.signingKeys.privateJwks();
    assert.equal(now.keys.length, 4);
    assert.deepEqual(now.keys.slice(2).map((k) => k.kid).sort(), first.keys.map((k) => k.kid).sort());
    for (const key of now.keys.slice(0, 2)) assert.ok(rotated.stdout.includes(key.kid), 'the new key ids are printed');
    assert.ok(!rotated.stdout.includes(String(now.keys[0]!.d)), 'never a private key');
    const rows = await auditRows('oidc.keys_rotated');
    assert.deepEqual(rows.map((row) => row.channel), ['system', 'cli']);
  });

  test('the commands speak Spanish on a Spanish terminal', async () => {
    const bad = await cli.run(['oidc-client', 'add', '--name', 'A', '--redirect-uri', 'http://a.example/cb'], { env: SPANISH });
    assert.match(assertOneLineError(bad, 'es'), /no está permitido/);
    const help = await cli.run(['--help'], { env: SPANISH });
    assert.match(help.stdout, /oidc-client +registrar, listar o retirar/);
    const unknown = await cli.run(['oidc-client', 'remove', 'nope'], { env: SPANISH });
    assert.match(assertOneLineError(unknown, 'es unknown'), /no hay ninguna aplicación/);
  });
});
