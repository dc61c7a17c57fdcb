/**
 * The password policy's problems: one stable code per rule and the facts its sentence may
 * quote. Codes are part of the API (forms and JSON clients branch on them) and never change
 * meaning; the sentences live in the message catalog (src/messages/en.ts, `problem.<code>`),
 * rendered at the edge, so the domain speaks no language.
 */
import type { CharacterClass } from './password-patterns.ts';
import type { HintCode } from './strength.ts';

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

/** Facts a problem's sentence may quote; each sentence reads only its own. */
export interface PasswordProblemParams {
  minLength: number;
  maxLength: number;
  length: number;
  score: number;
  minScore: number;
  hint: HintCode | undefined;
  missing: readonly CharacterClass[];
}
