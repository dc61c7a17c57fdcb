/**
 * "This wasn't me": every security notice (password changed, email change requested, sign-in
 * from a new browser) carries a single-use link to `/secure-account?token=…`. Following it
 * (GET confirms, POST acts) ends every session, voids every outstanding token, retires the
 * password and mails a fresh reset link (see `secureAccount` in secure-account-service.ts).
 *
 * `issueSecureAccountLink` is called by whoever queues a notice, inside the transaction that
 * queues it, so the token and the mail that carries it commit together or not at all.
 */
import { generateToken, sha256Hex } from '../crypto.ts';
import type { TransactionStores } from '../ports.ts';

/** A notice may be read days later (holidays); the link stays usable for a week. */
export const SECURE_ACCOUNT_TOKEN_SECONDS = 7 * 24 * 60 * 60;

export const SECURE_ACCOUNT_PATH = '/secure-account';

/**
 * Creates a `secure-account` token for the user (256 random bits; only its SHA-256 is
 * stored) and returns the path with its query, `/secure-account?token=…`, for the
 * composer's `links`. Older secure-account tokens stay valid: each notice has its own link.
 */
export async function issueSecureAccountLink(tx: Pick<TransactionStores, 'tokens'>, userId: number, now: Date): Promise<string> {
  const token = generateToken(32);
  await tx.tokens.createToken({
    hash: sha256Hex(token),
    purpose: 'secure-account',
    userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SECURE_ACCOUNT_TOKEN_SECONDS * 1000),
  });
  return `${SECURE_ACCOUNT_PATH}?token=${token}`;
}
