// RFC 6238 Appendix B test vectors (SHA-1 seed "12345678901234567890"), at six digits (the
// last six of the RFC's eight: TOTP truncation is the same), the ±1-step window, and
// recovery-code shape (ASVS v5.0.0-6.5.2: ≥ 20 bits; these are 50).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.ts';
import { codeAt, matchingStep, newTotpSecret, stepAt } from './totp.ts';

// base32 of the ASCII seed "12345678901234567890".
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('RFC 6238 vectors (SHA-1), six digits', () => {
  const vectors: Array<[number, string]> = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ];
  for (const [seconds, code] of vectors) {
    assert.equal(codeAt(RFC_SECRET, seconds * 1000), code, `T=${seconds}`);
    assert.equal(matchingStep(RFC_SECRET, code, seconds * 1000), stepAt(seconds * 1000));
  }
});

test('a code matches its own step and one either side, and no further', () => {
  const now = 1_700_000_000_000;
  const secret = newTotpSecret();
  assert.equal(secret.length, 32, '160 bits in base32');
  assert.equal(matchingStep(secret, codeAt(secret, now - 30_000), now), stepAt(now) - 1);
  assert.equal(matchingStep(secret, codeAt(secret, now + 30_000), now), stepAt(now) + 1);
  assert.equal(matchingStep(secret, codeAt(secret, now - 60_000), now), undefined);
  assert.equal(matchingStep(secret, codeAt(secret, now + 60_000), now), undefined);
  assert.equal(matchingStep(secret, ` ${codeAt(secret, now).slice(0, 3)} ${codeAt(secret, now).slice(3)} `, now), stepAt(now), 'spaces are ignored');
  assert.equal(matchingStep(secret, 'abcdef', now), undefined);
});

test('recovery codes: ten, distinct, 50 bits each, forgiving to type, hashed', () => {
  const codes = newRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  const [first] = codes as [string];
  assert.equal(normalizeRecoveryCode(first.toUpperCase().replace('-', ' ')), first.replace('-', ''));
  assert.equal(recoveryCodeHash(first), recoveryCodeHash(first.toUpperCase()));
  assert.notEqual(recoveryCodeHash(first), recoveryCodeHash(codes[1]!));
  assert.equal(normalizeRecoveryCode('too-short'), undefined);
  assert.equal(normalizeRecoveryCode('iiiii-lllll'), undefined, 'look-alike letters are not in the alphabet');
});
