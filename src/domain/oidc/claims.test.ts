import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_PASSWORD, authenticationContext, claimsFor, knownScopes } from './claims.ts';

test('acr/amr from the session’s methods: a password alone is pwd; with TOTP or a passkey, mfa', () => {
  assert.deepEqual(authenticationContext(undefined), { acr: ACR_PASSWORD, amr: ['pwd'] });
  assert.deepEqual(authenticationContext(['pwd']), { acr: ACR_PASSWORD, amr: ['pwd'] });
  assert.deepEqual(authenticationContext(['pwd', 'otp', 'mfa']), { acr: ACR_MULTI_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
  assert.deepEqual(authenticationContext(['pwd', 'otp']), { acr: ACR_MULTI_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
  assert.deepEqual(authenticationContext(['hwk']), { acr: ACR_MULTI_FACTOR, amr: ['hwk', 'mfa'] });
  assert.deepEqual(authenticationContext(['made-up']), { acr: ACR_PASSWORD, amr: ['pwd'] }, 'unknown names are not passed on');
});

test('claims by scope: sub always, the rest only when granted', () => {
  const user = { username: 'ada', email: 'ada@example.test', emailVerifiedAt: null, role: 'admin' as const };
  assert.deepEqual(claimsFor(user, 'SUBJECT', new Set(['openid'])), { sub: 'SUBJECT' });
  assert.deepEqual(claimsFor(user, 'SUBJECT', new Set(['openid', 'profile', 'email', 'groups'])), {
    sub: 'SUBJECT',
    preferred_username: 'ada',
    name: 'ada',
    email: 'ada@example.test',
    email_verified: false,
    groups: ['admin'],
  });
  assert.deepEqual(knownScopes('openid  email bogus profile'), ['openid', 'profile', 'email']);
});
