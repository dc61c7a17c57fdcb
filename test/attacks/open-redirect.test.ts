// Property: after sign-in, `next` sends the browser only to a path on this origin. Absolute
// URLs, protocol-relative `//host`, backslash tricks, `javascript:`, encoded slashes and
// dot-segments that normalise to `//host` all fall back to /dashboard; a legitimate path is
// honoured; the sign-in form never carries a hostile `next`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const HOSTILE_NEXT = [
  'https://evil.example',
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  'javascript:alert(1)',
  '%2F%2Fevil.example',
  '///evil.example',
  'https:evil.example',
  '/\t/evil.example',
  ' //evil.example',
];

/** Paths that URL normalisation (dot-segment removal) turns into "//evil.example". */
const DOT_SEGMENT_NEXT = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/a/..//evil.example',
];

describe('open redirect through next', () => {
  let server: TestServer;
  let client: TestClient;

  before(async () => {
    server = await startTestServer();
    client = new TestClient(server.url);
    await client.registerAndSignIn('alice');
  });
  after(() => server.stop());

  async function signInWithNext(next: string) {
    // Already signed in: GET /login answers 303 to /dashboard, so the token comes from there.
    await client.get('/dashboard');
    return client.postForm('/login', { username: 'alice', password: GOOD_PASSWORD, next });
  }

  /** A Location a browser would resolve against our origin and stay on it. */
  function assertSameOriginPath(location: string | null, label: string) {
    assert.ok(location, `${label}: no Location`);
    assert.match(location, /^\/(?![/\\])/, `${label}: Location ${location}`);
    assert.equal(new URL(location, server.url).origin, new URL(server.url).origin, `${label}: Location ${location}`);
  }

  async function assertAllFallBack(nextValues: string[]) {
    const failures: string[] = [];
    for (const next of nextValues) {
      const response = await signInWithNext(next);
      assert.equal(response.status, 303, JSON.stringify(next));
      try {
        assertSameOriginPath(response.location, JSON.stringify(next));
        assert.ok(!response.location!.includes('evil.example'), `Location ${response.location}`);
      } catch {
        failures.push(`${JSON.stringify(next)} → Location ${response.location}`);
      }
    }
    assert.deepEqual(failures, [], `open redirects:\n${failures.join('\n')}`);
  }

  function assertNotInForm(nextValues: string[]) {
    return Promise.all(
      nextValues.map(async (next) => {
        const response = await new TestClient(server.url).get(`/login?next=${encodeURIComponent(next)}`);
        assert.equal(response.status, 200);
        assert.ok(!response.body.includes('evil.example'), `${JSON.stringify(next)} reached the form`);
      }),
    );
  }

  test('absolute, protocol-relative, backslash, scheme and encoded next values fall back to /dashboard', async () => {
    await assertAllFallBack(HOSTILE_NEXT);
  });

  test('next paths whose dot-segments normalise to //host fall back to /dashboard', async () => {
    await assertAllFallBack(DOT_SEGMENT_NEXT);
  });

  test('a legitimate same-origin next is honoured', async () => {
    for (const next of ['/profile', '/dashboard?message=hi']) {
      const response = await signInWithNext(next);
      assert.equal(response.status, 303);
      assert.equal(response.location, next);
    }
  });

  test('without next, sign-in goes to /dashboard', async () => {
    await client.get('/dashboard');
    const response = await client.postForm('/login', { username: 'alice', password: GOOD_PASSWORD });
    assert.equal(response.location, '/dashboard');
  });

  test('GET /login with a hostile next does not put it in the form', async () => {
    await assertNotInForm(HOSTILE_NEXT);
    const legit = await new TestClient(server.url).get('/login?next=%2Fprofile');
    assert.match(legit.body, /<input type="hidden" name="next" value="\/profile">/);
  });

  test('GET /login with a dot-segment next does not put //host in the form', async () => {
    await assertNotInForm(DOT_SEGMENT_NEXT);
  });

  test('a failed sign-in with a hostile next does not echo it', async () => {
    const attacker = new TestClient(server.url);
    await attacker.get('/login');
    const response = await attacker.postForm('/login', { username: 'alice', password: 'not the password', next: '//evil.example' });
    assert.equal(response.status, 401);
    assert.ok(!response.body.includes('evil.example'));
  });
});
