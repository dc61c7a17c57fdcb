/**
 * The password-hashing pool: argon2id (and werkzeug verification for imported users, see
 * legacy-hashes.ts) on worker threads (Piscina), never on the event loop.
 *
 * - `threads` workers (default: the cores) run one hash at a time each; up to `queueLimit`
 *   more wait; beyond that a task is refused at once with `service_unavailable` (503), so a
 *   sign-in flood can grow neither memory nor latency without bound (issue #5).
 * - Workers run at a lower CPU priority (nice +10): when the cores are saturated by hashing,
 *   the event loop serving signed-in users still gets the CPU first, which bounds their
 *   latency under a sign-in flood; when the CPU is otherwise idle, hashing loses nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { AuthError } from '../errors.ts';

export interface Argon2Options {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface Argon2Pool {
  hash(password: string, options: Argon2Options, secret: Buffer | undefined): Promise<string>;
  /** Rejects on a malformed hash (the caller decides what that means). */
  verify(phc: string, password: string, secret: Buffer | undefined): Promise<boolean>;
  /** A werkzeug `pbkdf2:`/`scrypt:` hash against the password as received; false when refused. */
  verifyWerkzeug(stored: string, password: string): Promise<boolean>;
  /** Tasks running or waiting. */
  readonly size: number;
  close(): Promise<void>;
}

const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'argon2-worker.cjs');
export const HASH_THREAD_NICE_INCREMENT = 10;

export function createArgon2Pool(options: { threads: number; queueLimit: number }): Argon2Pool {
  const piscina = new Piscina({
    filename: WORKER_FILE,
    minThreads: options.threads,
    maxThreads: options.threads,
    maxQueue: options.queueLimit,
    niceIncrement: HASH_THREAD_NICE_INCREMENT,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  let size = 0;

  async function run<T>(task: Record<string, unknown>): Promise<T> {
    if (size >= options.threads + options.queueLimit) {
      throw new AuthError('service_unavailable', { retryAfterSeconds: 1 });
    }
    size += 1;
    try {
      return (await piscina.run(task)) as T;
    } catch (error) {
      if ((error as Error).message === 'Task queue is at limit') throw new AuthError('service_unavailable', { retryAfterSeconds: 1 });
      throw error;
    } finally {
      size -= 1;
    }
  }

  return {
    hash: (password, argonOptions, secret) => run<string>({ op: 'hash', password, options: argonOptions, secret }),
    verify: (phc, password, secret) => run<boolean>({ op: 'verify', hash: phc, password, secret }),
    verifyWerkzeug: (stored, password) => run<boolean>({ op: 'werkzeug', hash: stored, password }),
    get size() {
      return size;
    },
    close: () => piscina.destroy(),
  };
}
