/**
 * SECRET_KEY: the root of every server-side key (CSRF tokens, flash cookies).
 *
 * Production requires it from the environment with at least 32 bytes (256 bits) of
 * estimated entropy; outside production a random key is generated once into
 * `<DATA_DIR>/secret.key` with mode 0600 and reused, so restarts keep sessions' CSRF tokens.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MIN_SECRET_BITS = 256;

const WEAK_SECRETS = new Set(['changeme', 'secret', 'password', 'development', 'dev-secret-key']);

/**
 * Conservative entropy estimate of a secret string, in bits. Hex counts 4 bits a character,
 * base64 6; other text log2 of the size of the character classes it uses. Few distinct
 * characters (`aaaa…`) or a known default counts as zero.
 */
export function estimateSecretBits(secret: string): number {
  const distinct = new Set(secret).size;
  if (WEAK_SECRETS.has(secret.toLowerCase()) || distinct < 12) return 0;
  if (/^[0-9a-f]+$/i.test(secret)) return secret.length * 4;
  // Base64 is credited 6 bits a character only when it looks random (all three classes);
  // a long lowercase phrase is words, not base64.
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(secret)).length;
  if (classes === 3 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)) return secret.replace(/=+$/, '').length * 6;
  let alphabet = 0;
  if (/[a-z]/.test(secret)) alphabet += 26;
  if (/[A-Z]/.test(secret)) alphabet += 26;
  if (/[0-9]/.test(secret)) alphabet += 10;
  if (/[^A-Za-z0-9]/.test(secret)) alphabet += 33;
  return Math.floor(secret.length * Math.log2(Math.max(alphabet, 2)));
}

export type SecretKeyResult =
  | { ok: true; key: string; source: 'environment' | 'file' | 'generated' }
  | { ok: false; reason: string; key: SecretKeyProblem; params: Record<string, string | number> };

/** Why no key could be had, as catalog keys (`secret.*`) for a reader's language; `reason` is the English line. */
export type SecretKeyProblem = 'secret.too_weak' | 'secret.required' | 'secret.unreadable' | 'secret.unwritable';

/** Resolves the secret key for this process; never throws for a missing or weak key. */
export function resolveSecretKey(options: {
  secretKey: string | undefined;
  production: boolean;
  dataDir: string;
}): SecretKeyResult {
  const { secretKey, production, dataDir } = options;
  if (secretKey !== undefined && secretKey !== '') {
    if (estimateSecretBits(secretKey) < MIN_SECRET_BITS) {
      return {
        ok: false,
        reason: `SECRET_KEY: too weak (under ${MIN_SECRET_BITS / 8} bytes of entropy); generate one with \`npx gatehouse secret\``,
        key: 'secret.too_weak',
        params: { bytes: MIN_SECRET_BITS / 8 },
      };
    }
    return { ok: true, key: secretKey, source: 'environment' };
  }
  if (production) {
    return { ok: false, reason: 'SECRET_KEY: required in production; generate one with `npx gatehouse secret`', key: 'secret.required', params: {} };
  }
  const file = path.join(dataDir, 'secret.key');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (estimateSecretBits(stored) >= MIN_SECRET_BITS) {
      chmodSync(file, 0o600);
      return { ok: true, key: stored, source: 'file' };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { ok: false, reason: `SECRET_KEY: cannot read ${file}: ${(error as Error).message}`, key: 'secret.unreadable', params: { file, detail: (error as Error).message } };
    }
  }
  const key = generateSecret();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    return { ok: false, reason: `SECRET_KEY: cannot write ${file}: ${(error as Error).message}`, key: 'secret.unwritable', params: { file, detail: (error as Error).message } };
  }
  return { ok: true, key, source: 'generated' };
}

/** A fresh 256-bit secret as 64 hex characters. */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * How `resolveSecretKey` would resolve the key, without writing anything (for `gatehouse
 * doctor`): source `generated` means none exists yet and the server would create one.
 */
export function inspectSecretKey(options: { secretKey: string | undefined; production: boolean; dataDir: string }): SecretKeyResult {
  const { secretKey, production, dataDir } = options;
  if ((secretKey !== undefined && secretKey !== '') || production) return resolveSecretKey(options);
  const file = path.join(dataDir, 'secret.key');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (estimateSecretBits(stored) >= MIN_SECRET_BITS) return { ok: true, key: stored, source: 'file' };
    return { ok: true, key: '', source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, key: '', source: 'generated' };
    return { ok: false, reason: `SECRET_KEY: cannot read ${file}: ${(error as Error).message}`, key: 'secret.unreadable', params: { file, detail: (error as Error).message } };
  }
}
