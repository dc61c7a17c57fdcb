/**
 * Renders catalog messages at the edge (pages, mail, API errors, CLI, the strength meter)
 * in English or Spanish. The domain hands over codes and parameters only; this module turns
 * them into a sentence with intl-messageformat, each message compiled once per language and
 * cached (compiling costs ~20 µs, a cached format ~1 µs). The Spanish catalog is typed
 * against the English keys, so a key missing in either fails the type-check, and
 * `catalog.test.ts` checks every placeholder matches.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { numberFormat, listFormat } from './intl-formats.ts';

export type { MessageKey } from './en.ts';
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, es };

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}
export type MessageParams = Readonly<Record<string, string | number>>;

const compiled = new Map<string, IntlMessageFormat>();
/** Sentences without parameters, formatted once: a page renders ~30 of them (menus, headings). */
const plain = new Map<string, string>();
const NO_PARAMS: MessageParams = Object.freeze({});

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The sentence of `key` with `params` filled in. Never throws for a known key. */
export function formatMessage(key: MessageKey, params: MessageParams = NO_PARAMS, locale: Locale = 'en'): string {
  const cacheKey = `${locale}\u0000${key}`;
  const withoutParams = params === NO_PARAMS;
  if (withoutParams) {
    const sentence = plain.get(cacheKey);
    if (sentence !== undefined) return sentence;
  }
  let format = compiled.get(cacheKey);
  if (!format) {
    // ignoreTag: `<command>` in a usage line is text, not ICU rich-text markup; pages escape it.
    format = new IntlMessageFormat(CATALOGS[locale][key], locale, undefined, { ignoreTag: true });
    compiled.set(cacheKey, format);
  }
  const sentence = String(format.format(params));
  if (withoutParams) plain.set(cacheKey, sentence);
  return sentence;
}

/**
 * How long to wait, in words: seconds under two minutes, minutes under two hours, else
 * hours, always rounded up (a client told "1 minute" must not be refused at 59 s).
 */
export function formatWait(seconds: number, locale: Locale = 'en'): string {
  const whole = Math.max(1, Math.ceil(seconds));
  const [value, unit] = whole < 120 ? [whole, 'second'] : whole < 7200 ? [Math.ceil(whole / 60), 'minute'] : [Math.ceil(whole / 3600), 'hour'];
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** A list in words ("digit, symbol or uppercase letter"). */
export function formatList(items: readonly string[], locale: Locale = 'en', type: 'conjunction' | 'disjunction' = 'disjunction'): string {
  return listFormat(locale, { style: 'long', type }).format(items);
}
