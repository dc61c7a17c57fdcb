/**
 * argon2id hashing with the real @node-rs/argon2 at low cost (m = 1024 KiB, t = 1, p = 1),
 * production parameters asserted once: passwords are never truncated (unlike bcrypt's 72
 * bytes), NFKC-normalised alike at hashing and verification, re-hashed when parameters or
 * the pepper version change, and a peppered hash is useless without its pepper.
 * The stored string's algorithm is identified and dispatched on (Django's identify_hasher):
 * werkzeug hashes imported from the Flask demo verify and need a rehash; null, unusable
 * markers and malformed hashes never verify, yet each queues one argon2id verification, like
 * a real one (the timing itself: test/attacks/enumeration-hash-kinds.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { loadConfig } from '../../config.ts';
import {
  createPasswordHasher,
  identifyHash,
  makeUnusablePassword,
  readArgon2Parameters,
  readPepperVersion,
  UNUSABLE_PASSWORD_PREFIX,
  type HasherOptions,
} from './hasher.ts';

const LOW_COST: HasherOptions = {
  memoryCostKib: 1024,
  timeCost: 1,
  parallelism: 1,
  hashConcurrency: 2,
  hashQueueLimit: 16,
};
const PEPPER_A = 'pepper-A-0123456789abcdefghijklmnopqrstuv';
const PEPPER_B = 'pepper-B-0123456789abcdefghijklmnopqrstuv';
const PASSWORD = 'Ωμέγα λύκος τρέχει στο δάσος';

test('production parameters by default: argon2id, m=19456, t=2, p=1, no pepper', async () => {
  const hasher = await createPasswordHasher(loadConfig({}).passwords);
  const phc = await hasher.hashPassword(PASSWORD);
  assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await hasher.verifyPassword(phc, PASSWORD), true);
});

test('a password longer than 72 bytes is not truncated: a different tail does not verify', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  const head = 'é'.repeat(40); // 80 bytes of UTF-8, past bcrypt's 72-byte cut-off
  const phc = await hasher.hashPassword(`${head}-tail-one`);
  assert.ok(Buffer.byteLength(`${head}-tail-one`) > 72);
  assert.equal(await hasher.verifyPassword(phc, `${head}-tail-one`), true);
  assert.equal(await hasher.verifyPassword(phc, `${head}-tail-two`), false);
  assert.equal(await hasher.verifyPassword(phc, head), false);
});

test('NFKC at hashing and verification: full-width and decomposed forms verify', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  const phc = await hasher.hashPassword('Café password ﬁne');
  assert.equal(await hasher.verifyPassword(phc, 'Cafe\u0301 password fine'), true);
  assert.equal(await hasher.verifyPassword(phc, 'Ｃａｆé password ﬁne'), true);
  assert.equal(await hasher.verifyPassword(phc, 'Cafe password fine'), false);
});

test('needsRehash when the argon2 parameters change, not otherwise', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  const phc = await hasher.hashPassword(PASSWORD);
  assert.equal(hasher.needsRehash(phc), false);
  for (const change of [{ timeCost: 2 }, { memoryCostKib: 2048 }, { parallelism: 2 }]) {
    const stronger = await createPasswordHasher({ ...LOW_COST, ...change });
    assert.equal(stronger.needsRehash(phc), true, JSON.stringify(change));
    assert.equal(await stronger.verifyPassword(phc, PASSWORD), true);
  }
  assert.equal(hasher.needsRehash('pbkdf2:sha256:600000$salt$hash'), true);
});

test('a peppered hash records its version and does not verify without its pepper', async () => {
  const peppered = await createPasswordHasher({ ...LOW_COST, pepper: PEPPER_A, pepperVersion: 1 });
  const phc = await peppered.hashPassword(PASSWORD);
  assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=1,p=1,keyid=AQ\$/);
  assert.equal(readPepperVersion(phc), 1);
  assert.deepEqual(readArgon2Parameters(phc), { m: 1024, t: 1, p: 1 });
  assert.equal(await peppered.verifyPassword(phc, PASSWORD), true);

  const unpeppered = await createPasswordHasher(LOW_COST);
  assert.equal(await unpeppered.verifyPassword(phc, PASSWORD), false);
  // Without the keyid bookkeeping too: the pepper really entered argon2id.
  assert.equal(await unpeppered.verifyPassword(phc.replace(',keyid=AQ', ''), PASSWORD), false);
  const otherPepper = await createPasswordHasher({ ...LOW_COST, pepper: PEPPER_B, pepperVersion: 1 });
  assert.equal(await otherPepper.verifyPassword(phc, PASSWORD), false);
  // A keyid the hasher has no pepper for never verifies, even on an unpeppered hash.
  const plainHash = await unpeppered.hashPassword(PASSWORD);
  assert.equal(await unpeppered.verifyPassword(plainHash.replace(',p=1$', ',p=1,keyid=/w$'), PASSWORD), false);
});

test('pepper rotation: old hashes verify through PASSWORD_PEPPER_PREVIOUS and need a rehash', async () => {
  const before = await createPasswordHasher({ ...LOW_COST, pepper: PEPPER_A, pepperVersion: 1 });
  const oldHash = await before.hashPassword(PASSWORD);
  const after = await createPasswordHasher({
    ...LOW_COST,
    pepper: PEPPER_B,
    pepperVersion: 2,
    previousPeppers: { 1: PEPPER_A },
  });
  assert.equal(await after.verifyPassword(oldHash, PASSWORD), true);
  assert.equal(after.needsRehash(oldHash), true);
  const newHash = await after.hashPassword(PASSWORD);
  assert.equal(readPepperVersion(newHash), 2);
  assert.equal(after.needsRehash(newHash), false);
  assert.equal(await before.verifyPassword(newHash, PASSWORD), false);
});

test('introducing a pepper keeps unpeppered hashes working until their rehash', async () => {
  const plainHash = await (await createPasswordHasher(LOW_COST)).hashPassword(PASSWORD);
  const peppered = await createPasswordHasher({ ...LOW_COST, pepper: PEPPER_A });
  assert.equal(await peppered.verifyPassword(plainHash, PASSWORD), true);
  assert.equal(peppered.needsRehash(plainHash), true);
  assert.equal(readPepperVersion(await peppered.hashPassword(PASSWORD)), 1);
});

test('malformed or foreign hashes are a mismatch, never an exception', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  for (const bad of ['', 'not-a-hash', '$argon2id$v=19$m=1024,t=1,p=1$', '$argon2id$v=19$m=1024,t=1,p=1,keyid=/w$c2FsdHNhbHQ$aGFzaA']) {
    assert.equal(await hasher.verifyPassword(bad, PASSWORD), false, bad);
  }
});

test('pepper settings come from the environment; bad ones fail at start naming the setting', async () => {
  const env = {
    PASSWORD_PEPPER: PEPPER_B,
    PASSWORD_PEPPER_VERSION: '2',
    PASSWORD_PEPPER_PREVIOUS: `1:${PEPPER_A}`,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
  };
  const passwords = loadConfig(env).passwords;
  assert.deepEqual([passwords.pepperVersion, passwords.previousPeppers], [2, { 1: PEPPER_A }]);
  const oldHash = await (await createPasswordHasher({ ...LOW_COST, pepper: PEPPER_A })).hashPassword(PASSWORD);
  assert.equal(await (await createPasswordHasher(passwords)).verifyPassword(oldHash, PASSWORD), true);
  assert.equal(loadConfig({ PASSWORD_PEPPER: '' }).passwords.pepper, undefined);
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ PASSWORD_PEPPER: 'short' }, /^PASSWORD_PEPPER: /],
    [{ PASSWORD_PEPPER: PEPPER_A, SECRET_KEY: PEPPER_A }, /^PASSWORD_PEPPER: must differ from SECRET_KEY$/],
    [{ PASSWORD_PEPPER: PEPPER_A, PASSWORD_PEPPER_PREVIOUS: `1:${PEPPER_B}` }, /^PASSWORD_PEPPER_PREVIOUS: version 1/],
    [{ PASSWORD_PEPPER_PREVIOUS: PEPPER_B }, /^PASSWORD_PEPPER_PREVIOUS: each entry/],
    [{ PASSWORD_PEPPER_VERSION: '256' }, /^PASSWORD_PEPPER_VERSION: /],
  ];
  for (const [bad, line] of refused) assert.throws(() => loadConfig(bad), { message: line }, JSON.stringify(bad));
});

function readFlaskDemoHashes(): Record<string, string> {
  const db = new Database('/work/shared/fixtures/flask-demo-users.db', { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT username, password FROM users').all() as Array<{ username: string; password: string }>;
    return Object.fromEntries(rows.map((row) => [row.username, row.password]));
  } finally {
    db.close();
  }
}

const ARGON2_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZXhhbXBsZWhhc2hleGFtcGxlaGFzaGV4YW1wbGVoYXNo';

test('identifyHash names the algorithm from the stored string; anything else is unusable', () => {
  const flask = readFlaskDemoHashes();
  const kinds: Array<[string | null | undefined, string]> = [
    [ARGON2_HASH, 'argon2id'],
    [ARGON2_HASH.replace(',p=1$', ',p=1,keyid=AQ$'), 'argon2id'],
    [flask.admin, 'werkzeug-pbkdf2'],
    [flask.maria, 'werkzeug-pbkdf2'],
    [flask.jorge, 'werkzeug-scrypt'],
    [flask.legacy, 'unusable'], // plaintext from the demo's vulnerable variant
    [null, 'unusable'],
    [undefined, 'unusable'],
    ['', 'unusable'],
    [UNUSABLE_PASSWORD_PREFIX, 'unusable'],
    [makeUnusablePassword(), 'unusable'],
    [`!${ARGON2_HASH}`, 'unusable'], // Django-style disabling of a real hash
    [`!${flask.maria}`, 'unusable'],
    ['$argon2id$v=19$m=1024,t=1,p=1$', 'unusable'],
    [ARGON2_HASH.slice(0, -50), 'unusable'], // hash cut below 12 bytes
    [ARGON2_HASH.replace('v=19', 'v=16'), 'unusable'],
    [ARGON2_HASH.replace('$argon2id$', '$argon2i$'), 'unusable'], // Gatehouse never made one
    [ARGON2_HASH.replace('m=19456', 'm=99999999'), 'unusable'], // beyond what ARGON2_MEMORY_KIB accepts
    [ARGON2_HASH.replace('t=2', 't=101'), 'unusable'],
    [ARGON2_HASH.replace('p=1', 'p=0'), 'unusable'],
    [ARGON2_HASH.replace('c29tZXNhbHRzb21lc2FsdA', 'c29tZXNhbHRzb21lc2Fsd'), 'unusable'], // 21 base64 chars: no byte count gives that
    [flask.maria!.replace('600000', '99000000'), 'unusable'],
    [flask.jorge!.replace('32768', '2097152'), 'unusable'],
    ['pbkdf2:sha256$salt$abcd', 'unusable'],
    ['bcrypt$2b$12$abcdefghijklmnopqrstuv', 'unusable'],
  ];
  for (const [stored, kind] of kinds) assert.equal(identifyHash(stored), kind, String(stored));
});

test('makeUnusablePassword: the marker prefix and random bits, a different string every time', () => {
  const markers = new Set(Array.from({ length: 50 }, makeUnusablePassword));
  assert.equal(markers.size, 50);
  for (const marker of markers) assert.match(marker, /^![A-Za-z0-9_-]{40}$/);
});

test('werkzeug hashes from the Flask demo verify through the hasher and always need a rehash', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  const flask = readFlaskDemoHashes();
  const passwords = { admin: 'admin123', usuario: 'password123', maria: 'Montaña-azul-2024', jorge: 'cielo estrellado sobre el mar' };
  for (const [username, password] of Object.entries(passwords)) {
    assert.equal(await hasher.verifyPassword(flask[username]!, password), true, username);
    assert.equal(await hasher.verifyPassword(flask[username]!, `${password}!`), false, username);
    assert.equal(hasher.needsRehash(flask[username]!), true, username);
  }
  // werkzeug hashed what it received: no NFKC for these (argon2id hashes are normalised).
  assert.equal(await hasher.verifyPassword(flask.maria!, 'Montaña-azul-2024'.normalize('NFD')), false);
  // The re-hash is argon2id at the live parameters, which then needs no further rehash.
  const rehashed = await hasher.hashPassword(passwords.maria);
  assert.equal(identifyHash(rehashed), 'argon2id');
  assert.equal(hasher.needsRehash(rehashed), false);
  assert.equal(await hasher.verifyPassword(rehashed, passwords.maria), true);
  await hasher.close();
});

test('null, unusable, plaintext and malformed hashes never verify, and each costs one argon2id verification', async () => {
  const hasher = await createPasswordHasher(LOW_COST);
  const flask = readFlaskDemoHashes();
  const marker = makeUnusablePassword();
  const cases: Array<[string | null, string]> = [
    [null, PASSWORD],
    [null, ''],
    [marker, marker], // the marker itself is no password
    [marker, marker.slice(1)],
    [UNUSABLE_PASSWORD_PREFIX, ''],
    [flask.legacy!, 'admin123'], // the plaintext row, with its own text
    ['$argon2id$v=19$m=1024,t=1,p=1$', PASSWORD],
    ['not-a-hash', 'not-a-hash'],
  ];
  for (const [stored, password] of cases) {
    const verifying = hasher.verifyPassword(stored, password);
    // The work is queued on the hashing pool, as for a real hash: no early return.
    assert.equal(hasher.pending, 1, `${stored}: no argon2id work queued`);
    assert.equal(await verifying, false, `${stored} / ${password}`);
    assert.equal(hasher.needsRehash(stored), true, String(stored));
  }
  const dummy = hasher.verifyDummy(PASSWORD);
  assert.equal(hasher.pending, 1);
  assert.equal(await dummy, undefined);
  await hasher.close();
});

test('werkzeug verification shares the bounded hashing queue: beyond it, service_unavailable', async () => {
  const hasher = await createPasswordHasher({ ...LOW_COST, hashConcurrency: 1, hashQueueLimit: 1 });
  const flask = readFlaskDemoHashes();
  const running = [hasher.verifyPassword(flask.maria!, 'wrong'), hasher.verifyPassword(flask.jorge!, 'wrong')];
  assert.equal(hasher.pending, 2);
  for (const stored of [flask.admin!, null, ARGON2_HASH]) {
    await assert.rejects(hasher.verifyPassword(stored, 'wrong'), { name: 'AuthError', code: 'service_unavailable' }, String(stored));
  }
  assert.deepEqual(await Promise.all(running), [false, false]);
  assert.equal(hasher.pending, 0);
  assert.equal(await hasher.verifyPassword(flask.admin!, 'admin123'), true);
  await hasher.close();
});
