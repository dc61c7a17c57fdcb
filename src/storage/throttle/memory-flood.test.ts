/**
 * Property: the memory store stays bounded under a flood of distinct keys. Every key lives
 * only until its window ends (rate-limiter-flexible keeps one timer per key), so what it
 * holds is bounded by rate × window, and nothing is left once the flood has passed.
 * Time runs on mocked timers; nothing waits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineLimits, type LimiterDefinitions } from '../../domain/throttle/limits.ts';
import { createLoginGuard } from '../../domain/throttle/login-guard.ts';
import { createThrottle } from '../throttle.ts';

const limits: LimiterDefinitions = defineLimits({
  loginMaxFailures: 5,
  loginMaxFailuresPerIp: 100,
  registerMaxPerHour: 20,
  globalRateLimitPerMinute: 1200,
});

const ipOf = (n: number) => `2001:db8:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}::`;

test('100 000 distinct client IPs are all forgotten once their one-minute window ends', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.now() });
  const throttle = await createThrottle({ limits, store: 'memory' });
  for (let n = 0; n < 100_000; n++) await throttle.consume('global-ip', ipOf(n));
  assert.equal(throttle.trackedKeyCount(), 100_000);

  t.mock.timers.tick(30_000);
  await throttle.consume('global-ip', 'late-arrival');
  assert.equal(throttle.trackedKeyCount(), 100_001, 'windows still open are kept');

  t.mock.timers.tick(30_001);
  assert.equal(throttle.trackedKeyCount(), 1, 'only the late arrival is still in its window');
  t.mock.timers.tick(30_000);
  assert.equal(throttle.trackedKeyCount(), 0);
});

test('a sign-in flood of 30 000 distinct (account, IP) pairs leaves nothing after a day', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.now() });
  const throttle = await createThrottle({ limits, store: 'memory' });
  const guard = createLoginGuard(throttle, limits);
  for (let n = 0; n < 30_000; n++) await guard.recordFailure(`user${n}`, ipOf(n));
  // One key per pair, per IP and per account.
  assert.equal(throttle.trackedKeyCount(), 90_000);

  t.mock.timers.tick(86_400_000);
  assert.equal(throttle.trackedKeyCount(), 0);
});
