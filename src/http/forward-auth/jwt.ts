/**
 * `X-Gatehouse-Jwt`: a short-lived ES256 JWT an application behind the proxy can verify
 * against `GET /auth/jwks.json`, so it need not trust the `Remote-*` headers on faith (a request
 * that bypassed the proxy cannot carry a valid one). 60 s, `iss` BASE_URL, `aud` the target's
 * origin (a token seen by one app is refused by another), `sub` the username, `typ: JWT`.
 * It carries no session token (ASVS v5.0.0-10.1.1).
 */
import { importJWK, SignJWT } from 'jose';
import type { SigningKeyPair } from '../../domain/forward-auth/signing-key.ts';
import type { User } from '../../domain/users/user.ts';

export const JWT_LIFETIME_SECONDS = 60;

export interface ProxyJwtSigner {
  sign(input: { user: User; groups: readonly string[]; issuer: string; audience: string; nowMs: number; authTime: Date; amr: readonly string[] }): Promise<string>;
  /** The JWKS document (`{ keys: [...] }`) with the public key only. */
  readonly jwks: { keys: SigningKeyPair['publicJwk'][] };
}

export async function createProxyJwtSigner(pair: SigningKeyPair): Promise<ProxyJwtSigner> {
  const key = await importJWK(pair.privateJwk, 'ES256');
  return {
    jwks: { keys: [pair.publicJwk] },
    sign({ user, groups, issuer, audience, nowMs, authTime, amr }) {
      const now = Math.floor(nowMs / 1000);
      return new SignJWT({ preferred_username: user.username, email: user.email, groups: [...groups], auth_time: Math.floor(authTime.getTime() / 1000), amr: [...amr] })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: pair.publicJwk.kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(user.username)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + JWT_LIFETIME_SECONDS)
        .sign(key);
    },
  };
}
