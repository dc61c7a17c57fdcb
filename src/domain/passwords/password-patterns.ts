/**
 * The pattern rules of the password policy, as pure predicates over the NFKC form:
 * repetition, sequences (alphabet, digits, keyboard rows), the user's own identifiers, and
 * the opt-in character classes. Case never matters: `AbCd` is as sequential as `abcd`.
 *
 * NIST SP 800-63B §5.1.1.2 names "repetitive or sequential characters (e.g. 'aaaaaa',
 * '1234abcd')" and "context-specific words, such as the name of the service, the username"
 * among the values to refuse; OWASP ASVS 2.1.7.
 */

/** Identifiers shorter than this are ignored: every password "contains" `al` or `jo`. */
export const MIN_IDENTIFIER_LENGTH = 3;

/** Longest group whose repetition counts as repetitive: `aaaa`, `abab`, `abcabc`. */
const MAX_REPEATED_UNIT = 3;

/**
 * Cyclic runs typed as "sequences", read in either direction: digits (…8 9 0 1…), the
 * alphabet, and the letter rows of QWERTY, QWERTZ and AZERTY keyboards read left to right,
 * row after row (`qwertyuiopasdf`), plus the digit row.
 */
const RUNS = [
  '1234567890',
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
] as const;

function codePoints(text: string): string[] {
  return Array.from(text.toLowerCase());
}

/** True when the whole password is one character or one group of ≤ 3 repeated (`ababab`). */
export function isRepetitive(normalizedPassword: string): boolean {
  const chars = codePoints(normalizedPassword);
  if (chars.length < 3) return false;
  for (let unit = 1; unit <= Math.min(MAX_REPEATED_UNIT, Math.floor(chars.length / 2)); unit += 1) {
    if (chars.every((char, i) => char === chars[i % unit])) return true;
  }
  return false;
}

function followsRun(chars: readonly string[], run: string, step: 1 | -1): boolean {
  for (let i = 1; i < chars.length; i += 1) {
    const previous = run.indexOf(chars[i - 1]!);
    if (previous === -1 || run[(previous + step + run.length) % run.length] !== chars[i]) return false;
  }
  return true;
}

/**
 * True when the whole password is one ascending or descending sequence: consecutive code
 * points (`abcdef`, `αβγδ`, `87654321`) or a keyboard/digit run (`qwertyuiop`, `7890123`).
 */
export function isSequential(normalizedPassword: string): boolean {
  const chars = codePoints(normalizedPassword);
  if (chars.length < 3) return false;
  for (const step of [1, -1] as const) {
    const byCodePoint = chars.every(
      (char, i) => i === 0 || char.codePointAt(0)! - chars[i - 1]!.codePointAt(0)! === step,
    );
    if (byCodePoint || RUNS.some((run) => followsRun(chars, run, step))) return true;
  }
  return false;
}

/** Separators people put between or drop from the parts of a name: `j.smith`, `j-smith`, `jsmith`. */
const SEPARATORS = /[\s._+\-]/gu;

function compact(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(SEPARATORS, '');
}

/**
 * Forms of a username or of an email's local part that a password must not contain,
 * lowercased and without separators; for an email, the whole local part and the part before
 * a `+tag`. Forms shorter than MIN_IDENTIFIER_LENGTH are dropped.
 */
export function identifierForms(identifier: string, kind: 'username' | 'email'): string[] {
  let local = identifier.trim();
  const forms = new Set<string>();
  if (kind === 'email') {
    local = local.includes('@') ? local.slice(0, local.lastIndexOf('@')) : local;
    forms.add(compact(local.split('+')[0]!));
  }
  forms.add(compact(local));
  return [...forms].filter((form) => Array.from(form).length >= MIN_IDENTIFIER_LENGTH);
}

/** True when the password, compared like identifierForms, contains any of `forms`. */
export function containsAny(normalizedPassword: string, forms: readonly string[]): boolean {
  const compacted = compact(normalizedPassword);
  return forms.some((form) => compacted.includes(form));
}

export type CharacterClass = 'uppercase letter' | 'lowercase letter' | 'digit' | 'symbol';

/**
 * The opt-in composition rule (`requireClasses`): classes missing from the password, in a
 * fixed order. Letters without case (Chinese, Japanese, Arabic, …) count as both upper and
 * lower case, so the rule never locks out scripts that have no case.
 */
export function missingCharacterClasses(normalizedPassword: string): CharacterClass[] {
  const caseless = /\p{Lo}/u.test(normalizedPassword);
  const missing: CharacterClass[] = [];
  if (!caseless && !/[\p{Lu}\p{Lt}]/u.test(normalizedPassword)) missing.push('uppercase letter');
  if (!caseless && !/\p{Ll}/u.test(normalizedPassword)) missing.push('lowercase letter');
  if (!/\p{Nd}/u.test(normalizedPassword)) missing.push('digit');
  if (!/[^\p{L}\p{M}\p{N}]/u.test(normalizedPassword)) missing.push('symbol');
  return missing;
}
