/**
 * Password hashing with argon2id (RFC 9106), OWASP parameters by default
 * (m = 19456 KiB, t = 2, p = 1). Parameters live in each PHC string, so raising them later
 * re-hashes users on their next correct sign-in (`needsRehash`).
 *
 * Hashing runs on a pool of low-priority worker threads sized to the cores, behind a bounded
 * queue (argon2-pool.ts), never on the event loop. Passwords are NFKC-normalised first
 * (NIST SP 800-63B §5.1.1.2) and never truncated: argon2 takes the whole input.
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
import type { PasswordConfig } from '../../config.ts';
import { normalizePassword } from './normalize.ts';
import { createArgon2Pool } from './argon2-pool.ts';

export { normalizePassword } from './normalize.ts';

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /**
   * True when `password` matches; false for a mismatch, a malformed hash or a hash made with a
   * pepper version that is no longer configured. Never throws for those.
   */
  verifyPassword(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters or another pepper than the configured ones. */
  needsRehash(passwordHash: string): boolean;
  /** Same work as a verification, for unknown users (no timing oracle on account existence). */
  verifyDummy(password: string): Promise<void>;
  /** Tasks hashing or waiting to hash. */
  readonly pending: number;
  /** Stops the hashing threads. */
  close(): Promise<void>;
}

const PHC_PATTERN = /^(\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+))(?:,keyid=([A-Za-z0-9+/]{2}))?(\$.*)$/;

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

/** The PHC string without its keyid, as argon2 itself knows it. */
function withoutKeyid(passwordHash: string): string {
  const match = PHC_PATTERN.exec(passwordHash);
  return match ? `${match[1]}${match[6]}` : passwordHash;
}

function withKeyid(passwordHash: string, version: number): string {
  const keyid = Buffer.from([version]).toString('base64').replace(/=+$/, '');
  return passwordHash.replace(/^(\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+)\$/, `$1,keyid=${keyid}$`);
}

export async function createPasswordHasher(config: PasswordConfig): Promise<PasswordHasher> {
  const options = {
    // Algorithm.Argon2id: a const enum, which erasable TypeScript cannot reference (its value is 2).
    algorithm: 2 as Algorithm,
    memoryCost: config.memoryCostKib,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  };
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
  const dummyHash = await hashWithPepper('gatehouse-dummy-password');

  const verifyPassword = async (passwordHash: string, password: string): Promise<boolean> => {
    if (!passwordHash.startsWith('$argon2')) return false;
    const version = readPepperVersion(passwordHash);
    // A version no longer configured gets a throwaway secret: the same work, never a match.
    const hashSecret = version === undefined ? undefined : (peppers.get(version) ?? unknownPepper);
    try {
      const phc = withoutKeyid(passwordHash);
      return await pool.verify(phc, normalizePassword(password), hashSecret);
    } catch (error) {
      if ((error as { code?: string }).code === 'service_unavailable') throw error;
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
    needsRehash(passwordHash) {
      const params = readArgon2Parameters(passwordHash);
      return (
        params === undefined ||
        params.m !== config.memoryCostKib ||
        params.t !== config.timeCost ||
        params.p !== config.parallelism ||
        readPepperVersion(passwordHash) !== currentVersion
      );
    },
    async verifyDummy(password) {
      await verifyPassword(dummyHash, password);
    },
  };
}
