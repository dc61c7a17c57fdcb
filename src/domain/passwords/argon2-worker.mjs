// A worker thread of the password-hashing pool (see argon2-pool.ts). Each task is one
// argon2id hash or verify, or one werkzeug verify for a not-yet-migrated imported user,
// run synchronously: the thread is the unit of concurrency, and it runs at a lower CPU
// priority than the event loop. Plain JavaScript so that Piscina loads it as it is; the
// werkzeug code is TypeScript, which Node 24 strips on import.
//
// Only a CommonJS package is imported statically: Piscina loads this file with require()
// first, and Node 24's require() of an ES module whose graph holds a type-stripped .ts file
// can abort the whole process (a native assertion in ModuleWrap, seen in CI). The werkzeug
// module is therefore imported on first use, through the ES module loader.
import { hashSync, verifySync } from '@node-rs/argon2';

let legacy;

export default function runPasswordTask(task) {
  if (task.op === 'hash') return hashSync(task.password, { ...task.options, secret: task.secret });
  if (task.op === 'werkzeug') {
    legacy ??= import('./legacy-hashes.ts');
    return legacy.then((module) => module.verifyWerkzeugHashBlocking(task.hash, task.password));
  }
  return verifySync(task.hash, task.password, { secret: task.secret });
}
