'use strict';
// A worker thread of the password-hashing pool (see argon2-pool.ts). Each task is one
// argon2id hash or verify, or one werkzeug verify for a not-yet-migrated imported user,
// run synchronously: the thread is the unit of concurrency, and it runs at a lower CPU
// priority than the event loop.
//
// CommonJS on purpose: Piscina loads its task file with require(), and Node 24's require()
// of an ES module aborted whole test processes now and then (a native assertion in
// ModuleWrap::CreateRequiredModuleFacade, seen twice in CI). The werkzeug code is
// TypeScript, imported on first use through the ES module loader, which strips its types.
const { hashSync, verifySync } = require('@node-rs/argon2');

let legacy;

module.exports = function runPasswordTask(task) {
  if (task.op === 'hash') return hashSync(task.password, { ...task.options, secret: task.secret });
  if (task.op === 'werkzeug') {
    legacy ??= import('./legacy-hashes.ts');
    return legacy.then((module) => module.verifyWerkzeugHashBlocking(task.hash, task.password));
  }
  return verifySync(task.hash, task.password, { secret: task.secret });
};
