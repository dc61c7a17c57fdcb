/**
 * Deleting one's own account (issue #10): the current password is verified through the
 * sign-in limiters (this form is no side door for guessing), then in one transaction the
 * user row goes (its sessions in SQL, tokens and known devices cascade with it) together
 * with every queued message to the address. Sessions are then ended on their store too
 * (Redis keeps them apart from SQL); one left behind by a failure finds no user and dies.
 */
import type { AuditContext } from '../audit/events.ts';
import type { LoginGuard } from '../login/login.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import type { Transactor } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from './user.ts';
import type { OidcUserRevocation } from '../oidc/interaction-links.ts';
import { checkCurrentPassword } from '../login/current-password.ts';

export type AccountDeletionResult =
  | { kind: 'deleted' }
  /** The last enabled admin may not delete their account (account-admin.ts). */
  | { kind: 'last-admin' }
  | { kind: 'wrong-current-password' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function createAccountDeletionService(deps: {
  transactor: Transactor;
  users: { findUserForLogin(identifierNormalized: string): Promise<{ id: number; passwordHash: string | null } | undefined> };
  sessions: Pick<SessionService, 'endAllSessionsForUser'>;
  hasher: Pick<PasswordHasher, 'verifyPassword'>;
  guard: LoginGuard;
  /** Revokes the user's OpenID Connect grants and tokens once the account is gone (issue #13). */
  oidc?: OidcUserRevocation;
}) {
  const { transactor, users, sessions, hasher, guard } = deps;
  return {
    async deleteAccount(input: { user: User; currentPassword: string; ip: string; by: AuditContext }): Promise<AccountDeletionResult> {
      const check = await checkCurrentPassword({ users, hasher, guard }, input);
      if (check.kind !== 'correct') return check;
      await guard.recordSuccess(check.accountKey, input.ip);
      // The OIDC subject goes with the row: read it first, revoke by it after.
      const revokeOidc = await deps.oidc?.prepare(check.userId);
      const outcome = await transactor.run(async (tx): Promise<'deleted' | 'unknown' | 'last-admin'> => {
        const admins = await tx.users.lockActiveAdmins();
        if (admins.includes(check.userId) && admins.length <= 1) {
          await tx.audit.record({ type: 'user.deleted', outcome: 'failure', targetUserId: check.userId, details: { reason: 'last_admin' } }, input.by);
          return 'last-admin';
        }
        await tx.tokens.deleteTokensForUser(check.userId);
        await tx.mail.deleteForRecipient(input.user.email);
        if (!(await tx.users.deleteUser(check.userId))) return 'unknown';
        // The pseudonymous record: the numeric id only, which no longer names anyone.
        await tx.audit.record({ type: 'user.deleted', outcome: 'success', targetUserId: check.userId, details: { by: 'self' } }, input.by);
        return 'deleted';
      });
      if (outcome === 'last-admin') return { kind: 'last-admin' };
      if (outcome === 'unknown') return { kind: 'wrong-current-password' };
      try {
        await sessions.endAllSessionsForUser(check.userId);
        await revokeOidc?.();
      } catch {
        // Rows left behind (Redis away) name a user that no longer exists: they sign no one in.
      }
      return { kind: 'deleted' };
    },
  };
}

export type AccountDeletionService = ReturnType<typeof createAccountDeletionService>;
