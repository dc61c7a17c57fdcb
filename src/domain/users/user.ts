/**
 * Users: the domain shape and the normalisation rules that decide identity.
 *
 * Usernames are NFKC-normalised (so full-width `ａｌｉｃｅ` is `alice`) and compared
 * case-insensitively through `normalizeUsername`; the database's unique index on the
 * normalised form is what makes two spellings of one name impossible.
 */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 50;
export const EMAIL_MAX_LENGTH = 254;
/** User ids are 32-bit `integer` columns on every dialect; larger ids cannot exist. */
export const MAX_USER_ID = 2_147_483_647;

export interface User {
  id: number;
  username: string;
  email: string;
  role: Role;
  disabled: boolean;
  /** Set when the stored password no longer passes the policy, or was imported unusable. */
  mustChangePassword: boolean;
  /** Moves on at every credential change; sessions made under an older one are void. */
  credentialVersion: number;
  /** When the address was confirmed by a link sent to it; null while unconfirmed. */
  emailVerifiedAt: Date | null;
  /** The account's language (`en`, `es`) for mail about it; null: not chosen yet. */
  locale: string | null;
  createdAt: Date;
}

export interface UserWithPassword extends User {
  /** PHC string; null when the account has no usable password. */
  passwordHash: string | null;
  /** Fingerprint of the policy the password last passed or failed (see policyFingerprint). */
  passwordPolicy: string | null;
}

export interface NewUser {
  username: string;
  usernameNormalized: string;
  email: string;
  emailNormalized: string;
  passwordHash: string;
  /** Fingerprint of the policy the password passed at creation; absent: never checked. */
  passwordPolicy?: string | null;
  role: Role;
  createdAt: Date;
  /** The language of the page the account was created from. */
  locale?: string | null;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Display form of a username: NFKC, trimmed. */
export function canonicalUsername(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** Identity form: NFKC, case-folded, NFKC again (case folding can denormalise). */
export function normalizeUsername(raw: string): string {
  return canonicalUsername(raw).toLowerCase().normalize('NFKC');
}

/** Display form of an email address: NFKC, trimmed. Validated and stored in this form. */
export function canonicalEmail(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** Email identity: the whole address case-folded, as most providers treat the local part. */
export function normalizeEmail(raw: string): string {
  return canonicalEmail(raw).toLowerCase();
}

/** Letters, digits, and `.`, `_`, `-` inside; no spaces, controls or look-alike separators. */
const USERNAME_PATTERN = /^[\p{L}\p{N}](?:[\p{L}\p{N}._-]*[\p{L}\p{N}])?$/u;

export type UsernameProblem = 'too_short' | 'too_long' | 'bad_characters';

export function checkUsername(canonical: string): UsernameProblem | null {
  const length = [...canonical].length;
  if (length < USERNAME_MIN_LENGTH) return 'too_short';
  if (length > USERNAME_MAX_LENGTH) return 'too_long';
  if (!USERNAME_PATTERN.test(canonical)) return 'bad_characters';
  return null;
}

/** A plausible address in its canonical form: one `@`, a dot after it, no spaces or controls. */
const EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

export function isValidEmail(canonical: string): boolean {
  return canonical.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(canonical);
}

/**
 * The language of mail about an account: the one the account chose (registration, `?lang=`
 * while signed in), else that of the request that caused the mail. A notice caused by
 * someone else's request (a sign-in from a new browser) so reaches its owner in the owner's
 * language, not the requester's.
 */
export function mailLocaleFor(user: { locale?: string | null }, requestLocale: string): string {
  return user.locale ?? requestLocale;
}
