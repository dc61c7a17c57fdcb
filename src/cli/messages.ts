/**
 * The CLI's language and sentences. The language comes from the environment as other
 * terminal programs read it (LC_ALL, then LC_MESSAGES, then LANG: `es_ES.UTF-8` → Spanish;
 * anything else, `C` and unset included, → English), and every line a person reads comes
 * from the catalog (`cli.*`, src/messages/en.ts and es.ts). Usage syntax, command names and
 * values are printed as they are typed.
 */
import { formatMessage, type Locale, type MessageKey, type MessageParams } from '../messages/catalog.ts';
import type { CliContext, CliText } from './command.ts';

/** The language the environment asks for, per POSIX's precedence of locale variables. */
export function cliLocale(env: Record<string, string | undefined>): Locale {
  const setting = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  return setting?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

/** One sentence of the catalog in the context's language. */
export function say(context: Pick<CliContext, 'env' | 'locale'>, key: MessageKey, params?: MessageParams): string {
  return formatMessage(key, params, context.locale ?? cliLocale(context.env));
}

/** A CliError's text in the context's language (technical detail passes through as is). */
export function renderCliText(context: Pick<CliContext, 'env' | 'locale'>, text: CliText): string {
  return typeof text === 'string' ? text : say(context, text.key, text.params);
}
