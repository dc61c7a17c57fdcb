/**
 * Password recovery (Django's PasswordResetView/PasswordResetConfirmView, Devise's
 * recoverable): ask for a link by address, follow it, choose a new password.
 *
 *  - `requestReset` answers the same for every address (the caller cannot tell whether an
 *    account exists): both limiters count the normalised address whether or not it is
 *    known, and when it is, one transaction voids the user's earlier reset tokens, creates a
 *    30-minute one (256 random bits, only the SHA-256 stored) and queues the mail. Nothing
 *    is sent inline (the sender delivers from the queue), so delivery never shows in timing.
 *  - `resetPassword` consumes the token (single-use, guarded delete), replaces the password
 *    (bumping the credential version: every session made before is void at its next
 *    request), voids every other outstanding token and queues the "your password was
 *    changed" notice with its "this wasn't me" link, in one transaction; then ends every
 *    session of the user. A password the policy refuses rolls the transaction back, so the
 *    token still works for a better try.
 */
import type { AuditContext } from '../audit/events.ts';
import { generateToken, sha256Hex } from '../crypto.ts';
import type { Clock } from '../clock.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import { checkPassword, type PasswordPolicyConfig, type PasswordProblem } from '../passwords/policy.ts';
import { policyFingerprint } from '../passwords/policy-fingerprint.ts';
import type { MailComposer, Throttle, TransactionStores, Transactor, UserStore } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { mailLocaleFor, normalizeEmail, type User } from '../users/user.ts';
import { issueSecureAccountLink } from './secure-account.ts';

/** Django's PASSWORD_RESET_TIMEOUT is 3 days; a reset link is a bearer credential, so 30 minutes. */
export const RESET_TOKEN_SECONDS = 30 * 60;

export const RESET_PATH = '/reset-password';

/** base64url of 32 bytes: what `generateToken()` makes. Anything else is refused before a lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedRecoveryToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}

export type RequestResetResult = { kind: 'accepted' } | { kind: 'throttled'; retryAfterSeconds: number };

export type ResetPasswordResult =
  | { kind: 'reset'; userId: number }
  | { kind: 'invalid-token' }
  | { kind: 'invalid'; problems: PasswordProblem[] };

/** Thrown inside the transaction to roll back a consumed token when the password is refused. */
class RefusedPassword extends Error {
  readonly problems: PasswordProblem[];
  constructor(problems: PasswordProblem[]) {
    super('refused password');
    this.problems = problems;
  }
}

export interface PasswordRecoveryDependencies {
  transactor: Transactor;
  users: Pick<UserStore, 'findUserForLogin'>;
  sessions: Pick<SessionService, 'endAllSessionsForUser'>;
  hasher: Pick<PasswordHasher, 'hashPassword'>;
  throttle: Pick<Throttle, 'consume'>;
  mailComposer: MailComposer;
  clock: Clock;
  policy: PasswordPolicyConfig;
}

/**
 * Inside `tx`: voids the user's earlier reset tokens, creates a fresh one and queues the mail
 * `kind` (`password-reset`, or `account-secured` after "this wasn't me") carrying its link.
 */
export async function queueResetLink(
  tx: TransactionStores,
  composer: MailComposer,
  user: Pick<User, 'id' | 'email' | 'username'> & { locale?: string | null },
  options: { kind: 'password-reset' | 'account-secured'; locale: string; now: Date },
): Promise<void> {
  const { now } = options;
  await tx.tokens.deleteTokensForUser(user.id, 'password-reset');
  const token = generateToken(32);
  await tx.tokens.createToken({
    hash: sha256Hex(token),
    purpose: 'password-reset',
    userId: user.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + RESET_TOKEN_SECONDS * 1000),
  });
  const message = composer.compose({
    kind: options.kind,
    to: user.email,
    locale: mailLocaleFor(user, options.locale),
    params: { username: user.username, minutes: RESET_TOKEN_SECONDS / 60 },
    links: { reset: `${RESET_PATH}?token=${token}` },
  });
  await tx.mail.enqueue(message, now);
}

/** Inside `tx`: the "your password was changed" notice with its "this wasn't me" link. */
export async function queuePasswordChangedNotice(
  tx: TransactionStores,
  composer: MailComposer,
  user: Pick<User, 'id' | 'email' | 'username'> & { locale?: string | null },
  options: { locale: string; now: Date },
): Promise<void> {
  const secure = await issueSecureAccountLink(tx, user.id, options.now);
  const message = composer.compose({
    kind: 'password-changed',
    to: user.email,
    locale: mailLocaleFor(user, options.locale),
    params: { username: user.username, time: options.now.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' },
    links: { secure },
  });
  await tx.mail.enqueue(message, options.now);
}

export function createPasswordRecoveryService(deps: PasswordRecoveryDependencies) {
  const { transactor, users, sessions, hasher, throttle, mailComposer, clock, policy } = deps;
  const passwordPolicy = policyFingerprint(policy);
  const now = () => new Date(clock.now());

  return {
    /** Always `accepted` unless throttled, whether or not the address belongs to an account. */
    async requestReset(input: { email: string; locale: string; ip: string; by: AuditContext }): Promise<RequestResetResult> {
      const address = normalizeEmail(input.email);
      const byIp = await throttle.consume('password-reset-ip', input.ip);
      if (!byIp.allowed) return { kind: 'throttled', retryAfterSeconds: byIp.retryAfterSeconds };
      // Keyed by the address as typed (normalised), known or not: the limiter itself says nothing.
      const byAccount = await throttle.consume('password-reset-account', address);
      if (!byAccount.allowed) return { kind: 'throttled', retryAfterSeconds: byAccount.retryAfterSeconds };
      // Only an address finds an account here: a username typed into this form matches nothing.
      const user = address.includes('@') ? await users.findUserForLogin(address) : undefined;
      if (user && !user.disabled && normalizeEmail(user.email) === address) {
        await transactor.run(async (tx) => {
          await queueResetLink(tx, mailComposer, user, { kind: 'password-reset', locale: input.locale, now: now() });
          await tx.audit.record({ type: 'password.reset_requested', outcome: 'success', targetUserId: user.id }, input.by);
        });
      }
      return { kind: 'accepted' };
    },

    async resetPassword(input: { token: string; password: string; locale: string; by: AuditContext }): Promise<ResetPasswordResult> {
      if (!isWellFormedRecoveryToken(input.token)) return { kind: 'invalid-token' };
      // The rules that need no account first, so a refused password costs no hashing.
      const contextFree = checkPassword(input.password, { username: '', email: '' }, policy);
      if (contextFree.length > 0) return { kind: 'invalid', problems: contextFree };
      const passwordHash = await hasher.hashPassword(input.password);
      let userId: number | undefined;
      try {
        userId = await transactor.run(async (tx) => {
          const at = now();
          const token = await tx.tokens.consumeToken(sha256Hex(input.token), 'password-reset', at);
          if (!token) return undefined;
          const user = await tx.users.findUserById(token.userId);
          if (!user || user.disabled) return undefined;
          const problems = checkPassword(input.password, { username: user.username, email: user.email }, policy);
          if (problems.length > 0) throw new RefusedPassword(problems);
          await tx.credentials.replacePassword(user.id, passwordHash, { mustChangePassword: false, passwordPolicy });
          await tx.tokens.deleteTokensForUser(user.id);
          await queuePasswordChangedNotice(tx, mailComposer, user, { locale: input.locale, now: at });
          await tx.audit.record({ type: 'password.reset', outcome: 'success', targetUserId: user.id }, input.by);
          return user.id;
        });
      } catch (error) {
        if (error instanceof RefusedPassword) return { kind: 'invalid', problems: error.problems };
        throw error;
      }
      if (userId === undefined) return { kind: 'invalid-token' };
      await endEverySession(sessions, userId);
      return { kind: 'reset', userId };
    },
  };
}

/** Every session is already void by the credential version; the delete only tidies up. */
export async function endEverySession(sessions: Pick<SessionService, 'endAllSessionsForUser'>, userId: number): Promise<void> {
  try {
    await sessions.endAllSessionsForUser(userId);
  } catch {
    // Redis away: the sessions fail their credential-version check all the same.
  }
}

export type PasswordRecoveryService = ReturnType<typeof createPasswordRecoveryService>;
