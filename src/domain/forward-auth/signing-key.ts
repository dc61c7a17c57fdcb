/**
 * The ES256 key that signs `X-Gatehouse-Jwt` (issue #13), derived from SECRET_KEY alone, so
 * every instance behind a load balancer signs with the same key and publishes the same JWKS
 * without storing anything. Rotating SECRET_KEY rotates this key (and, as documented, every
 * other derived key). Deterministic: HKDF-SHA256 (RFC 5869) of the purpose key gives 48 bytes,
 * reduced into [1, n-1] for P-256's group order n (the bias of a 384-bit value mod a 256-bit
 * order is below 2^-128, as FIPS 186-5 A.2.1 "extra random bits" prescribes).
 */
import { createECDH, createHash, hkdfSync } from 'node:crypto';

/** The order of P-256's base point (FIPS 186-5 / SEC 2). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export interface SigningKeyPair {
  /** The private JWK (never published, never logged). */
  privateJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; d: string; kid: string; alg: 'ES256'; use: 'sig' };
  /** The public JWK as the JWKS publishes it. */
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };
}

/** The key pair for `seed` (32 bytes from deriveKey(SECRET_KEY, purpose)); the same seed always gives the same pair. */
export function signingKeyFromSeed(seed: Buffer): SigningKeyPair {
  const okm = Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), 'gatehouse forward-auth ES256 v1', 48));
  const scalar = (BigInt(`0x${okm.toString('hex')}`) % (P256_ORDER - 1n)) + 1n;
  const d = Buffer.from(scalar.toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33, 65).toString('base64url');
  // kid: the RFC 7638 thumbprint of the public key, so a new key has a new id.
  const kid = createHash('sha256').update(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y })).digest('base64url');
  const common = { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' } as const;
  return { privateJwk: { ...common, d: d.toString('base64url') }, publicJwk: common };
}
