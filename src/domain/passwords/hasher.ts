/**
 * Password hashing with argon2id (RFC 9106), OWASP parameters by default
 * (m = 19456 KiB, t = 2, p = 1). Parameters live in each PHC string, so raising them later
 * re-hashes users on their next correct sign-in (`needsRehash`).
 *
 * Hashing runs on libuv's thread pool through @node-rs/argon2, never on the event loop, and
 * through a bounded work queue sized to the cores. Passwords are NFKC-normalised first
 * (NIST SP 800-63B §5.1.1.2) and never truncated: argon2 takes the whole input.
 */
import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { PasswordConfig } from '../../config.js';
import { createWorkQueue } from './work-queue.js';

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /** True when `password` matches; false for a mismatch or a malformed hash. Never throws for those. */
  verifyPassword(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(passwordHash: string): boolean;
  /** Same work as a verification, for unknown users (no timing oracle on account existence). */
  verifyDummy(password: string): Promise<void>;
  /** Tasks hashing or waiting to hash. */
  readonly pending: number;
}

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Reads m, t, p from `$argon2id$v=19$m=…,t=…,p=…$salt$hash`; undefined when not argon2id. */
export function readArgon2Parameters(passwordHash: string): { m: number; t: number; p: number } | undefined {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return undefined;
  return { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) };
}

export async function createPasswordHasher(config: PasswordConfig): Promise<PasswordHasher> {
  const options = {
    algorithm: Algorithm.Argon2id,
    memoryCost: config.memoryCostKib,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  };
  const queue = createWorkQueue(config.hashConcurrency, config.hashQueueLimit);
  // Made once at start with the live parameters, so a dummy check costs what a real one does.
  const dummyHash = await hash('gatehouse-dummy-password', options);

  const verifyPassword = async (passwordHash: string, password: string): Promise<boolean> => {
    if (!passwordHash.startsWith('$argon2')) return false;
    try {
      return await queue.run(() => verify(passwordHash, normalizePassword(password)));
    } catch (error) {
      if ((error as { code?: string }).code === 'service_unavailable') throw error;
      return false;
    }
  };

  return {
    get pending() {
      return queue.size;
    },
    hashPassword: (password) => queue.run(() => hash(normalizePassword(password), options)),
    verifyPassword,
    needsRehash(passwordHash) {
      const params = readArgon2Parameters(passwordHash);
      return (
        params === undefined ||
        params.m !== config.memoryCostKib ||
        params.t !== config.timeCost ||
        params.p !== config.parallelism
      );
    },
    async verifyDummy(password) {
      await verifyPassword(dummyHash, password);
    },
  };
}
