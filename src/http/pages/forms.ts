/**
 * Form schemas (application/x-www-form-urlencoded), built from the shared bounded text field,
 * and their problems in plain words: a field left empty (or missing) is asked for ("Enter a
 * password."), never judged by a rule it cannot meet ("has 0 characters").
 */
import { z } from 'zod';
import { formatMessage, isMessageKey, type Locale, type MessageKey } from '../../messages/catalog.ts';
import { isFieldProblemCode, textField } from '../text-field.ts';

export const registerForm = z.object({
  username: textField(200),
  email: textField(320),
  password: textField(4096),
});

export const changePasswordForm = z.object({
  current_password: textField(4096),
  new_password: textField(4096),
  username: textField(320).optional(),
});

export const loginForm = z.object({
  username: textField(320),
  password: textField(4096),
  next: textField(2048).optional(),
  /** forward-auth's return address (an absolute URL inside FORWARD_AUTH_DOMAINS), when posted as such. */
  rd: textField(4096).optional(),
});

/** The sentence for one field problem (a text-field code) in `locale`, with the field's label. */
export function fieldProblemMessage(field: string, code: string, max: number | undefined, locale: Locale): string {
  const labelKey = `label.${field}`;
  const label = formatMessage(isMessageKey(labelKey) ? labelKey : 'label.form', {}, locale);
  return formatMessage(isFieldProblemCode(code) ? `field.${code}` : 'field.invalid', { label, max: max ?? 0 }, locale);
}

/** What each form asks for when a field is left empty, by field name. */
export type RequiredMessages = Readonly<Record<string, MessageKey>>;

export const REGISTER_REQUIRED: RequiredMessages = {
  username: 'page.form.required.username',
  email: 'page.form.required.email',
  password: 'page.form.required.password',
};
export const LOGIN_REQUIRED: RequiredMessages = { username: 'page.form.required.login_username', password: 'page.form.required.login_password' };
export const CHANGE_PASSWORD_REQUIRED: RequiredMessages = {
  current_password: 'page.form.required.current_password',
  new_password: 'page.form.required.new_password',
};

export type FieldProblem = { field: string; message: string };

/**
 * The first problem of each field, as `{ field, message }` for the form; a missing field of
 * `required` gets its "Enter …" sentence.
 */
export function formProblems(error: z.ZodError, locale: Locale = 'en', required: RequiredMessages = {}): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    const max = issue.code === 'too_big' ? Number(issue.maximum) : undefined;
    const ask = issue.message === 'required' ? required[field] : undefined;
    problems.push({ field, message: ask ? formatMessage(ask, {}, locale) : fieldProblemMessage(field, issue.message, max, locale) });
  }
  return problems;
}

/** The fields of `required` that `values` leaves empty, each with its "Enter …" sentence. */
export function emptyFieldProblems(values: Readonly<Record<string, unknown>>, required: RequiredMessages, locale: Locale): FieldProblem[] {
  return Object.entries(required)
    .filter(([field]) => typeof values[field] !== 'string' || values[field] === '')
    .map(([field, key]) => ({ field, message: formatMessage(key, {}, locale) }));
}

/**
 * `problems` with those of empty fields replaced by the "Enter …" sentence, so each problem
 * is said once and every other field's problems still show.
 */
export function withEmptyFieldsAsked<P extends { field?: string }>(
  problems: readonly P[],
  values: Readonly<Record<string, unknown>>,
  required: RequiredMessages,
  locale: Locale,
): (P | FieldProblem)[] {
  const empty = emptyFieldProblems(values, required, locale);
  const emptyFields = new Set(empty.map((problem) => problem.field));
  const order = Object.keys(required);
  const rest = problems.filter((problem) => !problem.field || !emptyFields.has(problem.field));
  return [...empty, ...rest].sort((a, b) => rank(order, a.field) - rank(order, b.field));
}

function rank(order: readonly string[], field: string | undefined): number {
  const index = field === undefined ? -1 : order.indexOf(field);
  return index === -1 ? order.length : index;
}
