/**
 * The limiter table and the pure rules of the login guard: the configured numbers reach the
 * right limiters, GLOBAL_RATE_LIMIT=0 turns off only the global limiter, blocks double from
 * one minute up to an hour, and decisions combine to the most restrictive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineLimits, escalatingBlockSeconds, LIMITER_NAMES, type ThrottleOptions } from './limits.ts';
import { combineDecisions, loginPairKey } from './login-guard.ts';

const config: ThrottleOptions = {
  loginMaxFailures: 5,
  loginMaxFailuresPerIp: 100,
  loginMaxFailuresPerAccount: 100,
  registerMaxPerHour: 20,
  registerMaxAttemptsPerHour: 200,
  globalRateLimitPerMinute: 1200,
};

test('the configured numbers reach their limiters', () => {
  const limits = defineLimits({
    ...config,
    loginMaxFailures: 7,
    loginMaxFailuresPerIp: 40,
    loginMaxFailuresPerAccount: 9,
    registerMaxPerHour: 3,
    registerMaxAttemptsPerHour: 11,
  });
  assert.equal(limits['login-pair']?.points, 7);
  assert.deepEqual(limits['login-ip'], { points: 40, durationSeconds: 86_400 });
  assert.deepEqual(limits['login-account'], { points: 9, durationSeconds: 3600 });
  assert.deepEqual(limits['register-ip'], { points: 3, durationSeconds: 3600 });
  assert.deepEqual(limits['register-attempt-ip'], { points: 11, durationSeconds: 3600 });
  assert.deepEqual(limits['global-ip'], { points: 1200, durationSeconds: 60 });
});

test('failures per account default to 100 an hour across all IPs (v5.0.0-6.1.1 / 6.3.1): a window, never a lock-out', () => {
  const { loginMaxFailuresPerAccount: _account, registerMaxAttemptsPerHour: _attempts, ...required } = config;
  assert.deepEqual(defineLimits(required)['login-account'], { points: 100, durationSeconds: 3600 });
  assert.equal(defineLimits(required)['login-account']?.blockSeconds, undefined, 'no block beyond the window');
});

test('registration attempts per IP default to 200 an hour, apart from the accounts created (20)', () => {
  const { registerMaxAttemptsPerHour: _attempts, ...rest } = config;
  const limits = defineLimits(rest);
  assert.deepEqual(limits['register-attempt-ip'], { points: 200, durationSeconds: 3600 });
  assert.deepEqual(limits['register-ip'], { points: 20, durationSeconds: 3600 });
});

test('GLOBAL_RATE_LIMIT=0 turns off the global limiter and nothing else', () => {
  const limits = defineLimits({ ...config, globalRateLimitPerMinute: 0 });
  assert.equal(limits['global-ip'], null);
  for (const name of LIMITER_NAMES.filter((n) => n !== 'global-ip')) assert.notEqual(limits[name], null, name);
});

test('every limiter has whole-second windows and positive points', () => {
  const limits = defineLimits(config);
  for (const name of LIMITER_NAMES) {
    const definition = limits[name];
    assert.ok(definition, name);
    assert.ok(Number.isInteger(definition.durationSeconds) && definition.durationSeconds > 0, name);
    assert.ok(Number.isInteger(definition.points) && definition.points > 0, name);
  }
});

test('pair blocks start at one minute and double up to one hour', () => {
  const pair = defineLimits(config)['login-pair']!;
  const blocks = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => escalatingBlockSeconds(n, pair.blockSeconds!, pair.maxBlockSeconds!));
  assert.deepEqual(blocks, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
});

test('escalation never overflows and treats a zeroth block as the first', () => {
  assert.equal(escalatingBlockSeconds(0, 60, 3600), 60);
  assert.equal(escalatingBlockSeconds(Number.MAX_SAFE_INTEGER, 60, 3600), 3600);
});

test('decisions combine to the most restrictive: refused if any refuses, for the longest wait', () => {
  assert.deepEqual(combineDecisions([]), { allowed: true });
  assert.deepEqual(combineDecisions([{ allowed: true, consumedPoints: 4 }]), { allowed: true });
  assert.deepEqual(
    combineDecisions([
      { allowed: false, consumedPoints: 6, retryAfterSeconds: 60 },
      { allowed: true, consumedPoints: 1 },
      { allowed: false, consumedPoints: 100, retryAfterSeconds: 3000 },
    ]),
    { allowed: false, retryAfterSeconds: 3000 },
  );
});

test('pair keys cannot collide whatever the account key contains', () => {
  assert.notEqual(loginPairKey('a","b', 'c'), loginPairKey('a', 'b","c'));
  assert.notEqual(loginPairKey('alice|192.0.2.1', ''), loginPairKey('alice', '192.0.2.1'));
});
