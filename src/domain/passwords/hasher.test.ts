/**
 * argon2id hashing with the real @node-rs/argon2 at low cost (m = 1024 KiB, t = 1, p = 1),
 * production parameters asserted once: passwords are never truncated (unlike bcrypt's 72
 * bytes), NFKC-normalised alike at hashing and verification, re-hashed when parameters or
 * the pepper version change, and a peppered hash is useless without its pepper.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, type PasswordConfig } from '../../config.ts';
import { createPasswordHasher, readArgon2Parameters, readPepperVersion } from './hasher.ts';

const LOW_COST: PasswordConfig = {
  memoryCostKib: 1024,
  timeCost: 1,
  parallelism: 1,
  minLength: 12,
  maxLength: 256,
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
