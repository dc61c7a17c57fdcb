/**
 * Per-location access rules (`?group=`, `?mfa=1`, `?max_age=N` on the verify URL the proxy
 * calls) and the decision for one signed-in session. Pure; returns codes, never throws.
 */
import { hasSecondFactor, lastAuthenticatedAt, type Session } from '../sessions/session.ts';
import type { User } from '../users/user.ts';

export interface AccessRules {
  /** The role the user must hold (Remote-Groups lists the user's roles). */
  readonly group?: string;
  /** The session's sign-in must have passed a second factor (`authMethods` has `mfa` or `hwk`). */
  readonly mfa: boolean;
  /** At most this many seconds since the session's sign-in or its last re-authentication. */
  readonly maxAgeSeconds?: number;
}

export type AccessDecision = 'allowed' | 'group_required' | 'second_factor_required' | 'reauthentication_required' | 'password_change_required';

/** The user's groups as Remote-Groups carries them: the role (one role per account today). */
export function groupsOf(user: User): string[] {
  return [user.role];
}

/**
 * Whether the signed-in `session` of `user` may see a target guarded by `rules` at `nowMs`:
 * `allowed`, or the first rule that fails. The account's own gates come first, so forward-auth
 * is no way around them (ASVS v5.0.0-6.3.4): a password that must be changed, and with
 * REQUIRE_2FA_FOR_ALL (`requireSecondFactor`) a sign-in without a second factor.
 */
export function decideAccess(input: { user: User; session: Session; rules: AccessRules; nowMs: number; requireSecondFactor?: boolean }): AccessDecision {
  const { user, session, rules, nowMs } = input;
  if (user.mustChangePassword) return 'password_change_required';
  if (input.requireSecondFactor && !hasSecondFactor(session)) return 'second_factor_required';
  if (rules.group !== undefined && !groupsOf(user).includes(rules.group)) return 'group_required';
  if (rules.mfa && !hasSecondFactor(session)) return 'second_factor_required';
  if (rules.maxAgeSeconds !== undefined && nowMs - lastAuthenticatedAt(session).getTime() > rules.maxAgeSeconds * 1000) {
    return 'reauthentication_required';
  }
  return 'allowed';
}
