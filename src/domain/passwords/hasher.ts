/**
 * Password hashing with argon2id (RFC 9106), OWASP parameters by default
 * (m = 19456 KiB, t = 2, p = 1). Parameters live in each PHC string, so raising them later
 * re-hashes users on their next correct sign-in (`needsRehash`).
 *
 * The stored string names its algorithm, and `verifyPassword` dispatches on it as Django's
 * `identify_hasher` does (`identifyHash`):
 *   argon2id          `$argon2id$v=19$m=…,t=…,p=…[,keyid=…]$salt$hash`, parameters in bounds
 *   werkzeug-pbkdf2   `pbkdf2:<hash>:<iterations>$salt$hex`  imported from the Flask demo
 *   werkzeug-scrypt   `scrypt:<n>:<r>:<p>$salt$hex`          (legacy-hashes.ts)
 *   unusable          null, empty, `!…` (makeUnusablePassword), plaintext, anything malformed
 *
 * Equal work (ASVS v5.0.0-6.3.8, issue #8): an unknown user (`verifyPassword(null, …)`), a
 * wrong password, an unusable or malformed hash and a hash whose pepper is gone each cost one
 * argon2id verification at the live parameters, so timing does not tell them apart. An
 * argon2id hash at weaker parameters than the live ones (made before they were raised) also
 * runs the dummy verification after a mismatch (Django's `harden_runtime`), so it costs at
 * least as much as the others.
 *
 * What stays distinguishable: a werkzeug account not yet migrated costs its own KDF, which is
 * dearer than argon2id. Measured through this hasher on the shared 2-vCPU machine (eight runs,
 * medians of 21–22 interleaved rounds, one hashing thread, load average 2.5–7, so ratios mean
 * more than milliseconds): argon2id at m=19456,t=2,p=1 takes 9–11 ms (up to 35 ms under the
 * heaviest load); against it, pbkdf2-sha256 at 600,000 iterations (werkzeug 2.3) costs
 * 6.7–10.4× (+63 to +251 ms), scrypt 32768:8:1 (werkzeug 3) 6.5–9.9× (+60 to +315 ms), and
 * pbkdf2-sha256 at 260,000 (werkzeug 2.2; four runs) 3.0–4.6× (+31 to +72 ms). Equalising
 * would mean making every sign-in cost the dearest imported hash: about 9× the CPU for every
 * user's sign-in, a ninth of the throughput. Running the dummy argon2id after the legacy KDF as
 * well would only widen the gap. So a timing attacker can tell "imported and not signed in
 * since" from "unknown" by tens of milliseconds, one request each. This goes away at the
 * account's first correct sign-in, when the account is re-hashed to argon2id (login.ts,
 * `needsRehash`). An account that never signs in again keeps it until an operator makes it
 * unusable (reset required).
 *
 * Hashing runs on a pool of low-priority worker threads sized to the cores, behind a bounded
 * queue (argon2-pool.ts), never on the event loop; werkzeug verification runs there too, so it
 * shares the same bound (503 when full). Passwords are NFKC-normalised first for argon2id
 * (NIST SP 800-63B §5.1.1.2) and never truncated: argon2 takes the whole input. werkzeug
 * hashes get the password as received, as werkzeug hashed it.
 *
 * Pepper (optional; NIST SP 800-63B §5.1.1.2 secret salt, ASVS 2.4.5): a secret kept out
 * of the database, fed to argon2id's `secret` input. A peppered hash records the pepper's
 * version in the PHC `keyid` parameter (one byte, unpadded base64: version 1 is `keyid=AQ`):
 *   $argon2id$v=19$m=19456,t=2,p=1,keyid=AQ$<salt>$<hash>
 * Rotation: set the new PASSWORD_PEPPER with a new PASSWORD_PEPPER_VERSION and move the old
 * one to PASSWORD_PEPPER_PREVIOUS (`1:<old value>`); old hashes still verify, `needsRehash`
 * is true for them, so each is re-hashed with the new pepper at its next correct sign-in.
 * Drop an old pepper once no stored hash carries its keyid (those users must then reset).
 * Hashes without keyid were made without pepper and keep verifying after one is introduced.
 */
import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import { normalizePassword } from './normalize.ts';
import { createArgon2Pool } from './argon2-pool.ts';
import { looksLikeWerkzeugHash, parseWerkzeugHash } from './legacy-hashes.ts';

export { normalizePassword } from './normalize.ts';

/** The hasher's slice of the configuration (config.ts's PasswordConfig has these fields). */
export interface HasherOptions {
  /** argon2id memory in KiB, iterations and lanes (OWASP: m=19456, t=2, p=1). */
  memoryCostKib: number;
  timeCost: number;
  parallelism: number;
  /** argon2id `secret` input; absent: no pepper. */
  pepper?: string;
  /** Recorded in every hash made with `pepper` (1–255). Absent: 1. */
  pepperVersion?: number;
  /** Retired peppers by version, still verified (and re-hashed at sign-in). */
  previousPeppers?: Readonly<Record<number, string>>;
  /** Hashes running at once; beyond it up to `hashQueueLimit` wait, then `service_unavailable`. */
  hashConcurrency: number;
  hashQueueLimit: number;
}

export type HashKind = 'argon2id' | 'werkzeug-pbkdf2' | 'werkzeug-scrypt' | 'unusable';

/** Starts every unusable password (Django's UNUSABLE_PASSWORD_PREFIX): no password verifies against it. */
export const UNUSABLE_PASSWORD_PREFIX = '!';

/** An unusable password: the prefix and 240 random bits, so rows are not all alike. */
export function makeUnusablePassword(): string {
  return UNUSABLE_PASSWORD_PREFIX + randomBytes(30).toString('base64url');
}

export interface PasswordHasher {
  /** An argon2id PHC string at the live parameters and pepper. Throws `service_unavailable` when the queue is full. */
  hashPassword(password: string): Promise<string>;
  /**
   * True when `password` matches the stored hash, whatever its kind (`identifyHash`). False
   * for a mismatch, null (unknown user or no password), an unusable marker, a malformed or
   * out-of-bounds hash, or a pepper version no longer configured: each after the same work as
   * a real argon2id verification (werkzeug hashes: their own KDF, see the header). Throws only
   * `AuthError('service_unavailable')`, when the hashing queue is full.
   */
  verifyPassword(stored: string | null, password: string): Promise<boolean>;
  /** True unless the hash is argon2id at the live parameters and pepper version (werkzeug, unusable, null: true). */
  needsRehash(stored: string | null): boolean;
  /** Same work as a verification, for unknown users: `verifyPassword(null, password)`. Throws as it does. */
  verifyDummy(password: string): Promise<void>;
  /** Tasks hashing or waiting to hash. */
  readonly pending: number;
  /** Stops the hashing threads. */
  close(): Promise<void>;
}

// Bounds mirror what config.ts accepts for ARGON2_*, so a stored row cannot ask for more.
const PHC_PATTERN =
  /^(\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2}))(?:,keyid=([A-Za-z0-9+/]{2}))?(\$([A-Za-z0-9+/]{11,64})\$([A-Za-z0-9+/]{16,128}))$/;
const ARGON2_BOUNDS = { minMemoryKib: 8, maxMemoryKib: 4 * 1024 * 1024, maxTimeCost: 100, maxParallelism: 16 };

/** Reads m, t, p from `$argon2id$v=19$m=…,t=…,p=…[,keyid=…]$salt$hash`; undefined when not argon2id. */
export function readArgon2Parameters(passwordHash: string): { m: number; t: number; p: number } | undefined {
  const match = PHC_PATTERN.exec(passwordHash);
  if (!match) return undefined;
  return { m: Number(match[2]), t: Number(match[3]), p: Number(match[4]) };
}

/** The pepper version a hash records (its `keyid` byte); undefined for an unpeppered hash. */
export function readPepperVersion(passwordHash: string): number | undefined {
  const keyid = PHC_PATTERN.exec(passwordHash)?.[5];
  return keyid === undefined ? undefined : Buffer.from(keyid, 'base64')[0];
}

function isArgon2id(stored: string): boolean {
  const match = PHC_PATTERN.exec(stored);
  if (!match) return false;
  const [m, t, p] = [Number(match[2]), Number(match[3]), Number(match[4])];
  const unpaddedBase64 = (text: string) => text.length % 4 !== 1;
  return (
    m >= Math.max(ARGON2_BOUNDS.minMemoryKib, 8 * p) &&
    m <= ARGON2_BOUNDS.maxMemoryKib &&
    t >= 1 &&
    t <= ARGON2_BOUNDS.maxTimeCost &&
    p >= 1 &&
    p <= ARGON2_BOUNDS.maxParallelism &&
    unpaddedBase64(match[7]!) &&
    unpaddedBase64(match[8]!)
  );
}

/**
 * The algorithm a stored password string was made with. `unusable` for null, empty, the
 * `!` marker, plaintext and anything malformed or outside the accepted parameter bounds:
 * no password verifies against those. Never throws.
 */
export function identifyHash(stored: string | null | undefined): HashKind {
  if (!stored || stored.startsWith(UNUSABLE_PASSWORD_PREFIX)) return 'unusable';
  if (stored.startsWith('$argon2id$')) return isArgon2id(stored) ? 'argon2id' : 'unusable';
  if (looksLikeWerkzeugHash(stored)) {
    const parsed = parseWerkzeugHash(stored);
    if (parsed) return parsed.method === 'pbkdf2' ? 'werkzeug-pbkdf2' : 'werkzeug-scrypt';
  }
  return 'unusable';
}

/** The PHC string without its keyid, as argon2 itself knows it. */
function withoutKeyid(passwordHash: string): string {
  const match = PHC_PATTERN.exec(passwordHash);
  return match ? `${match[1]}${match[6]}` : passwordHash;
}

function withKeyid(passwordHash: string, version: number): string {
  const keyid = Buffer.from([version]).toString('base64').replace(/=+$/, '');
  return passwordHash.replace(/^(\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+)\$/, `$1,keyid=${keyid}$`);
}

const isQueueFull = (error: unknown) => (error as { code?: string }).code === 'service_unavailable';

/** Accepts config.ts's PasswordConfig (or any wider object) as well as a bare HasherOptions. */
export async function createPasswordHasher<Options extends HasherOptions>(config: Options): Promise<PasswordHasher> {
  const options = {
    // Algorithm.Argon2id: a const enum, which erasable TypeScript cannot reference (its value is 2).
    algorithm: 2 as Algorithm,
    memoryCost: config.memoryCostKib,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  };
  const liveCost = config.memoryCostKib * config.timeCost;
  const currentVersion = config.pepper === undefined ? undefined : (config.pepperVersion ?? 1);
  const peppers = new Map<number, Buffer>(
    Object.entries(config.previousPeppers ?? {}).map(([version, value]) => [Number(version), Buffer.from(value)]),
  );
  if (currentVersion !== undefined) peppers.set(currentVersion, Buffer.from(config.pepper!));
  const secret = currentVersion === undefined ? undefined : peppers.get(currentVersion);
  const unknownPepper = randomBytes(32);

  const pool = createArgon2Pool({ threads: config.hashConcurrency, queueLimit: config.hashQueueLimit });
  const hashWithPepper = async (password: string): Promise<string> => {
    const phc = await pool.hash(normalizePassword(password), options, secret);
    return currentVersion === undefined ? phc : withKeyid(phc, currentVersion);
  };
  // Made once at start with the live parameters and pepper, so a dummy check costs what a real one does.
  const dummyPhc = withoutKeyid(await hashWithPepper('gatehouse-dummy-password'));

  /** One argon2id verification at the live parameters that never matches anything real. */
  const burnDummyVerification = async (password: string): Promise<void> => {
    try {
      await pool.verify(dummyPhc, normalizePassword(password), secret);
    } catch (error) {
      if (isQueueFull(error)) throw error;
    }
  };

  const verifyArgon2id = async (stored: string, password: string): Promise<boolean> => {
    const version = readPepperVersion(stored);
    // A version no longer configured gets a throwaway secret: the same work, never a match.
    const hashSecret = version === undefined ? undefined : (peppers.get(version) ?? unknownPepper);
    let matches: boolean;
    try {
      matches = await pool.verify(withoutKeyid(stored), normalizePassword(password), hashSecret);
    } catch (error) {
      if (isQueueFull(error)) throw error;
      // argon2 refused a string identifyHash let through: do the work the caller would have waited for.
      await burnDummyVerification(password);
      return false;
    }
    const params = readArgon2Parameters(stored)!;
    if (!matches && params.m * params.t < liveCost) await burnDummyVerification(password);
    return matches;
  };

  const verifyWerkzeug = async (stored: string, password: string): Promise<boolean> => {
    try {
      return await pool.verifyWerkzeug(stored, password);
    } catch (error) {
      if (isQueueFull(error)) throw error;
      await burnDummyVerification(password);
      return false;
    }
  };

  const verifyPassword = async (stored: string | null, password: string): Promise<boolean> => {
    switch (identifyHash(stored)) {
      case 'argon2id':
        return verifyArgon2id(stored!, password);
      case 'werkzeug-pbkdf2':
      case 'werkzeug-scrypt':
        return verifyWerkzeug(stored!, password);
      case 'unusable':
        await burnDummyVerification(password);
        return false;
    }
  };

  return {
    get pending() {
      return pool.size;
    },
    hashPassword: hashWithPepper,
    close: () => pool.close(),
    verifyPassword,
    needsRehash(stored) {
      if (identifyHash(stored) !== 'argon2id') return true;
      const params = readArgon2Parameters(stored!)!;
      return (
        params.m !== config.memoryCostKib ||
        params.t !== config.timeCost ||
        params.p !== config.parallelism ||
        readPepperVersion(stored!) !== currentVersion
      );
    },
    async verifyDummy(password) {
      await verifyPassword(null, password);
    },
  };
}
