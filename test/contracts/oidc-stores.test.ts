// Contract: the OpenID Connect provider's storage on every backend (issue #13). oidc-provider's
// payloads (SQL, or Redis on the +redis backends): upsert is a real upsert, find/consume/destroy,
// expiry by the domain clock (lazily deleted, pruned), revocation by grant, by account and by
// client, the connected-apps list (v5.0.0-10.7.3). Clients: id conflicts refused, removal takes
// the client's grants and tokens along (v5.0.0-10.4.1 exact redirect URIs stored as given).
// Signing keys: made once whoever races, rotation keeps retired keys published then deletes
// them (v5.0.0-11.6.1 / 13.3.1). Secrets and private keys are sealed: the raw rows never hold
// them in clear, and another SECRET_KEY opens nothing (v5.0.0-13.3.1, v5.0.0-11.2.1).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Clock } from '../../src/domain/clock.ts';
import { createOidcClientService } from '../../src/domain/oidc/clients.ts';
import { createOidcSigningKeys } from '../../src/domain/oidc/signing-keys.ts';
import { createOidcSubjects } from '../../src/domain/oidc/subjects.ts';
import type { OidcPayloadStore } from '../../src/domain/ports.ts';
import { createOidcAdapter } from '../../src/storage/oidc/adapter.ts';
import { createRedisOidcPayloadStore } from '../../src/storage/redis/oidc-payload-store.ts';
import { createSqlOidcClientStore } from '../../src/storage/sql/oidc-client-store.ts';
import { createSqlOidcKeyStore } from '../../src/storage/sql/oidc-key-store.ts';
import { createSqlOidcPayloadStore } from '../../src/storage/sql/oidc-payload-store.ts';
import { createSqlOidcSubjectStore } from '../../src/storage/sql/oidc-subject-store.ts';
import { createSqlTransactor } from '../../src/storage/sql/transactor.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const KEYS = { mail: Buffer.alloc(32, 1), audit: Buffer.alloc(32, 2) };
const CLIENT_KEY = Buffer.alloc(32, 3);
const SIGNING_KEY = Buffer.alloc(32, 4);

eachBackend('OIDC stores contract', (backend) => {
  let stores: TestStores;
  let now = T0;
  const clock: Clock = { now: () => now };
  let payloads: OidcPayloadStore;
  const db = () => stores.database.db;
  const transactor = () => createSqlTransactor(db(), () => now, KEYS);
  const clients = () => createOidcClientService({ transactor: transactor(), clients: createSqlOidcClientStore(db()), payloads, sealKey: CLIENT_KEY, clock });
  const signingKeys = (sealKey = SIGNING_KEY) => createOidcSigningKeys({ store: createSqlOidcKeyStore(db()), transactor: transactor(), sealKey, clock });

  before(async () => {
    stores = await openTestStores(backend, () => now);
    payloads = stores.redis ? createRedisOidcPayloadStore(stores.redis, () => now) : createSqlOidcPayloadStore(db(), () => now);
  });
  after(() => stores.close());
  beforeEach(() => {
    now = T0;
  });

  const grant = (id: string, accountId: string, clientId: string) => ({ jti: id, kind: 'Grant', accountId, clientId, iat: Math.floor(now / 1000), openid: { scope: 'openid email' } });
  const token = (id: string, grantId: string, accountId: string, clientId: string) => ({ jti: id, kind: 'AccessToken', grantId, accountId, clientId });

  test('upsert stores and replaces in one statement; find, findByUid, findByUserCode, consume and destroy', async () => {
    await payloads.upsert('Session', 'sess-1', { uid: 'uid-1', accountId: 'acct-a' }, 600);
    await payloads.upsert('Session', 'sess-1', { uid: 'uid-1', accountId: 'acct-a', extra: [1, 'two', []] }, 600);
    assert.deepEqual(await payloads.find('Session', 'sess-1'), { uid: 'uid-1', accountId: 'acct-a', extra: [1, 'two', []] });
    assert.deepEqual(await payloads.findByUid('Session', 'uid-1'), { uid: 'uid-1', accountId: 'acct-a', extra: [1, 'two', []] });
    assert.equal(await payloads.find('AccessToken', 'sess-1'), undefined, 'models do not share ids');
    assert.equal(await payloads.find('Session', 'SESS-1'), undefined, 'ids compare exactly (MySQL folds case by default)');
    await Promise.all([1, 2, 3, 4].map((n) => payloads.upsert('Session', 'race', { n }, 600)));
    assert.ok([1, 2, 3, 4].includes((await payloads.find('Session', 'race'))?.n as number), 'racing upserts: one wins, none fails');

    await payloads.upsert('DeviceCode', 'dc-1', { userCode: 'ABCD-EFGH' }, 600);
    assert.deepEqual(await payloads.findByUserCode('DeviceCode', 'ABCD-EFGH'), { userCode: 'ABCD-EFGH' });

    await payloads.upsert('AuthorizationCode', 'code-1', { grantId: 'g-x' }, 60);
    now += 5_000;
    await payloads.consume('AuthorizationCode', 'code-1');
    assert.equal((await payloads.find('AuthorizationCode', 'code-1'))?.consumed, Math.floor(now / 1000));
    now += 5_000;
    await payloads.consume('AuthorizationCode', 'code-1');
    assert.equal((await payloads.find('AuthorizationCode', 'code-1'))?.consumed, Math.floor((now - 5_000) / 1000), 'the first use is kept');

    await payloads.destroy('Session', 'sess-1');
    assert.equal(await payloads.find('Session', 'sess-1'), undefined);
    assert.equal(await payloads.findByUid('Session', 'uid-1'), undefined);
  });

  test('ids a client chose that no id column could hold (non-ASCII, too long) find nothing and never fail (MySQL would refuse the comparison)', async () => {
    const odd = ['ñandú', '😀', 'x'.repeat(300), 'tab\tbed'];
    for (const id of odd) {
      assert.equal(await payloads.find('AccessToken', id), undefined);
      assert.equal(await payloads.findByUid('Session', id), undefined);
      assert.equal(await payloads.findByUserCode('DeviceCode', id), undefined);
      await payloads.consume('AuthorizationCode', id);
      await payloads.destroy('AccessToken', id);
      await payloads.revokeByGrantId(id);
      assert.equal(await payloads.revokeByAccount(id), 0);
      assert.deepEqual(await payloads.listGrants(id), []);
      assert.equal(await createSqlOidcClientStore(db()).findClient(id), undefined);
      assert.equal(await createSqlOidcClientStore(db()).deleteClient(id), false);
      assert.equal(await createOidcSubjects(createSqlOidcSubjectStore(db())).accountFor(id), undefined);
    }
  });

  test('expired payloads are never returned; SQL deletes the one met and prunes the rest', async () => {
    await payloads.upsert('Interaction', 'i-1', { uid: 'i-uid' }, 60);
    await payloads.upsert('Interaction', 'i-2', {}, 60);
    await payloads.upsert('Interaction', 'i-3', {}, 3600);
    now += 61_000;
    assert.equal(await payloads.find('Interaction', 'i-1'), undefined);
    assert.equal(await payloads.findByUid('Interaction', 'i-uid'), undefined);
    assert.ok(await payloads.find('Interaction', 'i-3'));
    if (!stores.redis) {
      const left = async () => (await db().selectFrom('oidc_payloads').select('id').where('model', '=', 'Interaction').execute()).map((row) => row.id).sort();
      assert.deepEqual(await left(), ['i-2', 'i-3'], 'find deleted the expired row it met');
      const expiredEarlier = await db().selectFrom('oidc_payloads').select('id').where('expires_at', '<=', now).execute();
      assert.equal(await payloads.pruneExpired(new Date(now)), expiredEarlier.length);
      assert.deepEqual(await left(), ['i-3']);
    }
  });

  test('revokeByGrantId takes the grant, its codes and tokens, and nothing of another grant', async () => {
    await payloads.upsert('Grant', 'g-1', grant('g-1', 'acct-g', 'client-g'), 3600);
    await payloads.upsert('AccessToken', 'at-1', token('at-1', 'g-1', 'acct-g', 'client-g'), 3600);
    await payloads.upsert('RefreshToken', 'rt-1', token('rt-1', 'g-1', 'acct-g', 'client-g'), 3600);
    await payloads.upsert('AccessToken', 'at-2', token('at-2', 'g-2', 'acct-g', 'client-g'), 3600);
    await payloads.revokeByGrantId('g-1');
    assert.equal(await payloads.find('Grant', 'g-1'), undefined);
    assert.equal(await payloads.find('AccessToken', 'at-1'), undefined);
    assert.equal(await payloads.find('RefreshToken', 'rt-1'), undefined);
    assert.ok(await payloads.find('AccessToken', 'at-2'));
  });

  test('revokeByAccount ends every grant, token and provider session of the subject; listGrants lists what it gave', async () => {
    await payloads.upsert('Grant', 'ga-1', grant('ga-1', 'acct-r', 'client-1'), 3600);
    await payloads.upsert('Grant', 'ga-2', { ...grant('ga-2', 'acct-r', 'client-2'), openid: { scope: 'openid profile' } }, 7200);
    await payloads.upsert('AccessToken', 'ra-1', token('ra-1', 'ga-1', 'acct-r', 'client-1'), 3600);
    // A token that carries only its grant id is still found through the grant.
    await payloads.upsert('RefreshToken', 'ra-2', { grantId: 'ga-2' }, 3600);
    await payloads.upsert('Session', 'rs-1', { accountId: 'acct-r', uid: 'rs-uid' }, 3600);
    await payloads.upsert('Grant', 'gb-1', grant('gb-1', 'acct-other', 'client-1'), 3600);

    const listed = await payloads.listGrants('acct-r');
    assert.deepEqual(
      listed.map(({ grantId, clientId, scopes }) => ({ grantId, clientId, scopes })),
      [
        { grantId: 'ga-1', clientId: 'client-1', scopes: ['openid', 'email'] },
        { grantId: 'ga-2', clientId: 'client-2', scopes: ['openid', 'profile'] },
      ],
    );
    assert.equal(listed[0]!.createdAt.getTime(), Math.floor(T0 / 1000) * 1000);
    assert.equal(listed[1]!.expiresAt?.getTime(), T0 + 7_200_000);

    assert.equal(await payloads.revokeByAccount('acct-r'), 5);
    for (const [model, id] of [['Grant', 'ga-1'], ['Grant', 'ga-2'], ['AccessToken', 'ra-1'], ['RefreshToken', 'ra-2'], ['Session', 'rs-1']] as const) {
      assert.equal(await payloads.find(model, id), undefined, `${model} ${id} revoked`);
    }
    assert.deepEqual(await payloads.listGrants('acct-r'), []);
    assert.equal((await payloads.listGrants('acct-other')).length, 1, 'another subject keeps its grant');
    assert.equal(await payloads.revokeByAccount('acct-r'), 0);
  });

  test('a client is created once per id; removing it deletes its grants and tokens; each change audited (v5.0.0-10.4.1)', async () => {
    const store = createSqlOidcClientStore(db());
    const base = { clientId: 'fixed-id', name: 'Grafana', redirectUris: ['https://grafana.example/login/generic_oauth'], postLogoutRedirectUris: [], firstParty: false, public: false, idTokenSigningAlg: 'ES256' as const, tokenEndpointAuthMethod: 'client_secret_basic' as const, createdAt: new Date(now) };
    assert.equal(await store.createClient(base, null), 'created');
    assert.equal(await store.createClient({ ...base, name: 'Other' }, null), 'conflict');
    assert.equal((await store.findClient('fixed-id'))?.client.name, 'Grafana');
    assert.equal(await store.findClient('FIXED-ID'), undefined, 'client ids compare exactly');
    assert.equal(await store.deleteClient('fixed-id'), true);

    const added = await clients().add({ name: 'Gitea', redirectUris: ['https://git.example/user/oauth2/gatehouse/callback'] }, CLI_CONTEXT);
    assert.ok(added.ok);
    const { clientId } = added.client;
    await payloads.upsert('Grant', 'gc-1', grant('gc-1', 'acct-c', clientId), 3600);
    await payloads.upsert('AccessToken', 'ct-1', token('ct-1', 'gc-1', 'acct-c', clientId), 3600);
    await payloads.upsert('RefreshToken', 'ct-2', { grantId: 'gc-1' }, 3600);
    await payloads.upsert('AccessToken', 'ct-3', token('ct-3', 'g-other', 'acct-c', 'another-client'), 3600);
    const removed = await clients().remove(clientId, CLI_CONTEXT);
    assert.ok(removed.ok);
    assert.equal(await payloads.find('Grant', 'gc-1'), undefined);
    assert.equal(await payloads.find('AccessToken', 'ct-1'), undefined);
    assert.equal(await payloads.find('RefreshToken', 'ct-2'), undefined);
    assert.ok(await payloads.find('AccessToken', 'ct-3'), "another client's token stays");
    assert.deepEqual(await clients().remove(clientId, CLI_CONTEXT), { ok: false, reason: 'unknown_client' });
    const events = await db().selectFrom('audit_events').select(['type', 'channel', 'details']).where('type', 'like', 'oidc.client_%').orderBy('seq').execute();
    assert.deepEqual(events.map((row) => [row.type, row.channel, JSON.parse(row.details).client_id]), [
      ['oidc.client_added', 'cli', clientId],
      ['oidc.client_removed', 'cli', clientId],
    ]);
  });

  test('the client secret is sealed: the raw row never holds it; the adapter opens it only with the right key', async () => {
    const added = await clients().add({ name: 'Nextcloud', redirectUris: ['https://cloud.example/apps/oidc_login/oidc'], idTokenSigningAlg: 'RS256' }, CLI_CONTEXT);
    assert.ok(added.ok && added.clientSecret);
    assert.ok(added.clientSecret.length >= 43, '256-bit secret');
    assert.ok(added.client.clientId.length >= 22, '128-bit id');
    const row = await db().selectFrom('oidc_clients').selectAll().where('client_id', '=', added.client.clientId).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(added.clientSecret), 'not in clear');
    const clientStore = createSqlOidcClientStore(db());
    const Adapter = createOidcAdapter({ payloads, clients: clientStore, openSecret: clients().openSecret });
    const metadata = await new Adapter('Client').find(added.client.clientId);
    assert.deepEqual(metadata, {
      client_id: added.client.clientId,
      client_secret: added.clientSecret,
      client_name: 'Nextcloud',
      redirect_uris: ['https://cloud.example/apps/oidc_login/oidc'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    });
    const otherKey = createOidcClientService({ transactor: transactor(), clients: clientStore, payloads, sealKey: Buffer.alloc(32, 9), clock });
    const wrong = createOidcAdapter({ payloads, clients: clientStore, openSecret: otherKey.openSecret });
    assert.equal(await new wrong('Client').find(added.client.clientId), undefined, 'another SECRET_KEY opens nothing');

    const pub = await clients().add({ name: 'CLI tool', redirectUris: ['http://127.0.0.1:8400/callback'], public: true }, CLI_CONTEXT);
    assert.ok(pub.ok && pub.clientSecret === undefined);
    assert.deepEqual(await clients().add({ name: 'X', redirectUris: ['https://x.example/cb'], public: true, tokenEndpointAuthMethod: 'client_secret_post' }, CLI_CONTEXT), { ok: false, reason: 'invalid_auth_method', value: 'client_secret_post' });
    assert.deepEqual(await clients().add({ name: 'X', redirectUris: ['https://x.example/cb'], tokenEndpointAuthMethod: 'none' }, CLI_CONTEXT), { ok: false, reason: 'invalid_auth_method', value: 'none' });
    const post = await clients().add({ name: 'Nextcloud', redirectUris: ['https://cloud.example/apps/user_oidc/code'], tokenEndpointAuthMethod: 'client_secret_post' }, CLI_CONTEXT);
    assert.ok(post.ok);
    assert.equal((await clientStore.findClient(post.client.clientId))?.client.tokenEndpointAuthMethod, 'client_secret_post');
    assert.equal((await new Adapter('Client').find(post.client.clientId))?.token_endpoint_auth_method, 'client_secret_post');
    const pubMeta = await new Adapter('Client').find(pub.client.clientId);
    assert.equal(pubMeta?.token_endpoint_auth_method, 'none');
    assert.equal('client_secret' in (pubMeta ?? {}), false);
    // Payload models go to the payload store through the same adapter.
    await new Adapter('Session').upsert('via-adapter', { uid: 'u-ad' }, 60);
    assert.deepEqual(await new Adapter('Session').findByUid('u-ad'), { uid: 'u-ad' });
  });

  test('signing keys: made once whoever races, sealed, rotated with the retired ones published for a while, then deleted', async () => {
    await db().deleteFrom('oidc_keys').execute();
    const [a, b] = await Promise.all([signingKeys().privateJwks(), signingKeys().privateJwks()]);
    assert.deepEqual(a.keys.map((key) => key.kid), b.keys.map((key) => key.kid), 'both instances use one set');
    assert.deepEqual(a.keys.map((key) => key.alg).sort(), ['ES256', 'RS256']);
    assert.equal((await createSqlOidcKeyStore(db()).listKeys()).length, 2);
    const rows = await db().selectFrom('oidc_keys').selectAll().execute();
    for (const jwk of a.keys) assert.ok(!JSON.stringify(rows).includes(jwk.d as string), 'private key not in clear');
    await assert.rejects(signingKeys(Buffer.alloc(32, 8)).privateJwks(), /oidc_keys_unreadable/, 'another SECRET_KEY opens nothing');

    const v1 = await signingKeys().version();
    now += DAY;
    const { kids } = await signingKeys().rotate(CLI_CONTEXT);
    const v2 = await signingKeys().version();
    assert.notEqual(v1, v2, 'a running server sees the rotation');
    const after = await signingKeys().privateJwks();
    assert.deepEqual(after.keys.slice(0, 2).map((key) => key.kid).sort(), [...kids].sort(), 'the new keys come first: they sign');
    assert.deepEqual(after.keys.slice(2).map((key) => key.kid).sort(), a.keys.map((key) => key.kid).sort(), 'the retired keys still verify');

    now += 8 * DAY;
    assert.equal((await signingKeys().privateJwks()).keys.length, 2, 'retired past 7 days: no longer published');
    assert.notEqual(await signingKeys().version(), v2);
    await signingKeys().rotate(CLI_CONTEXT);
    const stored = await createSqlOidcKeyStore(db()).listKeys();
    assert.equal(stored.length, 4, 'the first generation is deleted by the next rotation');
    assert.ok(!stored.some((key) => a.keys.some((old) => old.kid === key.kid)));
    const audited = await db().selectFrom('audit_events').select(['details', 'channel']).where('type', '=', 'oidc.keys_rotated').orderBy('seq').execute();
    assert.deepEqual(audited.map((row) => [row.channel, JSON.parse(row.details).initial ?? false]), [['system', true], ['cli', false], ['cli', false]]);
  });

  test('subjects: every account gets a random unique one; found back, disabled accounts are not', async () => {
    const made = await stores.users.createUser({ username: 'subj', usernameNormalized: 'subj', email: 'subj@example.test', emailNormalized: 'subj@example.test', passwordHash: '$argon2id$x', role: 'user', createdAt: new Date(now) });
    assert.ok(made.ok);
    const subjects = createOidcSubjects(createSqlOidcSubjectStore(db()));
    const subject = await subjects.subjectFor(made.user.id);
    assert.match(subject ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(subject, String(made.user.id));
    assert.equal((await subjects.accountFor(subject!))?.id, made.user.id);
    assert.equal(await subjects.accountFor(subject!.toUpperCase() === subject ? `${subject}x` : subject!.toUpperCase()), undefined);
    await stores.users.setDisabled(made.user.id, true);
    assert.equal(await subjects.accountFor(subject!), undefined);
    assert.equal(await subjects.subjectFor(999_999), undefined);
  });
});
