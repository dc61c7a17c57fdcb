/**
 * Werkzeug password hashes, as the Flask "Auth Security Demo" stored them, verified so that
 * imported users can sign in once with their old password and be re-hashed to argon2id
 * (Django's `must_update`; ASVS v5.0.0-11.2.2 crypto agility, v5.0.0-11.4.2 current KDF).
 *
 * Format `method$salt$hex` (werkzeug.security.generate_password_hash):
 *   pbkdf2:<hash>:<iterations>$<salt>$<hex>   PBKDF2-HMAC-<hash>, dklen = the digest size
 *   scrypt:<n>:<r>:<p>$<salt>$<hex>            scrypt, 64-byte key; bare `scrypt` = 32768:8:1
 * The salt is the ASCII string itself (its UTF-8 bytes, not decoded); the password is hashed
 * as its UTF-8 bytes, unnormalised (werkzeug never applied NFKC).
 *
 * A stored row is input: parameters are bounded (below) so that a hostile or corrupt row can
 * pin neither a CPU nor memory (ASVS v5.0.0-15.2.2). Anything unparseable or out of bounds is
 * `undefined` here, which the hasher treats as an unusable password. werkzeug's older
 * `pbkdf2:<hash>` without iterations is refused too: its meaning changed with each werkzeug
 * release (the default count), so no single reading of it is right.
 *
 * Verification blocks its thread for the KDF's whole run (on the shared 2-vCPU machine, when
 * quiet: 80–100 ms for pbkdf2-sha256 at 600,000 iterations, 70–90 ms for scrypt 32768:8:1),
 * so the hasher runs it on the hashing worker threads (argon2-worker.cjs), behind the same
 * bounded queue and at the same low CPU priority as argon2id, never on the event loop.
 */
import { pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';

export type WerkzeugHash =
  | { method: 'pbkdf2'; digest: Pbkdf2Digest; iterations: number; salt: string; key: Buffer }
  | { method: 'scrypt'; n: number; r: number; p: number; salt: string; key: Buffer };

/** hashlib names werkzeug accepts that are still fit for PBKDF2, with their output size in bytes. */
const PBKDF2_DIGEST_BYTES = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;
type Pbkdf2Digest = keyof typeof PBKDF2_DIGEST_BYTES;

/**
 * The largest cost a stored werkzeug hash may ask for. pbkdf2: 10 million iterations is about
 * 1.5 s of one core (werkzeug 3.1's default is 1 million). scrypt: memory is 128·n·r bytes,
 * at most 256 MiB (werkzeug's default needs 32 MiB), and work n·r·p at most 32 × the default.
 */
export const WERKZEUG_LIMITS = {
  maxPbkdf2Iterations: 10_000_000,
  maxScryptN: 2 ** 20,
  maxScryptMemoryBytes: 256 * 1024 * 1024,
  maxScryptWork: 32 * 32768 * 8,
  maxSaltLength: 128,
} as const;

const SCRYPT_KEY_BYTES = 64;
const SCRYPT_DEFAULT = { n: 32768, r: 8, p: 1 };

const HASH_PATTERN = /^(pbkdf2:[a-z0-9]+:\d{1,9}|scrypt(?::\d{1,8}:\d{1,4}:\d{1,4})?)\$([!-#%-~]+)\$([0-9a-f]+)$/;

/** True when `stored` looks like a werkzeug hash of a method this module knows (bounds aside). */
export function looksLikeWerkzeugHash(stored: string): boolean {
  return stored.startsWith('pbkdf2:') || stored.startsWith('scrypt:') || stored.startsWith('scrypt$');
}

/** Parses and bounds-checks a werkzeug hash; undefined when malformed or out of bounds. Never throws. */
export function parseWerkzeugHash(stored: string): WerkzeugHash | undefined {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return undefined;
  const [, method, salt, hex] = match as unknown as [string, string, string, string];
  if (salt.length > WERKZEUG_LIMITS.maxSaltLength || hex.length % 2 !== 0) return undefined;
  const key = Buffer.from(hex, 'hex');
  const parts = method.split(':');

  if (parts[0] === 'pbkdf2') {
    const digest = parts[1]!;
    const iterations = Number(parts[2]);
    if (!Object.hasOwn(PBKDF2_DIGEST_BYTES, digest)) return undefined;
    if (iterations < 1 || iterations > WERKZEUG_LIMITS.maxPbkdf2Iterations) return undefined;
    if (key.length !== PBKDF2_DIGEST_BYTES[digest as Pbkdf2Digest]) return undefined;
    return { method: 'pbkdf2', digest: digest as Pbkdf2Digest, iterations, salt, key };
  }

  const [n, r, p] = parts.length === 1 ? [SCRYPT_DEFAULT.n, SCRYPT_DEFAULT.r, SCRYPT_DEFAULT.p] : parts.slice(1).map(Number);
  if (!isScryptCostAllowed(n!, r!, p!) || key.length !== SCRYPT_KEY_BYTES) return undefined;
  return { method: 'scrypt', n: n!, r: r!, p: p!, salt, key };
}

function isScryptCostAllowed(n: number, r: number, p: number): boolean {
  const powerOfTwo = n >= 2 && (n & (n - 1)) === 0;
  return (
    powerOfTwo &&
    // RFC 7914 §2: n < 2^(128·r/8); only r = 1 with n ≥ 65536 meets this within the other bounds.
    n < 2 ** (16 * r) &&
    n <= WERKZEUG_LIMITS.maxScryptN &&
    r >= 1 &&
    p >= 1 &&
    128 * n * r <= WERKZEUG_LIMITS.maxScryptMemoryBytes &&
    n * r * p <= WERKZEUG_LIMITS.maxScryptWork
  );
}

/** scrypt's working set (128·n·r) plus its per-lane buffers (128·r·p) and headroom. */
function scryptMaxmem(n: number, r: number, p: number): number {
  return 128 * n * r + 128 * r * p + 1024 * 1024;
}

/**
 * True when `password` (as received, unnormalised) derives the stored key; false for a
 * mismatch or a hash `parseWerkzeugHash` refuses. Compared with `timingSafeEqual`.
 * Throws only if node:crypto refuses parameters the bounds let through (none known). BLOCKS its thread for the KDF's run: call it from a hashing worker thread,
 * never on the event loop.
 */
export function verifyWerkzeugHashBlocking(stored: string, password: string): boolean {
  const hash = parseWerkzeugHash(stored);
  if (!hash) return false;
  const secret = Buffer.from(password, 'utf8');
  const salt = Buffer.from(hash.salt, 'utf8');
  const derived =
    hash.method === 'pbkdf2'
      ? pbkdf2Sync(secret, salt, hash.iterations, hash.key.length, hash.digest)
      : scryptSync(secret, salt, SCRYPT_KEY_BYTES, { N: hash.n, r: hash.r, p: hash.p, maxmem: scryptMaxmem(hash.n, hash.r, hash.p) });
  return timingSafeEqual(derived, hash.key);
}
