// Property: "forgot password" does not reveal whether an address has an account. A known
// and an unknown address get the same status and the same body (the page's CSRF token
// aside; the page never quotes the address), on the page and in the API, and take the same
// time: the known address's work (a token row and a queued mail, never a send) runs under
// a time floor both answers wait out, so the medians stay within 0.67–1.5 of each other
// (v5.0.0-6.3.8). The throttle counts unknown addresses like known ones, so a 429 says
// nothing either (v5.0.0-2.4.1). Runs alone (the runner isolates enumeration* files).
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { measureRounds } from '../helpers/timing.ts';
import { FORGOT_PASSWORD_FLOOR_MS } from '../../src/domain/recovery/steady-timing.ts';

const KNOWN = Array.from({ length: 6 }, (_, i) => `known${i}@example.test`);

/** The page with its per-session CSRF token taken out. */
function normalized(body: string): string {
  return body.replace(/(name="csrf_token" value=")[^"]*"/g, '$1«csrf»"');
}

describe('enumeration through forgot password', () => {
  let server: TestServer;
  let client: TestClient;
  let request = 0;
  /** TRUST_PROXY=1: each request comes from its own address, so the per-client limit stays out of the way. */
  const fromNewIp = () => {
    request += 1;
    return { 'x-forwarded-for': `10.${(request >> 16) & 255}.${(request >> 8) & 255}.${request & 255}` };
  };

  before(async () => {
    server = await startTestServer({ TRUST_PROXY: '1', REGISTER_MAX_PER_HOUR: '1000' });
    for (const [i, email] of KNOWN.entries()) {
      const registering = new TestClient(server.url);
      await registering.get('/register');
      assert.equal((await registering.postForm('/register', { username: `known${i}`, email, password: GOOD_PASSWORD })).status, 303);
    }
    client = new TestClient(server.url);
    await client.get('/forgot-password');
  });
  after(() => server.stop());

  test('the page: same status and body for a known and an unknown address', async () => {
    const known = await client.postForm('/forgot-password', { email: KNOWN[0]! }, fromNewIp());
    const unknown = await client.postForm('/forgot-password', { email: 'nobody-at-all@example.test' }, fromNewIp());
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.equal(normalized(unknown.body), normalized(known.body));
    assert.deepEqual(unknown.setCookies, known.setCookies);
  });

  test('the API: same status and JSON', async () => {
    const api = new TestClient(server.url);
    const known = await api.postJson('/api/v1/forgot-password', { email: KNOWN[1]! }, fromNewIp());
    const unknown = await api.postJson('/api/v1/forgot-password', { email: 'nobody-else@example.test' }, fromNewIp());
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.equal(unknown.body, known.body);
  });

  test('the throttle answers unknown addresses as it answers known ones', async () => {
    const statuses = async (email: string) => {
      const seen: number[] = [];
      for (let i = 0; i < 6; i += 1) seen.push((await client.postForm('/forgot-password', { email }, fromNewIp())).status);
      return seen;
    };
    const known = await statuses(KNOWN[2]!);
    const unknown = await statuses('ghost-throttle@example.test');
    assert.equal(known.at(-1), 429);
    assert.deepEqual(unknown, known);
  });

  test('timing: known and unknown addresses take the same time (median ratio within 0.67–1.5)', async () => {
    let unknownCount = 0;
    let knownCount = 0;
    const timed = async (email: string) => {
      const headers = fromNewIp();
      const started = performance.now();
      const response = await client.postForm('/forgot-password', { email }, headers);
      const elapsed = performance.now() - started;
      assert.equal(response.status, 200);
      return elapsed;
    };
    // Known addresses 3..5 (the others were used above): four requests each, under their limit of five.
    const pool = [KNOWN[3]!, KNOWN[4]!, KNOWN[5]!];
    const result = await measureRounds(
      {
        known: () => timed(pool[knownCount++ % pool.length]!),
        unknown: () => timed(`nobody-${unknownCount++}@example.test`),
      },
      { rounds: 9, warmUpRounds: 2 },
    );
    // Both wait out the floor, so a slower database's writes for a known address stay hidden.
    assert.ok(result.medians.known >= FORGOT_PASSWORD_FLOOR_MS && result.medians.unknown >= FORGOT_PASSWORD_FLOOR_MS, result.summary);
    const ratio = result.ratio('known', 'unknown');
    assert.ok(ratio > 0.67 && ratio < 1.5, `known/unknown median ratio ${ratio.toFixed(2)} (${result.summary})`);
  });
});
