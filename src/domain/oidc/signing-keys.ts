/**
 * The provider's signing keys (issue #13; ASVS v5.0.0-11.6.1, v5.0.0-13.3.1): one ES256 key
 * (the default for ID tokens) and one RS256 key (for clients registered with `--alg RS256`)
 * per generation, generated with node:crypto, the private JWK sealed (AES-256-GCM under
 * `deriveKey(SECRET_KEY, 'oidc-keys:v1')`) before it reaches the store.
 *
 * - First use: when there are no keys, a generation is made and inserted; two instances
 *   starting at once both try, the store's unique index lets one win and the other reads its
 *   keys (no check-then-insert).
 * - `rotate()`: a new generation becomes current (listed first, so it signs); the previous
 *   one is retired but stays published in the JWKS for `retiredKeyDays` (default 7) so tokens
 *   signed just before the rotation still verify; retired keys past that are deleted by the
 *   next rotation and are never published. Rotation and its audit row commit together.
 * - `version()` changes whenever the key set does, so a running server can rebuild its
 *   provider after another process (the CLI) rotated.
 */
import { createHash, generateKeyPair, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { generateToken, openText, sealText } from '../crypto.ts';
import type { OidcKeyStore, OidcSigningAlg, OidcSigningKey, Transactor } from '../ports.ts';

/** A private JWK as oidc-provider's `jwks` option takes it. */
export type PrivateJwk = JsonWebKey & { kid: string; alg: OidcSigningAlg; use: 'sig' };

export interface OidcSigningKeys {
  /** Current keys first (one per algorithm), then the retired ones still published. */
  privateJwks(): Promise<{ keys: PrivateJwk[] }>;
  /** A new generation of keys; returns their ids. */
  rotate(by: AuditContext): Promise<{ kids: string[] }>;
  /** Changes when the key set changes. */
  version(): Promise<string>;
}

export const DEFAULT_RETIRED_KEY_DAYS = 7;
const DAY_MS = 86_400_000;
const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * RSA keys are 3072-bit: 128-bit security, as P-256 has (ASVS v5.0.0-11.2.3, which 2048 fails).
 * Made on libuv's thread pool: a 3072-bit key takes ~110 ms of CPU (measured here), which would
 * otherwise stall every request at the first OIDC call or a rotation.
 */
async function generate(alg: OidcSigningAlg): Promise<PrivateJwk> {
  const { privateKey } =
    alg === 'RS256'
      ? await generateKeyPairAsync('rsa', { modulusLength: 3072 })
      : alg === 'EdDSA'
        ? await generateKeyPairAsync('ed25519')
        : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: generateToken(16), alg, use: 'sig' };
}

export function createOidcSigningKeys(options: {
  store: OidcKeyStore;
  transactor: Transactor;
  sealKey: Buffer;
  clock: Clock;
  retiredKeyDays?: number;
  algorithms?: readonly OidcSigningAlg[];
}): OidcSigningKeys {
  const { store, transactor, sealKey, clock } = options;
  const retiredMs = (options.retiredKeyDays ?? DEFAULT_RETIRED_KEY_DAYS) * DAY_MS;
  const algorithms = options.algorithms ?? (['ES256', 'RS256'] as const);

  async function newGeneration(at: Date): Promise<{ keys: OidcSigningKey[]; kids: string[] }> {
    const jwks = await Promise.all(algorithms.map(generate));
    return {
      kids: jwks.map((jwk) => jwk.kid),
      keys: jwks.map((jwk) => ({ kid: jwk.kid, alg: jwk.alg, privateJwkSealed: sealText(sealKey, JSON.stringify(jwk)), createdAt: at, retiredAt: null })),
    };
  }

  /** The stored keys, made first when there are none (once, whoever races). */
  async function keys(): Promise<OidcSigningKey[]> {
    const found = await store.listKeys();
    if (found.length > 0) return found;
    const at = new Date(clock.now());
    const { keys: first, kids } = await newGeneration(at);
    await transactor.run(async (tx) => {
      if ((await tx.oidcKeys.createInitial(first)) === 'created') {
        await tx.audit.record({ type: 'oidc.keys_rotated', outcome: 'success', targetUserId: null, details: { kids: kids.join(' '), initial: true } }, { actorUserId: null, ip: null, userAgent: null, channel: 'system' });
      }
    });
    return store.listKeys();
  }

  return {
    async privateJwks() {
      const now = clock.now();
      const published = (await keys()).filter((key) => key.retiredAt === null || key.retiredAt.getTime() > now - retiredMs);
      const opened: PrivateJwk[] = [];
      for (const key of published) {
        const json = openText(sealKey, key.privateJwkSealed);
        // Sealed under another SECRET_KEY: unusable, left out (never published, never signs).
        if (json !== undefined) opened.push(JSON.parse(json) as PrivateJwk);
      }
      if (!opened.some((jwk) => algorithms.includes(jwk.alg))) throw new Error('oidc_keys_unreadable');
      // Current keys first: oidc-provider signs with the first key of the algorithm asked for.
      const current = new Set(published.filter((key) => key.retiredAt === null).map((key) => key.kid));
      return { keys: [...opened.filter((jwk) => current.has(jwk.kid)), ...opened.filter((jwk) => !current.has(jwk.kid))] };
    },
    async rotate(by) {
      await keys();
      const at = new Date(clock.now());
      const { keys: next, kids } = await newGeneration(at);
      await transactor.run(async (tx) => {
        await tx.oidcKeys.rotate(next, at, new Date(at.getTime() - retiredMs));
        await tx.audit.record({ type: 'oidc.keys_rotated', outcome: 'success', targetUserId: null, details: { kids: kids.join(' ') } }, by);
      });
      return { kids };
    },
    async version() {
      // The published set: it changes on rotation, and when a retired key leaves the window.
      const now = clock.now();
      const found = (await store.listKeys()).filter((key) => key.retiredAt === null || key.retiredAt.getTime() > now - retiredMs);
      const summary = found.map((key) => `${key.kid}:${key.retiredAt?.getTime() ?? ''}`).join(',');
      return createHash('sha256').update(summary).digest('base64url').slice(0, 16);
    },
  };
}
