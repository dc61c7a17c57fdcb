/**
 * A bounded work queue: at most `concurrency` tasks run at once, at most `queueLimit` wait;
 * beyond that `run` rejects at once with `service_unavailable`, so a flood of sign-ins
 * cannot grow memory or latency without bound (issue #5: hashing pool sized to the cores).
 */
import { AuthError } from '../errors.js';

export interface WorkQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running plus waiting; for metrics and tests. */
  readonly size: number;
}

export function createWorkQueue(concurrency: number, queueLimit: number): WorkQueue {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    get size() {
      return running + waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (waiting.length >= queueLimit) throw new AuthError('service_unavailable', { retryAfterSeconds: 1 });
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
