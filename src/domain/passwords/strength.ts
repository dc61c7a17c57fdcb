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
  /** Why the score is low, as a code; undefined when zxcvbn has no specific remark. */
  hint: HintCode | undefined;
}

/** Characters analysed; equal to the policy's hard maximum length. */
const ANALYSED_LENGTH = 256;

const estimator = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, maxLength: ANALYSED_LENGTH });

/** zxcvbn-ts warning keys we explain (each has a `hint.<key>` sentence in the catalog). */
export const HINT_CODES = [
  'straightRow',
  'keyPattern',
  'simpleRepeat',
  'extendedRepeat',
  'sequences',
  'recentYears',
  'dates',
  'topTen',
  'topHundred',
  'common',
  'similarToCommon',
  'wordByItself',
  'namesByThemselves',
  'commonNames',
  'userInputs',
] as const;

export type HintCode = (typeof HINT_CODES)[number];

function isHintCode(warning: string): warning is HintCode {
  return (HINT_CODES as readonly string[]).includes(warning);
}

/**
 * Estimates how guessable the NFKC-normalised `password` is; `userInputs` (username, email)
 * count as known words. Pure and synchronous; never throws.
 */
export function estimateStrength(normalizedPassword: string, userInputs: readonly string[]): StrengthEstimate {
  const result = estimator.check(normalizedPassword, [...userInputs]);
  const warning = result.feedback.warning;
  return { score: result.score as StrengthScore, hint: warning && isHintCode(warning) ? warning : undefined };
}
