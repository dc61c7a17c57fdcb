// Property: forward-auth rules decide from the live session: `group` the role, `mfa` a second
// factor in the sign-in (`authMethods`), `max_age` the last authentication; account gates first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Session } from '../sessions/session.ts';
import type { User } from '../users/user.ts';
import { decideAccess } from './rules.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const user: User = { id: 1, username: 'ana', email: 'ana@example.test', role: 'user', disabled: false, mustChangePassword: false, credentialVersion: 0, emailVerifiedAt: null, locale: null, createdAt: new Date(t0) };
const session: Session = { idHash: 'x', userId: 1, createdAt: new Date(t0), lastSeenAt: new Date(t0), expiresAt: new Date(t0 + 3_600_000), ip: '', userAgent: '', credentialVersion: 0, authMethods: ['pwd'] };

test('no rules: allowed; group: the role must match', () => {
  assert.equal(decideAccess({ user, session, rules: { mfa: false }, nowMs: t0 }), 'allowed');
  assert.equal(decideAccess({ user, session, rules: { mfa: false, group: 'admin' }, nowMs: t0 }), 'group_required');
  assert.equal(decideAccess({ user: { ...user, role: 'admin' }, session, rules: { mfa: false, group: 'admin' }, nowMs: t0 }), 'allowed');
});

test('mfa=1: only a sign-in with a second factor (otp+mfa, or a passkey)', () => {
  assert.equal(decideAccess({ user, session, rules: { mfa: true }, nowMs: t0 }), 'second_factor_required');
  assert.equal(decideAccess({ user, session: { ...session, authMethods: ['pwd', 'otp', 'mfa'] }, rules: { mfa: true }, nowMs: t0 }), 'allowed');
  assert.equal(decideAccess({ user, session: { ...session, authMethods: ['hwk', 'mfa'] }, rules: { mfa: true }, nowMs: t0 }), 'allowed');
});

test('max_age: seconds since sign-in or the last re-authentication', () => {
  const rules = { mfa: false, maxAgeSeconds: 60 };
  assert.equal(decideAccess({ user, session, rules, nowMs: t0 + 60_000 }), 'allowed');
  assert.equal(decideAccess({ user, session, rules, nowMs: t0 + 61_000 }), 'reauthentication_required');
  assert.equal(decideAccess({ user, session: { ...session, reauthenticatedAt: new Date(t0 + 50_000) }, rules, nowMs: t0 + 100_000 }), 'allowed');
});

test('v5.0.0-6.3.4: account gates apply here too (a password to change, REQUIRE_2FA_FOR_ALL)', () => {
  assert.equal(decideAccess({ user: { ...user, mustChangePassword: true }, session, rules: { mfa: false }, nowMs: t0 }), 'password_change_required');
  assert.equal(decideAccess({ user, session, rules: { mfa: false }, nowMs: t0, requireSecondFactor: true }), 'second_factor_required');
});
