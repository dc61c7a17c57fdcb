/**
 * Gates after sign-in: what an account must do before its pages open, as one ordered list
 * rather than booleans threaded through every page. Each gate is decided from the account
 * as read from the store on this request, so an operator's change applies at once.
 *
 * Today: `change-password` (ASVS v5.0.0-6.2.x: the password fails the current policy, or was
 * imported unusable). `enrol-second-factor` (REQUIRE_2FA_FOR_ADMINS / _FOR_ALL) joins GATES next.
 *
 * Some rules stand before the session itself: `signInRefusal` says when a correct sign-in
 * gets no session at all. Today `email-unverified` (REQUIRE_EMAIL_VERIFICATION=1: an account
 * whose address was never confirmed is offered a new link instead, issue #10).
 */
import type { User } from '../users/user.ts';

export const SIGN_IN_GATES = ['change-password'] as const;

export type SignInGate = (typeof SIGN_IN_GATES)[number];

const GATES: ReadonlyArray<{ gate: SignInGate; applies(user: User): boolean }> = [
  { gate: 'change-password', applies: (user) => user.mustChangePassword },
];

/** The gates standing before `user`'s pages, in the order they must be passed. */
export function signInGates(user: User): SignInGate[] {
  return GATES.filter((entry) => entry.applies(user)).map((entry) => entry.gate);
}

/** Rules of this server that can refuse a correct sign-in. */
export interface SignInRules {
  requireEmailVerification: boolean;
}

export type SignInRefusal = 'email-unverified';

/** Why `user`, whose password was right, still gets no session; undefined when nothing stands in the way. */
export function signInRefusal(user: User, rules: SignInRules | undefined): SignInRefusal | undefined {
  if (rules?.requireEmailVerification && user.emailVerifiedAt === null) return 'email-unverified';
  return undefined;
}
