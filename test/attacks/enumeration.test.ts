// Property: a failed sign-in does not reveal whether the account exists or is disabled.
// Unknown user, wrong password and disabled account get the same status and the same body
// (page: identical after removing the CSRF token and the echoed name; API: identical JSON),
// and — with production argon2id parameters — take the same time, because an unknown user
// is verified against a dummy hash instead of returning early.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { sessionCookieSet } from '../helpers/attack-payloads.ts';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { measureRounds } from '../helpers/timing.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';

const WRONG_PASSWORD = 'definitely not the password';
const NO_THROTTLE = { LOGIN_MAX_FAILURES: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000000' };

/** The sign-in page with the per-session CSRF token and the echoed username taken out. */
function normalizedLoginPage(body: string): string {
  return body
    .replace(/(name="csrf_token" value=")[^"]*"/g, '$1«csrf»"')
    .replace(/(name="username"[^>]*value=")[^"]*"/, '$1«username»"');
}

describe('account enumeration by message', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer(NO_THROTTLE);
    await new TestClient(server.url).registerAndSignIn('known-user', GOOD_PASSWORD, 'known@example.test');
    await new TestClient(server.url).registerAndSignIn('disabled-user', GOOD_PASSWORD, 'disabled@example.test');
    assert.ok((await server.deps.userService.setDisabled({ username: 'disabled-user' }, true, CLI_CONTEXT)).ok);
  });
  after(() => server.stop());

  const attempts = {
    'unknown user': ['ghost-user', WRONG_PASSWORD],
    'wrong password': ['known-user', WRONG_PASSWORD],
    'disabled account, right password': ['disabled-user', GOOD_PASSWORD],
    'disabled account, wrong password': ['disabled-user', WRONG_PASSWORD],
    'unknown email': ['ghost@example.test', WRONG_PASSWORD],
    'known email, wrong password': ['known@example.test', WRONG_PASSWORD],
  } as const;

  test('the sign-in page answers every failure with the same status and body', async () => {
    const answers = new Map<string, { status: number; body: string; cookies: number }>();
    for (const [label, [username, password]] of Object.entries(attempts)) {
      const response = await new TestClient(server.url).signIn(username, password);
      assert.equal(sessionCookieSet(response), undefined, `${label}: no session`);
      answers.set(label, { status: response.status, body: normalizedLoginPage(response.body), cookies: response.setCookies.length });
    }
    const reference = answers.get('wrong password')!;
    assert.equal(reference.status, 401);
    assert.match(reference.body, /Invalid username or password\./);
    for (const [label, answer] of answers) assert.deepEqual(answer, reference, label);
  });

  test('the API answers every failure with the same status and JSON', async () => {
    for (const [label, [username, password]] of Object.entries(attempts)) {
      const response = await new TestClient(server.url).postJson('/api/v1/login', { username, password });
      assert.equal(response.status, 401, label);
      assert.equal(response.body, JSON.stringify({ error: 'invalid_credentials', message: 'Invalid username or password.' }), label);
    }
  });
});

describe('account enumeration by timing (production argon2id parameters)', () => {
  let server: TestServer;
  let client: TestClient;
  let csrf: string;

  before(async () => {
    server = await startTestServer({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1', ...NO_THROTTLE });
    for (const username of ['timed-user', 'timed-disabled']) {
      const result = await server.deps.userService.registerUser({ username, email: `${username}@example.test`, password: GOOD_PASSWORD });
      assert.equal(result.kind, 'registered');
    }
    assert.ok((await server.deps.userService.setDisabled({ username: 'timed-disabled' }, true, CLI_CONTEXT)).ok);
    client = new TestClient(server.url);
    csrf = (await client.get('/api/v1/csrf')).json().csrfToken;
  });
  after(() => server.stop());

  async function timedLogin(body: unknown, expectedStatus: number): Promise<number> {
    const started = performance.now();
    const response = await client.request('POST', '/api/v1/login', {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    const elapsed = performance.now() - started;
    assert.equal(response.status, expectedStatus);
    return elapsed;
  }

  test('unknown user, wrong password and disabled account take the same time', async (t) => {
    const arms = {
      unknown: () => timedLogin({ username: 'nobody-by-that-name', password: WRONG_PASSWORD }, 401),
      wrongPassword: () => timedLogin({ username: 'timed-user', password: WRONG_PASSWORD }, 401),
      disabled: () => timedLogin({ username: 'timed-disabled', password: GOOD_PASSWORD }, 401),
      // No hashing at all (refused by validation): the floor a skipped hash would fall to.
      noHash: () => timedLogin({ username: 'timed-user' }, 400),
    };
    const { medians: m, summary, ratio: ratioOf } = await measureRounds(arms);
    t.diagnostic(`medians: ${summary}`);

    // The measurement must be able to see a skipped hash, or the comparison proves nothing.
    assert.ok(m.wrongPassword > 3 * m.noHash && m.wrongPassword - m.noHash > 5, `a hash is not measurable: ${summary}`);
    // Ratios within a round (measured moments apart) cancel load that drifts across rounds.
    for (const arm of ['unknown', 'disabled'] as const) {
      const ratio = ratioOf(arm, 'wrongPassword');
      t.diagnostic(`median ${arm} / wrongPassword = ${ratio.toFixed(2)}`);
      assert.ok(ratio > 0.67 && ratio < 1.5, `${arm} / wrongPassword = ${ratio.toFixed(2)}: ${summary}`);
    }
  });
});
