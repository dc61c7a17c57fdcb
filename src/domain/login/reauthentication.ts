/**
 * Sudo mode (as GitHub does): sensitive actions — an account's email, password, second
 * factor and deletion, and every admin action on other accounts — open only within
 * SUDO_SECONDS (10 minutes by default) of the session's last authentication: its sign-in,
 * or a confirmation of the password here. A stolen, still-live session cookie alone
 * therefore cannot take the account over (ASVS v5.0.0-7.5.1: re-authentication before
 * sensitive changes; v5.0.0-7.5.3 for admin functions).
 *
 * The password is checked through the sign-in limiters (current-password.ts): this form is
 * no side door for guessing. Each attempt is audited (`sudo.succeeded`, `sudo.failed`).
 */
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import type { AuditLog } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.ts';
import { checkCurrentPassword } from './current-password.ts';
import type { LoginGuard } from './login.ts';

export type ReauthenticationResult = { kind: 'confirmed' } | { kind: 'wrong-current-password' } | { kind: 'throttled'; retryAfterSeconds: number };

export function createReauthenticationService(deps: {
  users: { findUserForLogin(identifierNormalized: string): Promise<{ id: number; passwordHash: string | null } | undefined> };
  hasher: Pick<PasswordHasher, 'verifyPassword'>;
  guard: LoginGuard;
  sessions: Pick<SessionService, 'markReauthenticated'>;
  audit: AuditLog;
  clock: Clock;
}) {
  const { sessions, audit, clock, guard } = deps;
  return {
    /** Confirms the password of the session `sessionToken`; on success that session is recent again. */
    async reauthenticate(input: { user: User; sessionToken: string; currentPassword: string; ip: string; by: AuditContext }): Promise<ReauthenticationResult> {
      const check = await checkCurrentPassword(deps, input);
      if (check.kind !== 'correct') {
        const reason = check.kind === 'throttled' ? 'throttled' : 'bad_password';
        await audit.record({ type: 'sudo.failed', outcome: 'failure', targetUserId: input.user.id, details: { reason } }, input.by);
        return check;
      }
      await guard.recordSuccess(check.accountKey, input.ip);
      await sessions.markReauthenticated(input.sessionToken, new Date(clock.now()));
      await audit.record({ type: 'sudo.succeeded', outcome: 'success', targetUserId: input.user.id }, input.by);
      return { kind: 'confirmed' };
    },
  };
}

export type ReauthenticationService = ReturnType<typeof createReauthenticationService>;
