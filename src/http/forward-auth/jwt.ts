/**
 * `X-Gatehouse-Jwt`: a short-lived ES256 JWT an application behind the proxy can verify
 * against `GET /auth/jwks.json`, so it need not trust the `Remote-*` headers on faith (a request
 * that bypassed the proxy cannot carry a valid one). 60 s, `iss` BASE_URL, `aud` the target's
 * origin (a token seen by one app is refused by another), `sub` the username, `typ: JWT`.
 * It carries no session token (ASVS v5.0.0-10.1.1).
 */
import { createPrivateKey, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import type { SigningKeyPair } from '../../domain/forward-auth/signing-key.ts';
import type { User } from '../../domain/users/user.ts';

export const JWT_LIFETIME_SECONDS = 60;
/**
 * A signed token is reused for the same session, audience and claims while it has at least
 * half its life left: an ES256 signature costs ~200 µs, more than the rest of a verify call
 * (measured, README "Protecting other applications"). The decision itself is never cached:
 * the session is read from the store on every call, so a revoked session gets no token.
 */
const REUSE_FOR_MS = (JWT_LIFETIME_SECONDS * 1000) / 2;
/** Bounded: beyond this many entries the oldest is forgotten first. */
const CACHE_MAX = 10_000;

export interface ProxyJwtSigner {
  sign(input: { sessionKey: string; user: User; groups: readonly string[]; issuer: string; audience: string; nowMs: number; authTime: Date; amr: readonly string[] }): Promise<string>;
  /** The JWKS document (`{ keys: [...] }`) with the public key only. */
  readonly jwks: { keys: SigningKeyPair['publicJwk'][] };
}

/**
 * A compact ES256 JWS (RFC 7515/7518): base64url(header).base64url(claims).signature, the
 * signature as raw r‖s (`ieee-p1363`), as JWS requires. Signed here with node:crypto,
 * synchronously, rather than with jose's SignJWT, which signs through WebCrypto on libuv's
 * thread pool: ~80 µs of the event loop against ~166 µs of CPU through jose (measured here),
 * once per session and audience every 30 s.
 * Verified by the tests with jose's jwtVerify against the published JWKS.
 */
function signCompactEs256(key: KeyObject, header: object, claims: object): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export async function createProxyJwtSigner(pair: SigningKeyPair): Promise<ProxyJwtSigner> {
  const key = createPrivateKey({ key: pair.privateJwk as JsonWebKey, format: 'jwk' });
  const cache = new Map<string, { jwt: string; issuedAtMs: number }>();
  return {
    jwks: { keys: [pair.publicJwk] },
    async sign({ sessionKey, user, groups, issuer, audience, nowMs, authTime, amr }) {
      const cacheKey = [sessionKey, audience, issuer, user.username, user.email, groups.join(','), amr.join(' '), authTime.getTime()].join('\u0000');
      const cached = cache.get(cacheKey);
      if (cached && nowMs >= cached.issuedAtMs && nowMs - cached.issuedAtMs < REUSE_FOR_MS) return cached.jwt;
      const now = Math.floor(nowMs / 1000);
      const jwt = signCompactEs256(
        key,
        { alg: 'ES256', typ: 'JWT', kid: pair.publicJwk.kid },
        {
          preferred_username: user.username,
          email: user.email,
          groups: [...groups],
          auth_time: Math.floor(authTime.getTime() / 1000),
          amr: [...amr],
          iss: issuer,
          aud: audience,
          sub: user.username,
          iat: now,
          nbf: now,
          exp: now + JWT_LIFETIME_SECONDS,
        },
      );
      cache.delete(cacheKey);
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(cacheKey, { jwt, issuedAtMs: now * 1000 });
      return jwt;
    },
  };
}
