// Property: the X-Gatehouse-Jwt key is a function of SECRET_KEY alone (every instance agrees), and a new secret is a new key.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { signingKeyFromSeed } from './signing-key.ts';

test('the same seed gives the same P-256 pair; another seed another; the pair signs and verifies', () => {
  const a = signingKeyFromSeed(Buffer.alloc(32, 1));
  assert.deepEqual(signingKeyFromSeed(Buffer.alloc(32, 1)), a);
  assert.notEqual(signingKeyFromSeed(Buffer.alloc(32, 2)).publicJwk.kid, a.publicJwk.kid);
  assert.equal('d' in a.publicJwk, false);
  const signature = sign('sha256', Buffer.from('hello'), { key: createPrivateKey({ key: a.privateJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  assert.ok(verify('sha256', Buffer.from('hello'), { key: createPublicKey({ key: a.publicJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, signature));
});
