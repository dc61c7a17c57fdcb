/**
 * The one normalisation every password goes through before it is checked or hashed, at
 * registration, sign-in and in the browser meter alike: Unicode NFKC (NIST SP 800-63B
 * §5.1.1.2), so `ｐａｓｓ` and `pass`, or a composed and a decomposed `é`, are one password.
 *
 * Kept apart from hasher.ts so the policy (and its browser bundle) never imports argon2.
 */

/** NFKC form of `password`; never truncates. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points (what users count as characters), not UTF-16 units. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
