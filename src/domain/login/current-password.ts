/**
 * Re-checking the signed-in user's current password (a password change, "secure my
 * account", deleting the account): through the sign-in limiters, so no such form is a side
 * door for guessing (ASVS v5.0.0-6.3.1), with the same verification work as a sign-in. A
 * failure is counted here; the caller records the success once its own action is decided.
 */
import type { PasswordHasher } from '../passwords/hasher.ts';
import { normalizeUsername, type User } from '../users/user.ts';
import { type LoginGuard, throttleAccountKey } from './login.ts';

export type CurrentPasswordCheck =
  | { kind: 'correct'; userId: number; accountKey: string }
  | { kind: 'wrong-current-password' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export async function checkCurrentPassword(
  deps: {
    users: { findUserForLogin(identifierNormalized: string): Promise<{ id: number; passwordHash: string | null } | undefined> };
    hasher: Pick<PasswordHasher, 'verifyPassword'>;
    guard: LoginGuard;
  },
  input: { user: User; currentPassword: string; ip: string },
): Promise<CurrentPasswordCheck> {
  const accountKey = throttleAccountKey(input.user, '');
  const decision = await deps.guard.checkAttempt(accountKey, input.ip);
  if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  const stored = await deps.users.findUserForLogin(normalizeUsername(input.user.username));
  const own = stored?.id === input.user.id ? stored : undefined;
  const valid = await deps.hasher.verifyPassword(own ? own.passwordHash : null, input.currentPassword);
  if (!own || !valid) {
    await deps.guard.recordFailure(accountKey, input.ip);
    return { kind: 'wrong-current-password' };
  }
  return { kind: 'correct', userId: own.id, accountKey };
}
