/**
 * The message catalog as the browser strength meter sees it: the same functions as
 * src/messages/catalog.ts (scripts/build-assets.js bundles this module in its place) over
 * only the entries the meter needs (meter-messages.ts). A key outside the subset is a bug,
 * and reads as the generic "not valid" rather than throwing.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { MessageKey } from '../messages/en.ts';
import { METER_MESSAGES } from './meter-messages.ts';

export type { MessageKey } from '../messages/en.ts';
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export type MessageParams = Readonly<Record<string, string | number>>;

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(METER_MESSAGES.en, key);
}

const compiled = new Map<string, IntlMessageFormat>();

export function formatMessage(key: MessageKey, params: MessageParams = {}, locale: Locale = 'en'): string {
  const source = METER_MESSAGES[locale][key] ?? METER_MESSAGES[locale]['error.invalid_input'] ?? '';
  const cacheKey = `${locale}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(source, locale);
    compiled.set(cacheKey, format);
  }
  return String(format.format(params));
}

export function formatList(items: readonly string[], locale: Locale = 'en', type: 'conjunction' | 'disjunction' = 'disjunction'): string {
  return new Intl.ListFormat(locale, { style: 'long', type }).format(items);
}
