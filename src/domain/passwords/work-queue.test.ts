// Property: the hashing queue never runs more than `concurrency` tasks at once, queues up to
// `queueLimit` more in arrival order, and refuses the next at once with service_unavailable,
// so a sign-in flood can neither starve the event loop nor grow memory without bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../errors.js';
import { createWorkQueue } from './work-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('at most `concurrency` tasks run; the queue drains in order; a full queue refuses with 503', async () => {
  const queue = createWorkQueue(2, 3);
  const gates = Array.from({ length: 5 }, deferred);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const results = gates.map((gate, i) =>
    queue.run(async () => {
      running += 1;
      peak = Math.max(peak, running);
      started.push(i);
      await gate.promise;
      running -= 1;
      return i;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(queue.size, 5);

  await assert.rejects(
    queue.run(async () => 'overflow'),
    (error: unknown) => error instanceof AuthError && error.code === 'service_unavailable' && error.retryAfterSeconds === 1,
  );

  for (const gate of gates) gate.resolve();
  assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.equal(queue.size, 0);
});

test('a failing task frees its slot', async () => {
  const queue = createWorkQueue(1, 0);
  await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await queue.run(async () => 'next'), 'next');
});
