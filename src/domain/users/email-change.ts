/**
 * Changing the address while signed in (issue #10, ASVS v5.0.0-6.3.x, 2.5.5 notices): the
 * current password is required; the new address gets a verification link (a `change-email`
 * token, 24 h, whose `data` is the new address) and the change takes effect only when that
 * link is followed (email-verification.ts `confirm`). The old address is told at once, with
 * the "this wasn't me" link. Token, both mails and the secure-account token are written in
 * one transaction: all of them, or none.
 *
 * Whether the new address is already someone's is not checked here (that would make this
 * form an oracle for registered addresses): the link then fails with a clear "taken".
 */
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { generateToken, sha256Hex } from '../crypto.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import type { MailComposer, Throttle, Transactor, UserStore } from '../ports.ts';
import { issueSecureAccountLink } from '../recovery/secure-account.ts';
import { canonicalEmail, isValidEmail, mailLocaleFor, normalizeEmail, normalizeUsername, type User } from './user.ts';
import { VERIFY_EMAIL_PATH, VERIFY_EMAIL_TOKEN_SECONDS } from './email-verification.ts';

export type EmailChangeResult =
  | { kind: 'requested' }
  | { kind: 'wrong-current-password' }
  | { kind: 'invalid'; field: 'email'; code: 'email_invalid' | 'email_unchanged' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function createEmailChangeService(deps: {
  transactor: Transactor;
  users: UserStore;
  hasher: PasswordHasher;
  mailComposer: MailComposer;
  throttle: Throttle;
  clock: Clock;
}) {
  const { transactor, users, hasher, mailComposer, throttle, clock } = deps;
  return {
    async requestEmailChange(input: { user: User; newEmail: string; currentPassword: string; locale: string; by: AuditContext }): Promise<EmailChangeResult> {
      const { user } = input;
      const email = canonicalEmail(input.newEmail);
      if (!isValidEmail(email)) return { kind: 'invalid', field: 'email', code: 'email_invalid' };
      if (normalizeEmail(email) === normalizeEmail(user.email)) return { kind: 'invalid', field: 'email', code: 'email_unchanged' };
      // Every try counts, right or wrong: 5 an hour bounds password guessing through this form.
      const decision = await throttle.consume('email-change-account', `user:${user.id}`);
      if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      const stored = await users.findUserForLogin(normalizeUsername(user.username));
      const valid = await hasher.verifyPassword(stored?.id === user.id ? stored.passwordHash : null, input.currentPassword);
      if (!stored || stored.id !== user.id || !valid) return { kind: 'wrong-current-password' };

      const now = new Date(clock.now());
      const token = generateToken(32);
      await transactor.run(async (tx) => {
        // One pending change at a time: a newer request voids the older link.
        await tx.tokens.deleteTokensForUser(user.id, 'change-email');
        await tx.tokens.createToken({
          hash: sha256Hex(token),
          purpose: 'change-email',
          userId: user.id,
          data: email,
          createdAt: now,
          expiresAt: new Date(now.getTime() + VERIFY_EMAIL_TOKEN_SECONDS * 1000),
        });
        const confirm = mailComposer.compose({
          kind: 'email-change',
          to: email,
          locale: mailLocaleFor(input.user, input.locale),
          params: { username: user.username, email },
          links: { verify: `${VERIFY_EMAIL_PATH}?token=${token}` },
        });
        await tx.mail.enqueue(confirm, now);
        const secure = await issueSecureAccountLink(tx, user.id, now);
        const notice = mailComposer.compose({
          kind: 'email-change-notice',
          to: user.email,
          locale: mailLocaleFor(input.user, input.locale),
          params: { username: user.username, email },
          links: { secure },
        });
        await tx.mail.enqueue(notice, now);
        await tx.audit.record({ type: 'email.change_requested', outcome: 'success', targetUserId: user.id }, input.by);
      });
      return { kind: 'requested' };
    },
  };
}

export type EmailChangeService = ReturnType<typeof createEmailChangeService>;
