/**
 * Sentences for the problems the domain reports by code: registration fields, the password
 * policy (with its parameters: lengths, score, the zxcvbn hint, missing character classes),
 * a password change. Shared by the pages, the API and the browser strength meter.
 */
import type { PasswordProblemParams } from '../domain/passwords/policy-messages.ts';
import { formatList, formatMessage, isMessageKey, type Locale, type MessageKey } from './catalog.ts';

export interface CodedProblem {
  code: string;
  params?: object;
}

/** The sentence for one problem; an unknown code (a bug) reads as the generic "not valid". */
export function describeProblem(problem: CodedProblem, locale: Locale = 'en'): string {
  const key = `problem.${problem.code}`;
  if (!isMessageKey(key)) return formatMessage('error.invalid_input', {}, locale);
  const params = (problem.params ?? {}) as Partial<PasswordProblemParams> & Record<string, unknown>;
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' || typeof value === 'number') values[name] = value;
  }
  const missing = params.missing ?? [];
  values.missing = formatList(missing.map((item) => formatMessage(`class.${item}` as MessageKey, {}, locale)), locale);
  values.count = missing.length;
  values.hint = params.hint ? ` ${formatMessage(`hint.${params.hint}`, {}, locale)}` : '';
  return formatMessage(key, values, locale);
}
