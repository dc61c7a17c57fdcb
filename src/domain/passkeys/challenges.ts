/**
 * WebAuthn challenges (issue #12; ASVS v5.0.0-11.5.1, v5.0.0-2.3.4): 32 random bytes (256 bits,
 * well above the 64 the standard asks), single-use, 5 minutes, and bound to the browser
 * session that asked for them.
 *
 * What is stored is SHA-256(purpose, SHA-256(binding), challenge), where the binding is the
 * session (or pre-session) token for registration and usernameless sign-in, and the pending
 * sign-in's token for a second factor. The row can therefore be found only by someone who
 * holds both the challenge and that token: a challenge fetched in one browser is no good in
 * another (its hash names no row), nor for another purpose. Neither the challenge nor the
 * token can be read back from the table.
 *
 * The challenge to consume is read from the response's clientDataJSON; whether the
 * authenticator really signed it is then checked by @simplewebauthn/server against that very
 * value. Consuming deletes the row first, so a replayed or racing answer finds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { sha256Hex } from '../crypto.ts';
import type { WebauthnChallengePurpose, WebauthnChallengeStore } from '../ports.ts';

/** How long a ceremony may take, from options to verification (also the browser's timeout). */
export const CHALLENGE_SECONDS = 300;
const CHALLENGE_BYTES = 32;

function challengeHash(purpose: WebauthnChallengePurpose, binding: string, challenge: string): string {
  return sha256Hex(`webauthn:${purpose}:${sha256Hex(binding)}:${challenge}`);
}

/** The challenge a WebAuthn response answers (clientDataJSON's `challenge`); undefined when unreadable. Never throws. */
export function answeredChallenge(clientDataJSON: unknown): string | undefined {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4096) return undefined;
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(data.challenge) ? data.challenge : undefined;
  } catch {
    return undefined;
  }
}

export function createChallenges(store: WebauthnChallengeStore, clock: Clock) {
  return {
    /** A new challenge for `purpose`, bound to `binding`; its bytes go into the options. */
    async issue(purpose: WebauthnChallengePurpose, binding: string, userId: number | null): Promise<Uint8Array<ArrayBuffer>> {
      const bytes = new Uint8Array(randomBytes(CHALLENGE_BYTES));
      const challenge = Buffer.from(bytes).toString('base64url');
      const now = clock.now();
      await store.saveChallenge({ hash: challengeHash(purpose, binding, challenge), purpose, userId, expiresAt: new Date(now + CHALLENGE_SECONDS * 1000) }, new Date(now));
      return bytes;
    },

    /**
     * Uses up the challenge `challenge` of `purpose` issued to `binding`: its user (null for a
     * usernameless sign-in), or undefined when it is unknown, used, expired, of another
     * purpose or issued to another session.
     */
    async consume(purpose: WebauthnChallengePurpose, binding: string, challenge: string): Promise<{ userId: number | null } | undefined> {
      return store.consumeChallenge(challengeHash(purpose, binding, challenge), purpose, new Date(clock.now()));
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
