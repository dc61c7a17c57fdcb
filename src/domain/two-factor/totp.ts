/**
 * TOTP (RFC 6238) through `otpauth`: SHA-1, 6 digits, 30-second steps — what every
 * authenticator app reads from an `otpauth://` QR code. A secret is 160 random bits (RFC 4226
 * §4's recommended length), shown in base32.
 *
 * A code is accepted for the current step or one step either side (±30 s of clock drift),
 * and `matchingStep` says which step it matched, so the caller can refuse a step already
 * used (ASVS v5.0.0-6.5.1: a code works once; the store moves `last_step` with a guarded
 * update, so of two racing uses of one code exactly one wins).
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still match. */
export const TOTP_WINDOW = 1;
const ISSUER = 'Gatehouse';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The `otpauth://totp/…` URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, accountName: string): string {
  return totp(secretBase32, accountName).toString();
}

/** The time step `nowMs` falls in. */
export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** Six digits, spaces and dashes ignored (people type "123 456"). */
export function normalizeTotpCode(code: string): string | undefined {
  const digits = code.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

/** The step the code matches within the window, or undefined. Constant-time per candidate (otpauth). */
export function matchingStep(secretBase32: string, code: string, nowMs: number): number | undefined {
  const digits = normalizeTotpCode(code);
  if (digits === undefined) return undefined;
  const delta = totp(secretBase32).validate({ token: digits, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? undefined : stepAt(nowMs) + delta;
}

/** The code of a step (tests and the browser journey compute codes as an app would). */
export function codeAt(secretBase32: string, nowMs: number): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
