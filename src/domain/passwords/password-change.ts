/**
 * Changing a password while signed in: the current password is verified (through the same
 * login limiters, so this form is no side door for guessing), the new one must pass the
 * policy and differ, and success voids every other session of the user (ASVS v5.0.0-7.4.3).
 *
 * The new hash and a new credential version are written in one statement, inside the
 * unit of work that will also hold the audit row and the "password changed" mail (#10, #11).
 * Other sessions die by that version alone (session-service.ts refuses a stale one), so a
 * failure to delete them afterwards (Redis away) cannot leave an attacker signed in; the
 * deletes only tidy up. The session that made the change moves to the new version.
 */
import type { AuditContext } from '../audit/events.ts';
import type { LoginGuard } from '../login/login.ts';
import type { MailComposer, Transactor } from '../ports.ts';
import { queuePasswordChangedNotice } from '../recovery/password-reset.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.ts';
import { normalizePassword, type PasswordHasher } from './hasher.ts';
import { checkPassword, type PasswordPolicyConfig, type PasswordProblem } from './policy.ts';
import { policyFingerprint } from './policy-fingerprint.ts';
import { checkCurrentPassword } from '../login/current-password.ts';

export type PasswordChangeProblem = PasswordProblem | { code: 'password_unchanged' };

export type PasswordChangeResult =
  /** `endedSessions`: rows deleted, or null when the delete failed (the sessions are void all the same). */
  | { kind: 'changed'; endedSessions: number | null }
  | { kind: 'wrong-current-password' }
  | { kind: 'invalid'; problems: PasswordChangeProblem[] }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function createPasswordChangeService(deps: {
  transactor: Transactor;
  users: { findUserForLogin(identifierNormalized: string): Promise<{ id: number; passwordHash: string | null } | undefined> };
  sessions: SessionService;
  hasher: PasswordHasher;
  guard: LoginGuard;
  policy: PasswordPolicyConfig;
  /** For the "your password was changed" notice (issue #10); without it, no notice. */
  mailComposer?: MailComposer;
}) {
  const { transactor, users, sessions, hasher, guard, policy, mailComposer } = deps;
  const passwordPolicy = policyFingerprint(policy);
  return {
    async changePassword(input: {
      user: User;
      currentPassword: string;
      newPassword: string;
      ip: string;
      keepSessionToken: string;
      /** The language of the notice mail (the request's); English when absent. */
      locale?: string;
      by: AuditContext;
    }): Promise<PasswordChangeResult> {
      const check = await checkCurrentPassword({ users, hasher, guard }, input);
      if (check.kind !== 'correct') return check;
      const { accountKey } = check;
      const userId = check.userId;
      const problems: PasswordChangeProblem[] = checkPassword(input.newPassword, { username: input.user.username, email: input.user.email }, policy);
      // Compared as hashed: NFKC-equal spellings (full-width, ligatures) are the same password.
      if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword)) problems.push({ code: 'password_unchanged' });
      if (problems.length > 0) return { kind: 'invalid', problems };
      await guard.recordSuccess(accountKey, input.ip);
      const passwordHash = await hasher.hashPassword(input.newPassword);
      // One unit of work: the new password, the void reset links and the notice (with its
      // "this wasn't me" link) commit together.
      const version = await transactor.run(async (tx) => {
        const changed = await tx.credentials.replacePassword(userId, passwordHash, { mustChangePassword: false, passwordPolicy });
        if (changed === undefined) return undefined;
        await tx.tokens.deleteTokensForUser(userId, 'password-reset');
        if (mailComposer) await queuePasswordChangedNotice(tx, mailComposer, input.user, { locale: input.locale ?? 'en', now: new Date() });
        await tx.audit.record({ type: 'password.changed', outcome: 'success', targetUserId: userId }, input.by);
        return changed;
      });
      if (version === undefined) return { kind: 'wrong-current-password' };
      await sessions.rebindSession(input.keepSessionToken, version);
      let endedSessions: number | null;
      try {
        endedSessions = await sessions.endAllSessionsForUser(userId, { exceptToken: input.keepSessionToken });
      } catch {
        // Already void by their credential version; the rows expire on their own.
        endedSessions = null;
      }
      return { kind: 'changed', endedSessions };
    },
  };
}

export type PasswordChangeService = ReturnType<typeof createPasswordChangeService>;
