// Property: what an account's stored password is does not show in how long a failed
// sign-in takes. With production argon2id parameters (m=19456, t=2, p=1), verifying a wrong
// password against a real argon2id hash, an unusable marker (`!…`), the Flask demo's
// plaintext row, a malformed hash, a hash whose pepper version is gone, or an argon2id hash
// at weaker parameters takes the same time as the unknown-user path (`verifyPassword(null)`,
// `verifyDummy`): each is one argon2id verification at the live parameters, none an early
// `return false` (ASVS v5.0.0-6.3.8: valid users cannot be deduced from response times; an
// L3 item, met here beyond the L2 target; issue #8).
// Not equalised, by decision (hasher.ts header): a werkzeug hash not yet migrated costs its
// own KDF, several times an argon2id verification. Those arms are measured and printed, and
// only asserted never to be cheaper than the unknown-user path.
// Statistics as in enumeration.test.ts: interleaved rounds in a rotating order, per-round
// ratios against the unknown-user path, medians.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { createPasswordHasher, identifyHash, makeUnusablePassword, type PasswordHasher } from '../../src/domain/passwords/hasher.ts';
import { measureRounds } from '../helpers/timing.ts';

const PRODUCTION = { memoryCostKib: 19456, timeCost: 2, parallelism: 1, hashConcurrency: 1, hashQueueLimit: 16 };
const RIGHT_PASSWORD = 'the right password for this account';
const WRONG_PASSWORD = 'definitely not the password';

let hasher: PasswordHasher;
let argon2Hash: string;
let weakerArgon2Hash: string;
let flask: Record<string, string>;

before(async () => {
  hasher = await createPasswordHasher(PRODUCTION);
  argon2Hash = await hasher.hashPassword(RIGHT_PASSWORD);
  const older = await createPasswordHasher({ ...PRODUCTION, memoryCostKib: 4096, timeCost: 1 });
  weakerArgon2Hash = await older.hashPassword(RIGHT_PASSWORD);
  await older.close();
  const db = new Database('/work/shared/fixtures/flask-demo-users.db', { readonly: true, fileMustExist: true });
  const rows = db.prepare('SELECT username, password FROM users').all() as Array<{ username: string; password: string }>;
  db.close();
  flask = Object.fromEntries(rows.map((row) => [row.username, row.password]));
});
after(() => hasher.close());

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

test('every kind of stored password costs one argon2id verification, like an unknown user', async (t) => {
  const marker = makeUnusablePassword();
  const malformed = argon2Hash.slice(0, argon2Hash.lastIndexOf('$') + 5);
  const stalePepper = argon2Hash.replace(',p=1$', ',p=1,keyid=/w$');
  assert.deepEqual(
    [marker, flask.legacy, malformed, stalePepper, weakerArgon2Hash].map(identifyHash),
    ['unusable', 'unusable', 'unusable', 'argon2id', 'argon2id'],
  );
  const arms = {
    unknown: () => timed(() => hasher.verifyPassword(null, WRONG_PASSWORD)),
    verifyDummy: () => timed(() => hasher.verifyDummy(WRONG_PASSWORD)),
    wrongPassword: () => timed(() => hasher.verifyPassword(argon2Hash, WRONG_PASSWORD)),
    unusable: () => timed(() => hasher.verifyPassword(marker, WRONG_PASSWORD)),
    plaintextRow: () => timed(() => hasher.verifyPassword(flask.legacy!, 'admin123')),
    malformed: () => timed(() => hasher.verifyPassword(malformed, WRONG_PASSWORD)),
    stalePepper: () => timed(() => hasher.verifyPassword(stalePepper, RIGHT_PASSWORD)),
    weakerArgon2: () => timed(() => hasher.verifyPassword(weakerArgon2Hash, WRONG_PASSWORD)),
    werkzeugPbkdf2: () => timed(() => hasher.verifyPassword(flask.maria!, WRONG_PASSWORD)),
    werkzeugScrypt: () => timed(() => hasher.verifyPassword(flask.jorge!, WRONG_PASSWORD)),
    // No hashing at all: the floor an early `return false` would fall to.
    noHash: () => timed(async () => identifyHash(marker)),
  };
  const { medians: m, summary, ratio: ratioOf } = await measureRounds(arms);
  t.diagnostic(`medians: ${summary}`);

  // The measurement must be able to see a skipped hash, or the comparison proves nothing.
  assert.ok(m.unknown > 3 * m.noHash && m.unknown - m.noHash > 5, `a hash is not measurable: ${summary}`);
  const ratioToUnknown = (arm: keyof typeof arms) => ratioOf(arm, 'unknown');
  for (const arm of ['verifyDummy', 'wrongPassword', 'unusable', 'plaintextRow', 'malformed', 'stalePepper', 'weakerArgon2'] as const) {
    const ratio = ratioToUnknown(arm);
    t.diagnostic(`median ${arm} / unknown = ${ratio.toFixed(2)}`);
    assert.ok(ratio > 0.67 && ratio < 1.5, `${arm} / unknown = ${ratio.toFixed(2)}: ${summary}`);
  }
  // Known and documented to be dearer (hasher.ts); never a fast path.
  for (const arm of ['werkzeugPbkdf2', 'werkzeugScrypt'] as const) {
    const ratio = ratioToUnknown(arm);
    t.diagnostic(`median ${arm} / unknown = ${ratio.toFixed(2)} (+${(m[arm] - m.unknown).toFixed(1)} ms, not equalised)`);
    assert.ok(ratio > 0.67, `${arm} / unknown = ${ratio.toFixed(2)}: ${summary}`);
  }
});
