// Property: a session ends at the first of its absolute expiry and its idle timeout, at explicit instants.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSessionExpired, newSessionExpiry, type Session, type SessionRules, shouldTouchSession } from './session.ts';

const RULES: SessionRules = { idleTimeoutSeconds: 1800, absoluteLifetimeSeconds: 43_200, touchIntervalSeconds: 60 };
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const SECOND = 1000;

function session(overrides: Partial<Session> = {}): Session {
  return {
    idHash: 'a'.repeat(64),
    userId: 1,
    createdAt: new Date(T0),
    lastSeenAt: new Date(T0),
    expiresAt: newSessionExpiry(T0, RULES),
    ip: '127.0.0.1',
    userAgent: 'test',
    credentialVersion: 0,
    ...overrides,
  };
}

test('the absolute expiry is the sign-in instant plus the absolute lifetime', () => {
  assert.equal(newSessionExpiry(T0, RULES).getTime(), T0 + 43_200 * SECOND);
});

test('a fresh session is live', () => {
  assert.equal(isSessionExpired(session(), T0, RULES), false);
});

test('idle expiry: live one millisecond before lastSeen + idle timeout, expired at it', () => {
  const s = session();
  assert.equal(isSessionExpired(s, T0 + 1800 * SECOND - 1, RULES), false);
  assert.equal(isSessionExpired(s, T0 + 1800 * SECOND, RULES), true);
});

test('idle expiry slides with lastSeenAt', () => {
  const s = session({ lastSeenAt: new Date(T0 + 3600 * SECOND) });
  assert.equal(isSessionExpired(s, T0 + 3600 * SECOND + 1799 * SECOND, RULES), false);
  assert.equal(isSessionExpired(s, T0 + 3600 * SECOND + 1800 * SECOND, RULES), true);
});

test('absolute expiry applies even to a session seen a moment ago', () => {
  const expiresAt = T0 + 43_200 * SECOND;
  const s = session({ lastSeenAt: new Date(expiresAt - SECOND) });
  assert.equal(isSessionExpired(s, expiresAt - 1, RULES), false);
  assert.equal(isSessionExpired(s, expiresAt, RULES), true);
  assert.equal(isSessionExpired(s, expiresAt + 1, RULES), true);
});

test('touch: not before the touch interval has passed since lastSeenAt, then yes', () => {
  const s = session();
  assert.equal(shouldTouchSession(s, T0, RULES), false);
  assert.equal(shouldTouchSession(s, T0 + 60 * SECOND - 1, RULES), false);
  assert.equal(shouldTouchSession(s, T0 + 60 * SECOND, RULES), true);
});

test('touch interval 0 touches on every request', () => {
  assert.equal(shouldTouchSession(session(), T0, { ...RULES, touchIntervalSeconds: 0 }), true);
});
