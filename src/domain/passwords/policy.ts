/**
 * Password policy (issue #3), after NIST SP 800-63B §5.1.1.2 and OWASP ASVS 2.1: every rule
 * reports a stable code and a plain-language reason, all problems at once (Django's
 * password validators' shape). Pure and environment-free: the browser strength meter bundles
 * this very module, so the advice while typing is the server's verdict (which stays the only
 * authority).
 *
 * - Length: at least `minLength` (default 12, ASVS 2.1.1) and at most `maxLength` (256; ASVS
 *   2.1.2 asks for at least 64) code points of the NFKC form, never truncated (ASVS 2.1.3);
 *   any Unicode character allowed (ASVS 2.1.4).
 * - Refused: the bundled common-password list (ASVS 2.1.7), the username or the email's local
 *   part, passwords made only of repeated or sequential characters (§5.1.1.2).
 * - Final word: a zxcvbn-ts guessability score of at least `minScore` (default 3); the browser
 *   meter shows the same score (ASVS 2.1.8).
 * - Composition rules (upper, lower, digit, symbol) only when `requireClasses` is set:
 *   §5.1.1.2 says verifiers SHOULD NOT impose them (SHALL NOT in SP 800-63B-4; ASVS 2.1.9),
 *   so off by default.
 */
import { isCommonPassword } from './common-passwords.ts';
import { countCodePoints, normalizePassword } from './normalize.ts';
import {
  containsAny,
  identifierForms,
  isRepetitive,
  isSequential,
  missingCharacterClasses,
} from './password-patterns.ts';
import type { PasswordProblemCode, PasswordProblemParams } from './policy-messages.ts';
import { estimateStrength, type StrengthScore } from './strength.ts';

export { PASSWORD_PROBLEM_CODES, type PasswordProblemCode, type PasswordProblemParams } from './policy-messages.ts';
export type { StrengthScore } from './strength.ts';

/** zxcvbn score below which a password is refused when `minScore` is not configured. */
export const DEFAULT_MIN_SCORE = 3;

export interface PasswordPolicyConfig {
  /** Fewest code points after NFKC (PASSWORD_MIN_LENGTH, default 12). */
  minLength: number;
  /** Most code points after NFKC (256); longer passwords are refused, never truncated. */
  maxLength: number;
  /** Opt-in: require an upper- and lowercase letter, a digit and a symbol (default false). */
  requireClasses?: boolean;
  /** zxcvbn score 0–4 a password must reach (PASSWORD_MIN_SCORE, default 3). */
  minScore?: number;
}

/** Who the password is for; both optional (e.g. an admin-set password before the email). */
export interface PasswordContext {
  username?: string;
  email?: string;
}

/** One refused rule: its code and the facts its sentence quotes (rendered at the edge). */
export interface PasswordProblem {
  code: PasswordProblemCode;
  params: PasswordProblemParams;
}

export interface PasswordAssessment {
  /** Empty when the password is acceptable. */
  problems: PasswordProblem[];
  /** zxcvbn score 0–4 of the NFKC form; 0 when the password is too long to analyse. */
  score: StrengthScore;
}

/**
 * NFKC merges at most four code points into one (the longest canonical decomposition, e.g.
 * ᾯ), so beyond 8 UTF-16 units per allowed character the password is too long for sure and
 * is refused without normalising it (a 100 000-character paste costs microseconds).
 */
const UTF16_UNITS_PER_CHARACTER_BOUND = 8;

function identifierRules(normalized: string, context: PasswordContext): PasswordProblemCode[] {
  const codes: PasswordProblemCode[] = [];
  const usernameForms = context.username ? identifierForms(context.username, 'username') : [];
  const emailForms = context.email ? identifierForms(context.email, 'email') : [];
  if (containsAny(normalized, usernameForms)) codes.push('password_contains_username');
  // An email named like the username would only repeat the same advice.
  if (containsAny(normalized, emailForms.filter((form) => !usernameForms.includes(form)))) {
    codes.push('password_contains_email');
  }
  return codes;
}

function baseDetails(config: PasswordPolicyConfig, length: number): PasswordProblemParams {
  return {
    minLength: config.minLength,
    maxLength: config.maxLength,
    length,
    score: 0,
    minScore: config.minScore ?? DEFAULT_MIN_SCORE,
    hint: undefined,
    missing: [],
  };
}

/** Every rule but the score (microseconds); `length` is in code points of `normalized`. */
function ruleProblems(
  normalized: string,
  length: number,
  context: PasswordContext,
  config: PasswordPolicyConfig,
): { codes: PasswordProblemCode[]; details: PasswordProblemParams } {
  const codes: PasswordProblemCode[] = [];
  if (length < config.minLength) codes.push('password_too_short');
  if (isCommonPassword(normalized)) codes.push('password_common');
  codes.push(...identifierRules(normalized, context));
  if (isRepetitive(normalized)) codes.push('password_repetitive');
  else if (isSequential(normalized)) codes.push('password_sequential');
  const missing = config.requireClasses ? missingCharacterClasses(normalized) : [];
  if (missing.length > 0) codes.push('password_missing_classes');
  return { codes, details: { ...baseDetails(config, length), missing } };
}

function userInputs(context: PasswordContext): string[] {
  return [context.username, context.email, context.email?.split('@')[0]].filter(
    (input): input is string => Boolean(input),
  );
}

/** The NFKC form and its length in code points; undefined when longer than `maxLength`. */
function measurePassword(password: string, maxLength: number): { normalized: string; length: number } | undefined {
  if (password.length > maxLength * UTF16_UNITS_PER_CHARACTER_BOUND) return undefined;
  const normalized = normalizePassword(password);
  const length = countCodePoints(normalized);
  return length > maxLength ? undefined : { normalized, length };
}

/**
 * Checks `password` against every rule and estimates its strength, for forms and the
 * browser meter. A too-long password is reported alone, without further analysis. The
 * score rule is the final word: `password_too_weak` appears only when no other rule fired.
 * Pure; never throws.
 */
export function assessPassword(
  password: string,
  context: PasswordContext,
  config: PasswordPolicyConfig,
): PasswordAssessment {
  const measured = measurePassword(password, config.maxLength);
  if (!measured) {
    return { problems: [{ code: 'password_too_long', params: baseDetails(config, config.maxLength + 1) }], score: 0 };
  }
  const { normalized, length } = measured;
  const { codes, details } = ruleProblems(normalized, length, context, config);
  const strength = estimateStrength(normalized, userInputs(context));
  details.score = strength.score;
  details.hint = strength.hint;
  if (codes.length === 0 && strength.score < details.minScore) codes.push('password_too_weak');
  const problems = codes.map((code) => ({ code, params: details }));
  return { problems, score: strength.score };
}

/** Every policy problem of `password` (empty when acceptable); see assessPassword. Never throws. */
export function checkPassword(
  password: string,
  context: PasswordContext,
  config: PasswordPolicyConfig,
): PasswordProblem[] {
  return assessPassword(password, context, config).problems;
}

/**
 * True when a password that just verified at sign-in would be refused today (ASVS 2.1.7:
 * the policy also applies to existing passwords); the login flow then requires a change.
 * Runs the pattern rules (microseconds) first and the score estimate (a few ms) only when
 * they all pass. Same verdict as `checkPassword(...).length > 0`. Never throws.
 */
export function passwordFailsPolicy(password: string, user: PasswordContext, config: PasswordPolicyConfig): boolean {
  const measured = measurePassword(password, config.maxLength);
  if (!measured) return true;
  if (ruleProblems(measured.normalized, measured.length, user, config).codes.length > 0) return true;
  const score = estimateStrength(measured.normalized, userInputs(user)).score;
  return score < (config.minScore ?? DEFAULT_MIN_SCORE);
}
