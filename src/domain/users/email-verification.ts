/**
 * Email verification (issue #10): a link `/verify-email?token=…` mailed at registration and
 * again on request; following it (POST: the GET only shows a confirm button, since mail
 * scanners open links) marks the address verified. The same page also confirms a changed
 * address (email-change.ts): a `change-email` token carries the new address in its `data`.
 *
 * Tokens: 256 random bits (generateToken(32)), only their SHA-256 stored, single-use (the
 * store's guarded delete), 24 h. A token is found by the SHA-256 of what was presented, an
 * equality lookup on a uniformly random digest: no timing of the comparison tells a guesser
 * anything about a stored token. A `verify-email` token also names the address it was sent
 * to, so a link to an address the account no longer has verifies nothing; a newer link
 * voids the older ones.
 */
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { generateToken, sha256Hex } from '../crypto.ts';
import type { MailComposer, Throttle, TransactionStores, Transactor, UserStore } from '../ports.ts';
import { mailLocaleFor, normalizeEmail, type User } from './user.ts';

export const VERIFY_EMAIL_TOKEN_SECONDS = 24 * 60 * 60;
export const VERIFY_EMAIL_PATH = '/verify-email';

/** Creates a verify-email token for `user`'s current address and queues the link to it, in `tx`. */
export async function queueVerificationMail(
  tx: Pick<TransactionStores, 'tokens' | 'mail'>,
  composer: MailComposer,
  user: Pick<User, 'id' | 'username' | 'email'> & { locale?: string | null },
  locale: string,
  now: Date,
): Promise<void> {
  const token = generateToken(32);
  await tx.tokens.createToken({
    hash: sha256Hex(token),
    purpose: 'verify-email',
    userId: user.id,
    data: normalizeEmail(user.email),
    createdAt: now,
    expiresAt: new Date(now.getTime() + VERIFY_EMAIL_TOKEN_SECONDS * 1000),
  });
  const message = composer.compose({
    kind: 'verify-email',
    to: user.email,
    locale: mailLocaleFor(user, locale),
    params: { username: user.username },
    links: { verify: `${VERIFY_EMAIL_PATH}?token=${token}` },
  });
  await tx.mail.enqueue(message, now);
}

export type ResendResult = { kind: 'sent' } | { kind: 'already-verified' } | { kind: 'throttled'; retryAfterSeconds: number };

export type ConfirmResult =
  | { kind: 'verified'; userId: number }
  | { kind: 'email-changed'; userId: number }
  /** A changed address was registered by someone else meanwhile: nothing changed. */
  | { kind: 'address-taken' }
  /** Unknown, used, expired, or for an address the account no longer has. */
  | { kind: 'invalid' };

export function createEmailVerificationService(deps: {
  transactor: Transactor;
  users: UserStore;
  mailComposer: MailComposer;
  throttle: Throttle;
  clock: Clock;
}) {
  const { transactor, users, mailComposer, throttle, clock } = deps;

  /** A fresh link to an unverified account; older links stop working. Never says more than `sent`. */
  async function sendFresh(user: User, locale: string): Promise<void> {
    const now = new Date(clock.now());
    await transactor.run(async (tx) => {
      await tx.tokens.deleteTokensForUser(user.id, 'verify-email');
      await queueVerificationMail(tx, mailComposer, user, locale, now);
    });
  }

  return {
    /** The dashboard's "send a new link" (signed in): throttled per account and per IP. */
    async resendForUser(user: User, locale: string, ipKey: string): Promise<ResendResult> {
      if (user.emailVerifiedAt !== null) return { kind: 'already-verified' };
      for (const [limiter, key] of [['verify-resend-ip', ipKey], ['verify-resend-account', `user:${user.id}`]] as const) {
        const decision = await throttle.consume(limiter, key);
        if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      }
      await sendFresh(user, locale);
      return { kind: 'sent' };
    },

    /**
     * The signed-out "send a new link" (the page an unverified sign-in gets): by address, the
     * same answer whether or not an unverified account uses it; throttled per IP and per
     * address, counted alike for known and unknown addresses.
     */
    async resendForAddress(email: string, locale: string, ipKey: string): Promise<Exclude<ResendResult, { kind: 'already-verified' }>> {
      const normalized = normalizeEmail(email);
      for (const [limiter, key] of [['verify-resend-ip', ipKey], ['verify-resend-account', `email:${normalized}`]] as const) {
        const decision = await throttle.consume(limiter, key);
        if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      }
      const found = normalized.includes('@') ? await users.findUserForLogin(normalized) : undefined;
      if (found && found.emailVerifiedAt === null && !found.disabled) {
        const { passwordHash: _h, passwordPolicy: _p, ...user } = found;
        await sendFresh(user, locale);
      }
      return { kind: 'sent' };
    },

    /** Follows a link: a verify-email token verifies, a change-email token moves the address. */
    async confirm(token: string, by: AuditContext): Promise<ConfirmResult> {
      const now = new Date(clock.now());
      const hash = sha256Hex(token);
      // The token is used up, the address confirmed (or moved) and the event recorded in one
      // transaction. A taken address is refused by the unique index (under a savepoint in the
      // store), and the used token stays used: the link was for an address now someone else's.
      return transactor.run(async (tx): Promise<ConfirmResult> => {
        const verify = await tx.tokens.consumeToken(hash, 'verify-email', now);
        if (verify) {
          const user = await tx.users.findUserById(verify.userId);
          if (!user || normalizeEmail(user.email) !== verify.data) return { kind: 'invalid' };
          if ((await tx.users.markEmailVerified(user.id, now)) !== 'ok') return { kind: 'invalid' };
          await tx.audit.record({ type: 'email.verified', outcome: 'success', targetUserId: user.id }, by);
          return { kind: 'verified', userId: user.id };
        }
        const change = await tx.tokens.consumeToken(hash, 'change-email', now);
        if (!change || change.data === null) return { kind: 'invalid' };
        const email = change.data;
        const outcome = await tx.users.markEmailVerified(change.userId, now, { email, emailNormalized: normalizeEmail(email) });
        if (outcome === 'conflict') return { kind: 'address-taken' };
        if (outcome === 'unknown') return { kind: 'invalid' };
        // Links to the old address, and other pending changes, die with it.
        await tx.tokens.deleteTokensForUser(change.userId, 'verify-email');
        await tx.tokens.deleteTokensForUser(change.userId, 'change-email');
        await tx.audit.record({ type: 'email.changed', outcome: 'success', targetUserId: change.userId }, by);
        return { kind: 'email-changed', userId: change.userId };
      });
    },
  };
}

export type EmailVerificationService = ReturnType<typeof createEmailVerificationService>;
