// Property: the two catalogs say the same things. Every key exists in both (also enforced by
// the type of es.ts), every message compiles as ICU, both name the same placeholders (a
// Spanish sentence cannot drop `{wait}` or invent `{seconds}`), and no Spanish message is
// left as the English text (names, codes and usage syntax excepted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGS, formatMessage, formatWait, LOCALES, type MessageKey } from './catalog.ts';
import { en } from './en.ts';

type AstNode = { type: number; value?: string; options?: Record<string, { value: AstNode[] }> };

/** The argument names a message uses, nested plural/select branches included. */
function placeholders(message: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: AstNode[]) => {
    for (const node of nodes) {
      // 0 literal, 7 pound (#): no name; the others carry `value`, the argument's name.
      if (node.type !== 0 && node.type !== 7 && node.value !== undefined) names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst() as AstNode[]);
  return [...names].sort();
}

const KEYS = Object.keys(en) as MessageKey[];

/** Words that are the same in both languages: names, endonyms, codes, shared words. */
const SAME_IN_BOTH = new Set(['gatehouse', 'english', 'español', 'error', 'id', 'api', 'openapi', 'json', 'csrf', 'curl', 'url', 'email', 'argon2id', 'no']);

test('every key is in both catalogs and nothing else is', () => {
  for (const locale of LOCALES) assert.deepEqual(Object.keys(CATALOGS[locale]).sort(), [...KEYS].sort(), locale);
});

test('every message compiles and names the same placeholders in both languages', () => {
  const mismatched: string[] = [];
  for (const key of KEYS) {
    const english = placeholders(CATALOGS.en[key], 'en');
    const spanish = placeholders(CATALOGS.es[key], 'es');
    if (english.join() !== spanish.join()) mismatched.push(`${key}: en {${english}} es {${spanish}}`);
  }
  assert.deepEqual(mismatched, []);
});

test('no Spanish message is the English one left untranslated', () => {
  // Identical text is untranslated unless every word in it reads the same in both languages.
  const words = (message: string) => message.replace(/\{[^}]*\}/g, ' ').toLowerCase().match(/\p{L}{2,}/gu) ?? [];
  const untranslated = KEYS.filter(
    (key) => CATALOGS.es[key] === CATALOGS.en[key] && words(CATALOGS.en[key]).some((word) => !SAME_IN_BOTH.has(word)),
  );
  assert.deepEqual(untranslated, []);
});

test('messages render with their parameters in each language', () => {
  assert.equal(formatMessage('error.too_many_requests', { wait: formatWait(120, 'en') }, 'en'), 'Too many attempts. Please wait 2 minutes and try again.');
  assert.equal(formatMessage('error.too_many_requests', { wait: formatWait(120, 'es') }, 'es'), 'Demasiados intentos. Espera 2 minutos y vuelve a intentarlo.');
  assert.equal(formatWait(59, 'es'), '59 segundos');
  assert.equal(formatWait(3601, 'en'), '61 minutes');
  assert.equal(formatWait(7200, 'en'), '2 hours');
  assert.equal(formatMessage('cli.revoked', { count: 1, username: 'ana' }, 'es'), 'se cerró 1 sesión de ana');
});
