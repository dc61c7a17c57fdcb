/**
 * The password policy's catalog: one stable code per rule and its message. Codes are part of
 * the API (forms and JSON clients branch on them) and never change meaning; messages say in
 * plain language why the password was refused and how to choose a good one.
 *
 * `satisfies Record<PasswordProblemCode, …>` makes a code without a message a compile error
 * (better-auth's error-codes.ts shape).
 */
import type { CharacterClass } from './password-patterns.ts';

export const PASSWORD_PROBLEM_CODES = [
  'password_too_short',
  'password_too_long',
  'password_common',
  'password_contains_username',
  'password_contains_email',
  'password_repetitive',
  'password_sequential',
  'password_missing_classes',
  'password_too_weak',
] as const;

export type PasswordProblemCode = (typeof PASSWORD_PROBLEM_CODES)[number];

/** Facts a message may quote; each message reads only its own. */
export interface MessageDetails {
  minLength: number;
  maxLength: number;
  length: number;
  score: number;
  minScore: number;
  hint: string | undefined;
  missing: readonly CharacterClass[];
}

const PASSPHRASE_ADVICE = 'A phrase of four or more unrelated words is long, easy to remember and hard to guess.';

function listWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

export const PASSWORD_MESSAGES = {
  password_too_short: (d: MessageDetails) =>
    `This password has ${d.length} character${d.length === 1 ? '' : 's'}; it needs at least ${d.minLength}. ${PASSPHRASE_ADVICE}`,
  password_too_long: (d: MessageDetails) =>
    `This password is longer than ${d.maxLength} characters. Use at most ${d.maxLength}; a phrase of a few words fits easily.`,
  password_common: () =>
    `This password is on a list of commonly used passwords, which attackers try first. Choose something nobody else would pick. ${PASSPHRASE_ADVICE}`,
  password_contains_username: () =>
    'This password contains your username, which attackers try first. Leave it out, and avoid other details about you.',
  password_contains_email: () =>
    'This password contains the name part of your email address, which attackers try first. Leave it out, and avoid other details about you.',
  password_repetitive: () =>
    `This password is one character or a short group repeated (like "aaaa" or "abab"), which is guessed in seconds. ${PASSPHRASE_ADVICE}`,
  password_sequential: () =>
    `This password is a sequence (like "abcd", "4321" or the keyboard row "qwerty"), which is guessed in seconds. ${PASSPHRASE_ADVICE}`,
  password_missing_classes: (d: MessageDetails) =>
    `This password has no ${listWords(d.missing, 'or')}, which this site requires. Add ${d.missing.length === 1 ? 'it' : 'them'} inside a longer phrase rather than only at the end.`,
  password_too_weak: (d: MessageDetails) =>
    `This password would be too easy to guess (strength ${d.score} of 4; at least ${d.minScore} is needed).${d.hint ? ` ${d.hint}` : ''} Make it longer with more unrelated words, or let a password manager generate one.`,
} satisfies Record<PasswordProblemCode, (details: MessageDetails) => string>;
