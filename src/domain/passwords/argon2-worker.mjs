// A worker thread of the password-hashing pool (see argon2-pool.ts). Plain JavaScript so
// that it loads without the TypeScript loader. Each task is one argon2id hash or verify,
// run synchronously: the thread is the unit of concurrency, and it runs at a lower CPU
// priority than the event loop.
import { hashSync, verifySync } from '@node-rs/argon2';

export default function runArgon2Task(task) {
  if (task.op === 'hash') return hashSync(task.password, { ...task.options, secret: task.secret });
  return verifySync(task.hash, task.password, { secret: task.secret });
}
