// A worker thread of the password-hashing pool (see argon2-pool.ts). Each task is one
// argon2id hash or verify, or one werkzeug verify for a not-yet-migrated imported user,
// run synchronously: the thread is the unit of concurrency, and it runs at a lower CPU
// priority than the event loop. Plain JavaScript so that Piscina loads it as it is; the
// werkzeug code is TypeScript, which Node 24 strips on import.
import { hashSync, verifySync } from '@node-rs/argon2';
import { verifyWerkzeugHashBlocking } from './legacy-hashes.ts';

export default function runPasswordTask(task) {
  if (task.op === 'hash') return hashSync(task.password, { ...task.options, secret: task.secret });
  if (task.op === 'werkzeug') return verifyWerkzeugHashBlocking(task.hash, task.password);
  return verifySync(task.hash, task.password, { secret: task.secret });
}
