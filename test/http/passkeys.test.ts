// Passkeys (issue #12) over HTTP, against a software authenticator (test/helpers/soft-authenticator.ts):
// an ES256 key pair from node:crypto, attestation `none` and assertions built by hand (clientDataJSON;
// authenticatorData with the RP id hash, flags UP|UV (|AT with the COSE key at registration)
// and the signature counter), verified for real by @simplewebauthn/server. Properties:
//  - a passkey is added, listed, renamed and removed, each audited; add and remove are mailed;
//  - it signs in usernameless as a session recorded `hwk mfa`, on the pages and the API, and
//    serves as the second step after a password on a TOTP account (`pwd hwk mfa`);
//  - challenges work once, expire after 5 minutes, and only for the session they were issued to
//    (ASVS v5.0.0-11.5.1, v5.0.0-2.3.4); a replayed assertion, another origin or RP id, a missing
//    user verification and a signature counter that goes backwards are refused, the regression
//    audited (WebAuthn §6.1.1);
//  - a credential id belongs to one account: registering it again is a 409, never a 500;
//    another user's id renames or removes nothing (v5.0.0-8.2.2);
//  - adding and removing need a recent authentication (v5.0.0-7.5.1): past SUDO_SECONDS the
//    pages go to /sudo and the API answers reauthentication_required.
// The clock is mocked (startTestServer's clock), sessions stay live while it moves.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { b64url, type Ceremony, FLAG, SoftAuthenticator } from '../helpers/soft-authenticator.ts';

const SUDO = 600;
let offset = 0;
const clock = { now: () => Date.now() + offset };
const later = (seconds: number) => {
  offset += seconds * 1000;
};

// --- The server and its clients --------------------------------------------------------------

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000', SESSION_TOUCH_INTERVAL_SECONDS: '0', SUDO_SECONDS: String(SUDO) }, { clock });
});
after(() => server.stop());

let accounts = 0;
async function signedIn(prefix: string): Promise<{ client: TestClient; username: string; email: string }> {
  const username = `${prefix}-${(accounts += 1)}`;
  const client = new TestClient(server.url);
  assert.equal((await client.registerAndSignIn(username, GOOD_PASSWORD)).status, 303);
  return { client, username, email: `${username}@example.test` };
}

/** A JSON call of the pages' script: the page's CSRF token in X-CSRF-Token. */
function pageJson(client: TestClient, url: string, body: unknown): Promise<TestResponse> {
  return client.request('POST', url, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': client.lastCsrf ?? '' } });
}

async function addPasskey(client: TestClient, authenticator: SoftAuthenticator, name?: string, c: Ceremony = {}): Promise<TestResponse> {
  const options = await client.postJson('/api/v1/passkeys/registration/options', {});
  assert.equal(options.status, 200, options.body);
  return client.postJson('/api/v1/passkeys/registration/verify', { ...(name === undefined ? {} : { name }), response: authenticator.register(options.json(), c) });
}

async function withPasskey(prefix: string, name = 'Laptop') {
  const account = await signedIn(prefix);
  const authenticator = new SoftAuthenticator(server.url);
  const added = await addPasskey(account.client, authenticator, name);
  assert.equal(added.status, 201, added.body);
  return { ...account, authenticator };
}

/** A visitor on /login with its pre-session, asking for sign-in options. */
async function signInOptions(): Promise<{ visitor: TestClient; options: any }> {
  const visitor = new TestClient(server.url);
  assert.equal((await visitor.get('/login')).status, 200);
  const options = await pageJson(visitor, '/login/passkey/options', {});
  assert.equal(options.status, 200, options.body);
  return { visitor, options: options.json() };
}

async function rows<T>(query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(server.deps.database.db)).rows;
}

async function eventsOf(type: string, userId?: number) {
  const all = await rows<{ outcome: string; target_user_id: unknown; details: string }>(sql`select outcome, target_user_id, details from audit_events where type = ${type} order by seq`);
  return all.filter((row) => userId === undefined || Number(row.target_user_id) === userId);
}

async function userIdOf(username: string): Promise<number> {
  const [row] = await rows<{ id: unknown }>(sql`select id from users where username = ${username}`);
  return Number(row!.id);
}

/** Turns TOTP on for the account through the two-factor service (the pages are two-factor.test.ts's). */
async function enableTotp(username: string): Promise<void> {
  const user = (await server.deps.users.findUserById(await userIdOf(username)))!;
  const enrolment = await server.deps.twoFactor.beginEnrolment(user);
  assert.ok(enrolment);
  const confirmed = await server.deps.twoFactor.confirmEnrolment({ user, code: codeAt(enrolment.secret, clock.now()), currentPassword: GOOD_PASSWORD, ip: '127.0.0.1', by: CLI_CONTEXT, locale: 'en' });
  assert.equal(confirmed.kind, 'enabled');
}

/** A password sign-in of a two-factor account, left at its second step; the client holds the pending cookie and the step page's CSRF token. */
async function atSecondStep(username: string): Promise<TestClient> {
  const client = new TestClient(server.url);
  const signIn = await client.signIn(username, GOOD_PASSWORD);
  assert.equal(signIn.status, 303);
  assert.equal(signIn.location, '/login/two-factor');
  assert.equal((await client.get('/login/two-factor')).status, 200);
  return client;
}

function mailKindsTo(email: string): string[] {
  const outbox = path.join(server.dataDir, 'outbox');
  return readdirSync(outbox)
    .filter((file) => readFileSync(path.join(outbox, file), 'utf8').includes(`To: ${email}`))
    .map((file) => /-([a-z-]+)\.eml$/.exec(file)?.[1] ?? file);
}

// --- The tests -------------------------------------------------------------------------------

describe('passkeys', () => {
  test('registration options ask for a discoverable, user-verifying credential of this RP, with a 256-bit challenge and an opaque user handle', async () => {
    const { client, username } = await signedIn('options');
    const response = await client.postJson('/api/v1/passkeys/registration/options', {});
    assert.equal(response.status, 200);
    const options = response.json();
    assert.equal(options.rp.id, new URL(server.url).hostname);
    assert.equal(Buffer.from(options.challenge, 'base64url').length, 32);
    assert.deepEqual(options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    assert.equal(options.user.name, username);
    assert.equal(Buffer.from(options.user.id, 'base64url').length, 32, 'a 32-byte handle, not the account id');
    assert.deepEqual(options.pubKeyCredParams.map((p: { alg: number }) => p.alg), [-8, -7, -257]);
    // The challenge itself is never stored: only a SHA-256.
    const stored = await rows<{ hash: string }>(sql`select hash from webauthn_challenges`);
    assert.ok(stored.every((row) => /^[0-9a-f]{64}$/.test(row.hash) && row.hash !== options.challenge));
  });

  test('a passkey is added, listed with its name and dates, audited and mailed; the page shows it', async () => {
    const { client, username, email, authenticator } = await withPasskey('add', '  Work   laptop ');
    const id = await userIdOf(username);
    const listed = (await client.get('/api/v1/passkeys')).json().passkeys;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].id, b64url(authenticator.credentialId));
    assert.equal(listed[0].name, 'Work laptop', 'spaces collapsed and trimmed');
    assert.equal(listed[0].lastUsedAt, null);
    assert.equal((await eventsOf('passkey.added', id)).length, 1);
    await server.mail.runOnce();
    assert.ok(mailKindsTo(email).includes('passkey-added'), `mails: ${mailKindsTo(email)}`);
    const page = await client.get('/settings/passkeys');
    assert.equal(page.status, 200);
    assert.match(page.body, /<h3>Work laptop<\/h3>/);
    assert.match(page.body, /Not used yet/);
    assert.match(page.body, /<button type="submit">Add a passkey<\/button>/);
    assert.match(page.body, /name="csrf_token"/);
    // An unnamed passkey is named after the browser (here: none known, so "Passkey").
    const second = await addPasskey(client, new SoftAuthenticator(server.url));
    assert.equal(second.status, 201, second.body);
    assert.equal(second.json().name, 'Passkey');
  });

  test('a passkey signs in without a username, through the pages and the API, as a session recorded hwk mfa', async () => {
    const { username, authenticator } = await withPasskey('sign-in');
    const { visitor, options } = await signInOptions();
    assert.deepEqual(options.allowCredentials, [], 'usernameless: no credential list');
    assert.equal(options.userVerification, 'required');
    const verified = await pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options), next: '/settings/sessions' });
    assert.equal(verified.status, 200, verified.body);
    assert.equal(verified.json().redirect, '/settings/sessions');
    const dashboard = await visitor.get('/dashboard');
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.body, new RegExp(username));
    const token = visitor.cookies.get('gatehouse_session')!;
    const live = await server.deps.sessions.validateSessionToken(token);
    assert.deepEqual(live?.session.authMethods, ['hwk', 'mfa']);
    assert.equal((await eventsOf('login.succeeded', await userIdOf(username))).length, 2, 'the password sign-in, then the passkey');
    // The API twin answers the user and the new CSRF token.
    const api = new TestClient(server.url);
    const apiOptions = await api.postJson('/api/v1/login/passkey/options', {});
    assert.equal(apiOptions.status, 200);
    const apiSignIn = await api.postJson('/api/v1/login/passkey/verify', { response: authenticator.assert(apiOptions.json()) });
    assert.equal(apiSignIn.status, 200, apiSignIn.body);
    assert.equal(apiSignIn.json().user.username, username);
    assert.equal((await api.get('/api/v1/me')).json().user.username, username);
    // Last used is now set.
    const listed = (await api.get('/api/v1/passkeys')).json().passkeys;
    assert.ok(listed[0].lastUsedAt);
  });

  test('a challenge works once: a replayed assertion and a replayed registration are refused', async () => {
    const { client, authenticator } = await withPasskey('replay');
    const { visitor, options } = await signInOptions();
    const assertion = authenticator.assert(options);
    assert.equal((await pageJson(visitor, '/login/passkey/verify', { response: assertion })).status, 200);
    await visitor.get('/dashboard'); // the new session's CSRF token
    const again = new TestClient(server.url);
    await again.get('/login');
    for (const replayer of [visitor, again]) {
      const replayed = await pageJson(replayer, '/login/passkey/verify', { response: assertion });
      assert.equal(replayed.status, 401, replayed.body);
      assert.equal(replayed.json().error, 'invalid_credentials');
    }
    const fresh = new SoftAuthenticator(server.url);
    const regOptions = (await client.postJson('/api/v1/passkeys/registration/options', {})).json();
    const registration = fresh.register(regOptions);
    assert.equal((await client.postJson('/api/v1/passkeys/registration/verify', { response: registration })).status, 201);
    const twice = await client.postJson('/api/v1/passkeys/registration/verify', { response: registration });
    assert.ok(twice.status === 400 || twice.status === 409, `${twice.status} ${twice.body}`);
    assert.notEqual(twice.status, 500);
  });

  test('a challenge expires after 5 minutes', async () => {
    const { client, authenticator } = await withPasskey('expiry');
    // Within SUDO_SECONDS of the sign-in, so only the challenge's age can refuse.
    const regOptions = (await client.postJson('/api/v1/passkeys/registration/options', {})).json();
    later(301);
    const expired = await client.postJson('/api/v1/passkeys/registration/verify', { response: new SoftAuthenticator(server.url).register(regOptions) });
    assert.equal(expired.status, 400, expired.body);
    assert.equal((await client.get('/api/v1/passkeys')).json().passkeys.length, 1, 'nothing added');
    const { visitor, options } = await signInOptions();
    later(301);
    const late = await pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options) });
    assert.equal(late.status, 401, late.body);
  });

  test('a challenge issued to one session is refused from another', async () => {
    const { authenticator } = await withPasskey('binding');
    const { options } = await signInOptions();
    const other = new TestClient(server.url);
    await other.get('/login');
    const stolen = await pageJson(other, '/login/passkey/verify', { response: authenticator.assert(options) });
    assert.equal(stolen.status, 401, stolen.body);
    assert.equal(await server.deps.sessions.validateSessionToken(other.cookies.get('gatehouse_session')!), undefined, 'no session started');
    // Registration: options asked by one session of the account, answered from another.
    const first = await signedIn('binding-reg');
    const second = new TestClient(server.url);
    assert.equal((await second.signIn(first.username, GOOD_PASSWORD)).status, 303);
    const regOptions = (await first.client.postJson('/api/v1/passkeys/registration/options', {})).json();
    const crossed = await second.postJson('/api/v1/passkeys/registration/verify', { response: new SoftAuthenticator(server.url).register(regOptions) });
    assert.equal(crossed.status, 400, crossed.body);
  });

  test('another origin, another RP id, no user verification or a bad signature are refused', async () => {
    const { authenticator } = await withPasskey('origin');
    const cases: Array<[string, (options: any) => any]> = [
      ['another origin', (o) => authenticator.assert(o, { origin: 'https://evil.example' })],
      ['another RP id', (o) => authenticator.assert(o, { rpId: 'evil.example' })],
      ['no user verification', (o) => authenticator.assert(o, { flags: FLAG.UP })],
      ['a registration type', (o) => authenticator.assert(o, { type: 'webauthn.create' })],
      ['a bad signature', (o) => ({ ...authenticator.assert(o), response: { ...authenticator.assert(o).response, signature: b64url(randomBytes(70)) } })],
    ];
    for (const [what, forge] of cases) {
      const { visitor, options } = await signInOptions();
      const refused = await pageJson(visitor, '/login/passkey/verify', { response: forge(options) });
      assert.equal(refused.status, 401, `${what}: ${refused.body}`);
    }
    // Registration from another origin or RP id: 400, nothing stored.
    const { client } = await signedIn('origin-reg');
    for (const c of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { flags: FLAG.UP | FLAG.AT }]) {
      const refused = await addPasskey(client, new SoftAuthenticator(server.url), undefined, c);
      assert.equal(refused.status, 400, `${JSON.stringify(c)}: ${refused.body}`);
    }
    assert.equal((await client.get('/api/v1/passkeys')).json().passkeys.length, 0);
  });

  test('a signature counter that goes backwards is refused and audited; one that moves on signs in', async () => {
    const { username, authenticator } = await withPasskey('counter');
    const id = await userIdOf(username);
    const signIn = async (counter: number) => {
      const { visitor, options } = await signInOptions();
      return pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options, { counter }) });
    };
    assert.equal((await signIn(5)).status, 200);
    assert.equal((await signIn(5)).status, 401, 'the same counter again (a clone)');
    assert.equal((await signIn(3)).status, 401, 'a lower counter');
    assert.equal((await signIn(6)).status, 200, 'the genuine authenticator goes on');
    const regressions = await eventsOf('passkey.counter_regressed', id);
    assert.equal(regressions.length, 2);
    assert.ok(regressions.every((row) => row.outcome === 'failure'));
    assert.deepEqual(JSON.parse(regressions[0]!.details), { stored: 5, received: 5 });
  });

  test('an authenticator without a counter (always 0) signs in every time', async () => {
    const { authenticator } = await withPasskey('zero');
    for (let i = 0; i < 2; i += 1) {
      const { visitor, options } = await signInOptions();
      assert.equal((await pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options, { counter: 0 }) })).status, 200);
    }
  });

  test('a credential id belongs to one account: registering it again is a 409, for the owner and for anyone else', async () => {
    const owner = await withPasskey('dup-owner');
    const again = await addPasskey(owner.client, owner.authenticator);
    assert.equal(again.status, 409, again.body);
    assert.equal(again.json().error, 'conflict');
    const other = await signedIn('dup-other');
    const stolen = await addPasskey(other.client, owner.authenticator);
    assert.equal(stolen.status, 409, stolen.body);
    const [row] = await rows<{ user_id: unknown }>(sql`select user_id from passkeys where credential_id = ${b64url(owner.authenticator.credentialId)}`);
    assert.equal(Number(row!.user_id), await userIdOf(owner.username));
  });

  test('rename and remove act on one’s own passkeys only: another user’s id changes nothing (pages and API)', async () => {
    const victim = await withPasskey('victim', 'Victim key');
    const victimId = b64url(victim.authenticator.credentialId);
    const attacker = await withPasskey('attacker', 'Mine');
    await attacker.client.get('/settings/passkeys');
    const pageRename = await attacker.client.postForm('/settings/passkeys/rename', { passkey_id: victimId, name: 'pwned' });
    assert.equal(pageRename.status, 404);
    const pageRemove = await attacker.client.postForm('/settings/passkeys/remove', { passkey_id: victimId });
    assert.equal(pageRemove.status, 404);
    assert.equal((await attacker.client.postJson('/api/v1/passkeys/rename', { id: victimId, name: 'pwned' })).status, 404);
    assert.equal((await attacker.client.postJson('/api/v1/passkeys/remove', { id: victimId })).status, 404);
    const [row] = await rows<{ name: string }>(sql`select name from passkeys where credential_id = ${victimId}`);
    assert.equal(row?.name, 'Victim key', 'neither renamed nor removed');
    assert.deepEqual(await eventsOf('passkey.renamed', await userIdOf(victim.username)), []);
  });

  test('the owner renames (audited) and removes (audited, mailed) a passkey, which then no longer signs in', async () => {
    const { client, username, email, authenticator } = await withPasskey('manage', 'Old name');
    const id = await userIdOf(username);
    const credentialId = b64url(authenticator.credentialId);
    await client.get('/settings/passkeys');
    const renamed = await client.postForm('/settings/passkeys/rename', { passkey_id: credentialId, name: 'New name' });
    assert.equal(renamed.status, 303);
    assert.equal(renamed.location, '/settings/passkeys');
    const page = await client.get('/settings/passkeys');
    assert.match(page.body, /The passkey was renamed\./);
    assert.match(page.body, /<h3>New name<\/h3>/);
    assert.equal((await client.postForm('/settings/passkeys/rename', { passkey_id: credentialId, name: ' \u0000 ' })).status, 400);
    assert.equal((await client.postJson('/api/v1/passkeys/rename', { id: credentialId, name: 'API name' })).status, 204);
    assert.equal((await eventsOf('passkey.renamed', id)).length, 2);
    const removed = await client.postForm('/settings/passkeys/remove', { passkey_id: credentialId });
    assert.equal(removed.status, 303);
    assert.match((await client.get('/settings/passkeys')).body, /You have no passkeys yet\./);
    assert.equal((await eventsOf('passkey.removed', id)).length, 1);
    await server.mail.runOnce();
    assert.ok(mailKindsTo(email).includes('passkey-removed'));
    const { visitor, options } = await signInOptions();
    assert.equal((await pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options) })).status, 401);
  });

  test('adding and removing need a recent authentication: past SUDO_SECONDS, /sudo first (pages) or reauthentication_required (API)', async () => {
    const { client, authenticator } = await withPasskey('sudo');
    const credentialId = b64url(authenticator.credentialId);
    await client.get('/settings/passkeys');
    const csrf = client.lastCsrf!;
    later(SUDO + 1);
    const page = await client.get('/settings/passkeys');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/sudo?next=%2Fsettings%2Fpasskeys');
    const remove = await client.postForm('/settings/passkeys/remove', { csrf_token: csrf, passkey_id: credentialId }, { referer: `${server.url}/settings/passkeys` });
    assert.equal(remove.status, 303);
    assert.equal(remove.location, '/sudo?next=%2Fsettings%2Fpasskeys');
    const scriptCall = await client.request('POST', '/settings/passkeys/options', { body: '{}', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, referer: `${server.url}/settings/passkeys` } });
    assert.equal(scriptCall.status, 303, 'the script follows this to /sudo');
    for (const url of ['/api/v1/passkeys/registration/options', '/api/v1/passkeys/remove']) {
      const refused = await client.postJson(url, url.endsWith('remove') ? { id: credentialId } : {});
      assert.equal(refused.status, 403, url);
      assert.equal(refused.json().error, 'reauthentication_required', url);
    }
    assert.equal((await client.get('/api/v1/passkeys')).json().passkeys.length, 1, 'nothing removed');
    // Renaming is not sensitive.
    assert.equal((await client.postJson('/api/v1/passkeys/rename', { id: credentialId, name: 'Still mine' })).status, 204);
    // Without a CSRF token nothing happens at all.
    const forged = await client.request('POST', '/login/passkey/options', { body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(forged.status, 403);
    assert.equal(forged.json().error, 'csrf_failed');
  });

  test('as the second step after a password: the pending account’s own passkeys only, then a session recorded pwd hwk mfa', async () => {
    const owner = await withPasskey('second');
    const stranger = await withPasskey('second-other');
    await enableTotp(owner.username);
    // Without a pending sign-in there is nothing to prove.
    const nobody = new TestClient(server.url);
    await nobody.get('/login');
    const none = await pageJson(nobody, '/login/two-factor/passkey/options', {});
    assert.equal(none.status, 401);
    // Another account's passkey does not pass this account's step.
    const tried = await atSecondStep(owner.username);
    const options = (await pageJson(tried, '/login/two-factor/passkey/options', {})).json();
    assert.deepEqual(options.allowCredentials.map((c: { id: string }) => c.id), [b64url(owner.authenticator.credentialId)]);
    const wrongKey = await pageJson(tried, '/login/two-factor/passkey/verify', { response: stranger.authenticator.assert(options) });
    assert.equal(wrongKey.status, 401, wrongKey.body);
    // The owner's passkey completes it; the pending sign-in is used up.
    const client = await atSecondStep(owner.username);
    const mine = (await pageJson(client, '/login/two-factor/passkey/options', {})).json();
    const done = await pageJson(client, '/login/two-factor/passkey/verify', { response: owner.authenticator.assert(mine) });
    assert.equal(done.status, 200, done.body);
    assert.equal(done.json().redirect, '/dashboard');
    assert.equal(client.cookies.has('gatehouse_pending'), false, 'the pending cookie is cleared');
    const live = await server.deps.sessions.validateSessionToken(client.cookies.get('gatehouse_session')!);
    assert.deepEqual(live?.session.authMethods, ['pwd', 'hwk', 'mfa']);
    assert.equal((await client.get('/dashboard')).status, 200);
    const failures = (await eventsOf('login.failed', await userIdOf(owner.username))).map((row) => JSON.parse(row.details).reason);
    assert.ok(failures.includes('second_factor_failed'), `failures: ${failures}`);
  });

  test('the API twin of the passkey second step', async () => {
    const { username, authenticator } = await withPasskey('second-api');
    await enableTotp(username);
    const client = new TestClient(server.url);
    const login = await client.postJson('/api/v1/login', { username, password: GOOD_PASSWORD });
    assert.equal(login.status, 202, login.body);
    const options = await client.postJson('/api/v1/login/two-factor/passkey/options', {});
    assert.equal(options.status, 200, options.body);
    const done = await client.postJson('/api/v1/login/two-factor/passkey/verify', { response: authenticator.assert(options.json()) });
    assert.equal(done.status, 200, done.body);
    assert.equal(done.json().user.username, username);
    const again = await client.postJson('/api/v1/login/two-factor/passkey/options', {}, { 'x-csrf-token': done.json().csrfToken });
    assert.equal(again.status, 401, 'the pending sign-in was used up');
  });

  test('a disabled account does not sign in with its passkey', async () => {
    const { username, authenticator } = await withPasskey('disabled');
    await server.deps.users.setDisabled(await userIdOf(username), true);
    const { visitor, options } = await signInOptions();
    const refused = await pageJson(visitor, '/login/passkey/verify', { response: authenticator.assert(options) });
    assert.equal(refused.status, 401);
  });

  test('the login page offers "Sign in with a passkey" and autofill of passkeys on the username field', async () => {
    const page = await new TestClient(server.url).get('/login');
    assert.match(page.body, /<button type="button" data-passkey-start>Sign in with a passkey<\/button>/);
    assert.match(page.body, /autocomplete="username webauthn"/);
    assert.match(page.body, /<script src="\/static\/passkeys\.js\?v=[0-9a-f]{16}" defer><\/script>/);
    const es = await new TestClient(server.url).get('/login?lang=es');
    assert.match(es.body, /Iniciar sesión con una llave de acceso/);
  });
});
