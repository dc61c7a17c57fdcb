/**
 * The catalog entries the strength meter speaks, in both languages: the password problems
 * and their parts (`problem.*`, `class.*`, `hint.*`), the meter's own lines (`meter.*`) and
 * the generic fallback. Computed here from the full catalogs (for type-checking and tests);
 * scripts/build-assets.js replaces this module in the browser bundle with the same subset as
 * a literal, so the bundle never carries the rest of the catalogs.
 */
import { en, type MessageKey } from '../messages/en.ts';
import { es } from '../messages/es.ts';

export const METER_MESSAGE_PREFIXES = ['problem.', 'class.', 'hint.', 'meter.'] as const;
export const METER_MESSAGE_KEYS = ['error.invalid_input'] as const;

export function isMeterMessage(key: string): boolean {
  return METER_MESSAGE_PREFIXES.some((prefix) => key.startsWith(prefix)) || (METER_MESSAGE_KEYS as readonly string[]).includes(key);
}

function subset(catalog: Readonly<Record<MessageKey, string>>): Partial<Record<MessageKey, string>> {
  return Object.fromEntries(Object.entries(catalog).filter(([key]) => isMeterMessage(key)));
}

export const METER_MESSAGES: Readonly<Record<'en' | 'es', Partial<Record<MessageKey, string>>>> = { en: subset(en), es: subset(es) };
