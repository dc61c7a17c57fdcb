/**
 * Renders catalog messages at the edge (pages, API errors, CLI, the strength meter). The
 * domain hands over codes and parameters only; this module turns them into a sentence with
 * intl-messageformat, each message compiled once and cached (compiling costs ~20 µs, a
 * cached format ~1 µs). English only until the languages issue (#9) adds Spanish and
 * negotiation; `locale` is threaded through already.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.ts';

export type { MessageKey } from './en.ts';
export type Locale = 'en';
export type MessageParams = Readonly<Record<string, string | number>>;

const compiled = new Map<string, IntlMessageFormat>();

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The sentence of `key` with `params` filled in. Never throws for a known key. */
export function formatMessage(key: MessageKey, params: MessageParams = {}, locale: Locale = 'en'): string {
  const cacheKey = `${locale}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(en[key], locale);
    compiled.set(cacheKey, format);
  }
  return String(format.format(params));
}

/**
 * How long to wait, in words: seconds under two minutes, minutes under two hours, else
 * hours, always rounded up (a client told "1 minute" must not be refused at 59 s).
 */
export function formatWait(seconds: number, locale: Locale = 'en'): string {
  const whole = Math.max(1, Math.ceil(seconds));
  const [value, unit] = whole < 120 ? [whole, 'second'] : whole < 7200 ? [Math.ceil(whole / 60), 'minute'] : [Math.ceil(whole / 3600), 'hour'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** A list in words ("digit, symbol or uppercase letter"). */
export function formatList(items: readonly string[], locale: Locale = 'en', type: 'conjunction' | 'disjunction' = 'disjunction'): string {
  return new Intl.ListFormat(locale, { style: 'long', type }).format(items);
}
