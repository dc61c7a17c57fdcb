/**
 * The fingerprint of the password policy in force, kept apart from policy.ts so the browser
 * bundle of the policy needs no node:crypto.
 */
import { createHash } from 'node:crypto';
import { COMMON_PASSWORD_COUNT } from './common-passwords.ts';
import { DEFAULT_MIN_SCORE, type PasswordPolicyConfig } from './policy.ts';

/** Bumped whenever a rule in policy.ts changes meaning, so every password is checked again. */
const POLICY_RULES_VERSION = 1;

/**
 * A short fingerprint of the policy in force: its settings, the rules' version and the size of
 * the common-password list. A user whose password passed under this fingerprint need not be
 * checked again at sign-in; a change of policy changes it, and each user is re-checked once
 * at their next sign-in (ASVS 2.1.7) without paying the strength estimate on every sign-in.
 */
export function policyFingerprint(config: PasswordPolicyConfig): string {
  const settings = JSON.stringify([
    POLICY_RULES_VERSION,
    config.minLength,
    config.maxLength,
    config.minScore ?? DEFAULT_MIN_SCORE,
    config.requireClasses ?? false,
    COMMON_PASSWORD_COUNT,
  ]);
  return createHash('sha256').update(settings).digest('hex').slice(0, 16);
}
