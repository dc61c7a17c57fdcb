/**
 * Password policy. Every rule reports a stable code and a plain-language reason; all
 * problems are reported at once (Django's validators' shape).
 *
 * Length: at least `minLength` (default 12, OWASP ASVS 2.1.1) and at most 256 characters,
 * counted in Unicode code points after NFKC, never truncated (ASVS 2.1.2, NIST SP 800-63B §5.1.1.2).
 */
import { normalizePassword } from './hasher.js';

export interface PasswordPolicyConfig {
  minLength: number;
  maxLength: number;
}

export interface PasswordContext {
  username?: string;
  email?: string;
}

export interface PasswordProblem {
  code: string;
  message: string;
}

export function checkPassword(
  password: string,
  _context: PasswordContext,
  config: PasswordPolicyConfig,
): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...normalizePassword(password)].length;
  if (length < config.minLength) {
    problems.push({
      code: 'password_too_short',
      message: `Use at least ${config.minLength} characters; a passphrase of a few unrelated words is easy to remember and hard to guess.`,
    });
  }
  if (length > config.maxLength) {
    problems.push({ code: 'password_too_long', message: `Use at most ${config.maxLength} characters.` });
  }
  return problems;
}
