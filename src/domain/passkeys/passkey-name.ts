/**
 * A passkey's name as stored: what the user typed, NFC-normalised, with control characters,
 * bidirectional overrides (which could make a name read as another) and runs of whitespace
 * made single spaces and the ends trimmed, at most 100 characters
 * (the column's width). Empty means "not named": the caller supplies a default.
 */
export const PASSKEY_NAME_MAX = 100;

export function normalizePasskeyName(typed: string): string {
  return typed
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\u200E\u200F\u202A-\u202E\u2066-\u2069\s]+/gu, ' ')
    .trim()
    .slice(0, PASSKEY_NAME_MAX)
    .trim()
    .toWellFormed();
}
