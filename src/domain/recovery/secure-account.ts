/**
 * "This wasn't me": every security notice (password changed, email change requested, sign-in
 * from a new browser) carries a single-use link to `/secure-account?token=…`. Following it
 * (GET confirms, POST acts) ends every session, voids every outstanding token, retires the
 * password and mails a fresh reset link (see `secureAccount` in secure-account-service.ts).
 *
 * `issueSecureAccountLink` is called by whoever queues a notice, inside the transaction that
 * queues it, so the token and the mail that carries it commit together or not at all.
 */
import type { AuditContext } from '../audit/events.ts';
import { generateToken, sha256Hex } from '../crypto.ts';
import type { Clock } from '../clock.ts';
import type { LoginGuard } from '../login/login.ts';
import { makeUnusablePassword, type PasswordHasher } from '../passwords/hasher.ts';
import type { MailComposer, Throttle, TransactionStores, Transactor, UserStore } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.ts';
import { endEverySession, isWellFormedRecoveryToken, queueResetLink } from './password-reset.ts';
import { checkCurrentPassword } from '../login/current-password.ts';

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

// ---------------------------------------------------------------------------------------
// The action itself: by the link's token, or by a signed-in user with the password.

export type SecureAccountResult =
  | { kind: 'secured'; userId: number }
  | { kind: 'invalid-token' }
  | { kind: 'wrong-current-password' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface SecureAccountDependencies {
  transactor: Transactor;
  users: Pick<UserStore, 'findUserForLogin'>;
  sessions: Pick<SessionService, 'endAllSessionsForUser'>;
  hasher: Pick<PasswordHasher, 'verifyPassword'>;
  throttle: Pick<Throttle, 'consume'>;
  guard: LoginGuard;
  mailComposer: MailComposer;
  clock: Clock;
}

export function createSecureAccountService(deps: SecureAccountDependencies) {
  const { transactor, users, sessions, hasher, throttle, guard, mailComposer, clock } = deps;

  /**
   * Inside one transaction: retire the password (an unusable hash; replacePassword bumps the
   * credential version, so every session is void), void every outstanding token, and queue a
   * fresh reset link to the address on file. Then the session rows go too.
   */
  async function lockDown(tx: TransactionStores, user: User, locale: string, now: Date, by: AuditContext, via: 'link' | 'settings'): Promise<void> {
    await tx.credentials.replacePassword(user.id, makeUnusablePassword(), { mustChangePassword: true, passwordPolicy: null });
    await tx.tokens.deleteTokensForUser(user.id);
    await queueResetLink(tx, mailComposer, user, { kind: 'account-secured', locale, now });
    await tx.audit.record({ type: 'account.secured', outcome: 'success', targetUserId: user.id, details: { via } }, by);
  }

  return {
    /** "This wasn't me" by the link's token (single-use, 7 days). */
    async secureByToken(input: { token: string; locale: string; ip: string; by: AuditContext }): Promise<SecureAccountResult> {
      const decision = await throttle.consume('secure-account-ip', input.ip);
      if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      if (!isWellFormedRecoveryToken(input.token)) return { kind: 'invalid-token' };
      const userId = await transactor.run(async (tx) => {
        const now = new Date(clock.now());
        const token = await tx.tokens.consumeToken(sha256Hex(input.token), 'secure-account', now);
        if (!token) return undefined;
        const user = await tx.users.findUserById(token.userId);
        if (!user) return undefined;
        await lockDown(tx, user, input.locale, now, input.by, 'link');
        return user.id;
      });
      if (userId === undefined) return { kind: 'invalid-token' };
      await endEverySession(sessions, userId);
      return { kind: 'secured', userId };
    },

    /** "Secure my account" from the settings page: the current password, then the same action. */
    async secureSignedIn(input: { user: User; currentPassword: string; locale: string; ip: string; by: AuditContext }): Promise<SecureAccountResult> {
      const decision = await throttle.consume('secure-account-ip', input.ip);
      if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      const check = await checkCurrentPassword({ users, hasher, guard }, input);
      if (check.kind !== 'correct') return check;
      await guard.recordSuccess(check.accountKey, input.ip);
      await transactor.run((tx) => lockDown(tx, input.user, input.locale, new Date(clock.now()), input.by, 'settings'));
      await endEverySession(sessions, input.user.id);
      return { kind: 'secured', userId: input.user.id };
    },
  };
}

export type SecureAccountService = ReturnType<typeof createSecureAccountService>;
