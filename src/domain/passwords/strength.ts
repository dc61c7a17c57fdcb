/**
 * Guessability estimate with zxcvbn-ts: score 0–4, where 3 means "safely unguessable:
 * moderate protection from offline slow-hash scenario" (≥ 10^8 guesses) and 4 "very
 * unguessable" (≥ 10^10). It sees dictionary words, names, dates, keyboard patterns,
 * l33t speak and the user's own details, which composition rules do not
 * (NIST SP 800-63B §5.1.1.2 and Appendix A: length and blocklists over complexity rules).
 *
 * Only the first 256 characters are analysed (zxcvbn-ts `maxLength`), which bounds the cost of
 * one estimate to a few milliseconds; the policy never asks about longer passwords anyway.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  /** Why the score is low, in plain language; undefined when zxcvbn has no specific remark. */
  hint: string | undefined;
}

/** Characters analysed; equal to the policy's hard maximum length. */
const ANALYSED_LENGTH = 256;

const estimator = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, maxLength: ANALYSED_LENGTH });

/** zxcvbn-ts warning keys (translation keys, no language pack needed) to our wording. */
const HINTS: Readonly<Record<string, string>> = {
  straightRow: 'Straight rows of keys are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters such as "aaa" are easy to guess.',
  extendedRepeat: 'Repeated groups such as "abcabcabc" are easy to guess.',
  sequences: 'Sequences such as "abc" or "6543" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'It is one of the most used passwords.',
  topHundred: 'It is one of the most used passwords.',
  common: 'It is a commonly used password.',
  similarToCommon: 'It closely resembles a commonly used password.',
  wordByItself: 'A single word is easy to guess.',
  namesByThemselves: 'Names on their own are easy to guess.',
  commonNames: 'Common names are easy to guess.',
  userInputs: 'It contains your username or email address.',
};

/**
 * Estimates how guessable the NFKC-normalised `password` is; `userInputs` (username, email)
 * count as known words. Pure and synchronous; never throws.
 */
export function estimateStrength(normalizedPassword: string, userInputs: readonly string[]): StrengthEstimate {
  const result = estimator.check(normalizedPassword, [...userInputs]);
  const warning = result.feedback.warning;
  return { score: result.score as StrengthScore, hint: warning ? HINTS[warning] : undefined };
}
