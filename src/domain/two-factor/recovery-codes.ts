/**
 * Recovery codes: ten per enrolment, each 10 characters of a 32-letter alphabet without
 * look-alikes (50 bits, ASVS v5.0.0-6.5.2 asks ≥ 20 bits for lookup secrets with rate
 * limiting), shown once as `xxxxx-xxxxx`, stored only as SHA-256, each usable once.
 * Typed input is forgiving: case, spaces and the dash are ignored.
 */
import { randomInt } from 'node:crypto';
import { sha256Hex } from '../crypto.ts';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style: no I, L, O, U (read as 1, 1, 0, V), 32 symbols = 5 bits each. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The canonical form of a typed code, or undefined when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  if (compact.length !== LENGTH || ![...compact].every((char) => ALPHABET.includes(char))) return undefined;
  return compact;
}

export function recoveryCodeHash(code: string): string {
  return sha256Hex(`gatehouse-recovery:${normalizeRecoveryCode(code) ?? code}`);
}
