// Property: production runs only with a strong SECRET_KEY; development generates one, stores it 0600 and reuses it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { estimateSecretBits, generateSecret, MIN_SECRET_BITS, resolveSecretKey } from './secret-key.ts';

// Fixed vectors: 32 bytes as hex (64 characters) and as base64url (43 characters).
const HEX_256 = '3f8a1c9e5b7d2046e1f9a8c3b5d7e0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4';
const B64_256 = 'P4ocnlt9IEbh-ajDtdfg8qTG6LDS9KbI4LLU9qjA4rQ';

function withTempDir(run: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-secret-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('estimateSecretBits: hex counts 4 bits and base64url 6 bits a character', () => {
  assert.equal(estimateSecretBits(HEX_256), 256);
  assert.equal(estimateSecretBits(HEX_256.slice(0, 32)), 128);
  assert.equal(estimateSecretBits(B64_256), 258);
});

test('estimateSecretBits: known defaults and few distinct characters count as zero', () => {
  for (const weak of ['changeme', 'SECRET', 'password', 'development', 'dev-secret-key', 'a'.repeat(200), 'abab'.repeat(40)]) {
    assert.equal(estimateSecretBits(weak), 0, weak);
  }
});

test('estimateSecretBits: mixed text is credited by the character classes it uses', () => {
  // 40 characters over lower + upper + digits + symbols (95): floor(40 · log2 95) = 262.
  const mixed = 'Tr0ub4dor&3-horse!Battery#Staple?42x$Zq=';
  assert.equal(mixed.length, 40);
  assert.equal(estimateSecretBits(mixed), Math.floor(40 * Math.log2(95)));
});

test('estimateSecretBits: a long lowercase English phrase is not credited 256 bits', () => {
  // 45 lowercase letters: at most log2(26) ≈ 4.7 bits each even if random (211 bits), far less as words.
  const phrase = 'thisismysupersecretsessionkeyforgatehouseprod';
  assert.ok(estimateSecretBits(phrase) < MIN_SECRET_BITS, `${phrase} rated ${estimateSecretBits(phrase)} bits`);
});

test('generateSecret gives 64 fresh hex characters worth 256 bits', () => {
  const a = generateSecret();
  const b = generateSecret();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, b);
  assert.ok(estimateSecretBits(a) >= MIN_SECRET_BITS);
});

test('production without SECRET_KEY is refused with a reason naming it and how to make one', () => {
  withTempDir((dataDir) => {
    for (const secretKey of [undefined, '']) {
      const result = resolveSecretKey({ secretKey, production: true, dataDir });
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.reason, /^SECRET_KEY: required in production/);
        assert.match(result.reason, /gatehouse secret/);
      }
    }
    assert.throws(() => statSync(path.join(dataDir, 'secret.key')), /ENOENT/, 'production must not generate a key file');
  });
});

test('a weak SECRET_KEY is refused in production and outside it, without echoing the key', () => {
  withTempDir((dataDir) => {
    for (const production of [true, false]) {
      for (const secretKey of ['changeme', HEX_256.slice(0, 48), 'x'.repeat(100)]) {
        const result = resolveSecretKey({ secretKey, production, dataDir });
        assert.equal(result.ok, false, `${secretKey} production=${production}`);
        if (!result.ok) {
          assert.match(result.reason, /^SECRET_KEY: too weak/);
          assert.ok(!result.reason.includes(secretKey));
        }
      }
    }
  });
});

test('a strong SECRET_KEY is used as given', () => {
  withTempDir((dataDir) => {
    assert.deepEqual(resolveSecretKey({ secretKey: HEX_256, production: true, dataDir }), {
      ok: true,
      key: HEX_256,
      source: 'environment',
    });
  });
});

test('development generates <DATA_DIR>/secret.key with mode 0600 and reuses it on the next start', () => {
  withTempDir((root) => {
    const dataDir = path.join(root, 'nested', 'data');
    const first = resolveSecretKey({ secretKey: undefined, production: false, dataDir });
    assert.equal(first.ok, true);
    if (!first.ok) return;
    assert.equal(first.source, 'generated');
    assert.ok(estimateSecretBits(first.key) >= MIN_SECRET_BITS);
    const file = path.join(dataDir, 'secret.key');
    assert.equal(readFileSync(file, 'utf8').trim(), first.key);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const second = resolveSecretKey({ secretKey: undefined, production: false, dataDir });
    assert.deepEqual(second, { ok: true, key: first.key, source: 'file' });
  });
});

test('a reused key file with loose permissions is tightened to 0600', () => {
  withTempDir((dataDir) => {
    const file = path.join(dataDir, 'secret.key');
    writeFileSync(file, `${HEX_256}\n`);
    chmodSync(file, 0o644);
    const result = resolveSecretKey({ secretKey: undefined, production: false, dataDir });
    assert.deepEqual(result, { ok: true, key: HEX_256, source: 'file' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

test('a weak key file is replaced by a freshly generated strong key', () => {
  withTempDir((dataDir) => {
    const file = path.join(dataDir, 'secret.key');
    writeFileSync(file, 'changeme\n', { mode: 0o600 });
    const result = resolveSecretKey({ secretKey: undefined, production: false, dataDir });
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.source, 'generated');
    assert.notEqual(result.key, 'changeme');
    assert.equal(readFileSync(file, 'utf8').trim(), result.key);
  });
});
