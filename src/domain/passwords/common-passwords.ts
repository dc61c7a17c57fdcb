/**
 * The bundled list of commonly used passwords (NIST SP 800-63B §5.1.1.2: "passwords obtained
 * from previous breach corpuses"; OWASP ASVS 2.1.7): the `passwords-common` dictionary of
 * @zxcvbn-ts/language-common, 49 233 entries drawn from leaked-password frequency lists,
 * all lowercase ASCII. Matching is exact and case-insensitive on the NFKC form, so
 * `Password123` and `ｐａｓｓｗｏｒｄ１２３` are both refused.
 *
 * The list is offline on purpose: no password or hash prefix leaves the server (or the
 * browser, where the meter bundles the same list).
 */
import { dictionary } from '@zxcvbn-ts/language-common';

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

/** Entries in the bundled list (asserted ≥ 10 000 by the tests). */
export const COMMON_PASSWORD_COUNT = COMMON_PASSWORDS.size;

/** True when the already NFKC-normalised `password` is on the list, ignoring case. */
export function isCommonPassword(normalizedPassword: string): boolean {
  return COMMON_PASSWORDS.has(normalizedPassword.toLowerCase());
}
