// Property (ASVS v5.0.0-6.3.1 / 2.2.1): a refused sign-in attempt costs no password hashing,
// measured at production argon2id parameters: a blocked attempt answers far faster than a
// real verification. A timing test: the runner runs it alone (`*.timing.test.ts`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertThrottled, pageAttempt, registerUser, visitor, WRONG } from '../helpers/sign-in-attempts.ts';

describe('blocked attempts are cheap with production argon2id parameters (m=19456 KiB, t=2)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' });
    await registerUser(server, 'heidi');
  });
  after(() => server.stop());

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  async function timed(run: () => Promise<TestResponse>): Promise<{ ms: number; response: TestResponse }> {
    const start = process.hrtime.bigint();
    const response = await run();
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, response };
  }

  test('a blocked attempt answers far faster than a real verification (no argon2 while blocked)', async (t) => {
    const client = await visitor(server);
    const verified: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const { ms, response } = await timed(() => pageAttempt(client, 'heidi', `${WRONG} ${attempt}`));
      assert.equal(response.status, 401);
      verified.push(ms);
    }
    const blocked: number[] = [];
    for (let attempt = 1; attempt <= 15; attempt += 1) {
      const { ms, response } = await timed(() => pageAttempt(client, 'heidi', GOOD_PASSWORD));
      assertThrottled(response, `blocked attempt ${attempt}`);
      blocked.push(ms);
    }
    const [verifiedMs, blockedMs] = [median(verified), median(blocked)];
    t.diagnostic(`median blocked ${blockedMs.toFixed(1)} ms, verified ${verifiedMs.toFixed(1)} ms`);
    assert.ok(blockedMs < verifiedMs / 3, `median blocked ${blockedMs.toFixed(1)} ms vs verified ${verifiedMs.toFixed(1)} ms`);
  });
});
