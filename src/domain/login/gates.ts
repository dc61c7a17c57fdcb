/**
 * Gates after sign-in: what an account must do before its pages open, as one ordered list
 * rather than booleans threaded through every page. Each gate is decided from the account
 * as read from the store on this request, so an operator's change applies at once.
 *
 * Today: `change-password` (ASVS v5.0.0-6.2.x: the password fails the current policy, or was
 * imported unusable). The next issues add `verify-email` (REQUIRE_EMAIL_VERIFICATION) and
 * `enrol-second-factor` (REQUIRE_2FA_FOR_ADMINS / _FOR_ALL) as entries of GATES.
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
