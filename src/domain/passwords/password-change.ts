/**
 * Changing a password while signed in: the current password is verified (through the same
 * login limiters, so this form is no side door for guessing), the new one must pass the
 * policy and differ, and success ends every other session of the user (ASVS 3.3.3).
 */
import { type LoginGuard, throttleAccountKey } from '../login/login.ts';
import type { UserStore } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { normalizeUsername, type User } from '../users/user.ts';
import { normalizePassword, type PasswordHasher } from './hasher.ts';
import { checkPassword, type PasswordPolicyConfig } from './policy.ts';
import { policyFingerprint } from './policy-fingerprint.ts';

export type PasswordChangeResult =
  | { kind: 'changed'; endedSessions: number }
  | { kind: 'wrong-current-password' }
  | { kind: 'invalid'; problems: { code: string; message: string }[] }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function createPasswordChangeService(deps: {
  users: UserStore;
  sessions: SessionService;
  hasher: PasswordHasher;
  guard: LoginGuard;
  policy: PasswordPolicyConfig;
}) {
  const { users, sessions, hasher, guard, policy } = deps;
  const passwordPolicy = policyFingerprint(policy);
  return {
    async changePassword(input: {
      user: User;
      currentPassword: string;
      newPassword: string;
      ip: string;
      keepSessionToken: string;
    }): Promise<PasswordChangeResult> {
      const accountKey = throttleAccountKey(input.user, '');
      const decision = await guard.checkAttempt(accountKey, input.ip);
      if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      const stored = await users.findUserForLogin(normalizeUsername(input.user.username));
      const valid = stored?.passwordHash ? await hasher.verifyPassword(stored.passwordHash, input.currentPassword) : false;
      if (!stored || !valid) {
        await guard.recordFailure(accountKey, input.ip);
        return { kind: 'wrong-current-password' };
      }
      const problems: { code: string; message: string }[] = checkPassword(input.newPassword, { username: input.user.username, email: input.user.email }, policy);
      // Compared as hashed: NFKC-equal spellings (full-width, ligatures) are the same password.
      if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword)) {
        problems.push({ code: 'password_unchanged', message: 'Choose a password different from the current one.' });
      }
      if (problems.length > 0) return { kind: 'invalid', problems };
      await guard.recordSuccess(accountKey, input.ip);
      await users.updatePasswordHash(stored.id, await hasher.hashPassword(input.newPassword), {
        mustChangePassword: false,
        passwordPolicy,
      });
      const endedSessions = await sessions.endAllSessionsForUser(stored.id, { exceptToken: input.keepSessionToken });
      return { kind: 'changed', endedSessions };
    },
  };
}

export type PasswordChangeService = ReturnType<typeof createPasswordChangeService>;
