/**
 * The Throttle contract, run on every store by storage/throttle.test.ts: the same answers
 * from memory, SQLite, PostgreSQL, MySQL/MariaDB and Redis. Limits are low and blocks one
 * second long so a store whose clock cannot be mocked (Redis TTLs) waits seconds, not minutes.
 * Every property uses its own random keys, so stores shared between runs need no wiping.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { defineLimits, type LimiterDefinitions } from '../../src/domain/throttle/limits.ts';
import { createLoginGuard } from '../../src/domain/throttle/login-guard.ts';
import type { ThrottleStore } from '../../src/storage/throttle.ts';

export const CONTRACT_LIMITS: LimiterDefinitions = Object.freeze({
  ...defineLimits({ loginMaxFailures: 5, loginMaxFailuresPerIp: 20, registerMaxPerHour: 3, globalRateLimitPerMinute: 0 }),
  'login-pair': { points: 5, durationSeconds: 3600, blockSeconds: 1, maxBlockSeconds: 4 },
  'login-account': { points: 12, durationSeconds: 3600 },
  'password-reset-account': { points: 1, durationSeconds: 1 },
});

export interface ThrottleFixture {
  throttle: ThrottleStore;
  /** Lets `ms` of time pass for the store (a mocked clock, or real waiting for Redis). */
  advance(ms: number): Promise<void>;
}

const unique = (label: string) => `${label}-${randomUUID()}`;

export async function runThrottleContract(t: TestContext, fixture: ThrottleFixture): Promise<void> {
  const { throttle, advance } = fixture;
  const guard = createLoginGuard(throttle, CONTRACT_LIMITS);

  /** Failed sign-ins the guard lets through for (account, ip), stopping at the first refusal. */
  async function failUntilRefused(account: string, ip: string, max: number): Promise<number> {
    for (let attempt = 0; attempt < max; attempt++) {
      if (!(await guard.checkAttempt(account, ip)).allowed) return attempt;
      await guard.recordFailure(account, ip);
    }
    return max;
  }

  async function refusal(account: string, ip: string): Promise<number> {
    const decision = await guard.checkAttempt(account, ip);
    assert.equal(decision.allowed, false, 'expected the attempt to be refused');
    return decision.allowed ? 0 : decision.retryAfterSeconds;
  }

  await t.test('consume allows `points` events per window, then refuses with a retry delay', async () => {
    const key = unique('ip');
    for (let n = 1; n <= 3; n++) assert.deepEqual(await throttle.consume('register-ip', key), { allowed: true, consumedPoints: n });
    const refused = await throttle.consume('register-ip', key);
    assert.equal(refused.allowed, false);
    assert.ok(!refused.allowed && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 3600);
    assert.equal((await throttle.peek('register-ip', key)).allowed, false);
  });

  await t.test('peek records nothing', async () => {
    const key = unique('ip');
    for (let n = 0; n < 10; n++) assert.deepEqual(await throttle.peek('register-ip', key), { allowed: true, consumedPoints: 0 });
    assert.deepEqual(await throttle.consume('register-ip', key), { allowed: true, consumedPoints: 1 });
    assert.deepEqual(await throttle.peek('register-ip', key), { allowed: true, consumedPoints: 1 });
  });

  await t.test('reset forgets a key', async () => {
    const key = unique('ip');
    for (let n = 0; n < 4; n++) await throttle.consume('register-ip', key);
    await throttle.reset('register-ip', key);
    assert.deepEqual(await throttle.consume('register-ip', key), { allowed: true, consumedPoints: 1 });
  });

  await t.test('a key is allowed again once its window ends', async () => {
    const key = unique('account');
    await throttle.consume('password-reset-account', key);
    assert.equal((await throttle.consume('password-reset-account', key)).allowed, false);
    await advance(1100);
    assert.deepEqual(await throttle.consume('password-reset-account', key), { allowed: true, consumedPoints: 1 });
  });

  await t.test('a limiter that is off allows everything and counts nothing', async () => {
    for (let n = 0; n < 5; n++) assert.deepEqual(await throttle.consume('global-ip', 'any'), { allowed: true, consumedPoints: 0 });
  });

  await t.test('five failures block the pair: the sixth attempt is refused with a retry delay', async () => {
    const [account, ip] = [unique('alice'), unique('ip')];
    assert.equal(await failUntilRefused(account, ip, 10), 5);
    assert.ok((await refusal(account, ip)) > 0);
  });

  await t.test('checking a blocked pair neither extends nor counts: the block ends on time', async () => {
    const [account, ip] = [unique('alice'), unique('ip')];
    await failUntilRefused(account, ip, 5);
    for (let n = 0; n < 20; n++) await refusal(account, ip);
    await advance(1100);
    assert.deepEqual(await guard.checkAttempt(account, ip), { allowed: true });
  });

  await t.test('blocks grow: the second block of a pair is longer than the first', async () => {
    const [account, ip] = [unique('alice'), unique('ip')];
    await failUntilRefused(account, ip, 5);
    const first = await refusal(account, ip);
    await advance(first * 1000 + 100);
    assert.equal(await failUntilRefused(account, ip, 10), 5, 'after a block the pair gets a fresh series');
    const second = await refusal(account, ip);
    assert.equal(second, 2 * first, 'the second block lasts twice the first');
  });

  await t.test('a success resets the pair: only consecutive failures count', async () => {
    const [account, ip] = [unique('alice'), unique('ip')];
    assert.equal(await failUntilRefused(account, ip, 4), 4);
    await guard.recordSuccess(account, ip);
    assert.equal(await failUntilRefused(account, ip, 10), 5);
  });

  await t.test('a success also forgets the block history: the next block is the first again', async () => {
    const [account, ip] = [unique('alice'), unique('ip')];
    await failUntilRefused(account, ip, 5);
    const first = await refusal(account, ip);
    await advance(first * 1000 + 100);
    await guard.recordSuccess(account, ip);
    await failUntilRefused(account, ip, 5);
    assert.equal(await refusal(account, ip), first);
  });

  await t.test('while a pair is blocked another account from the same IP is unaffected', async () => {
    const [alice, bob, ip] = [unique('alice'), unique('bob'), unique('ip')];
    await failUntilRefused(alice, ip, 5);
    await refusal(alice, ip);
    assert.deepEqual(await guard.checkAttempt(bob, ip), { allowed: true });
  });

  await t.test('failures per IP are bounded across 200 accounts', async () => {
    const ip = unique('ip');
    let allowed = 0;
    for (let n = 0; n < 200; n++) allowed += await failUntilRefused(unique('user'), ip, 1);
    assert.equal(allowed, 20);
    assert.ok((await refusal(unique('fresh'), ip)) > 0);
  });

  await t.test('failures per account are bounded across IPs, for a window rather than for good', async () => {
    const account = unique('victim');
    let allowed = 0;
    for (let n = 0; n < 30; n++) allowed += await failUntilRefused(account, unique('ip'), 1);
    assert.equal(allowed, 12);
    const wait = await refusal(account, unique('owner-ip'));
    assert.ok(wait > 0 && wait <= 3600, `retry after ${wait}s`);
    assert.deepEqual(await guard.checkAttempt(unique('other-account'), unique('ip')), { allowed: true });
  });
}
