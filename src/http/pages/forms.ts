/**
 * Form schemas (application/x-www-form-urlencoded), built from the shared bounded text field.
 */
import { z } from 'zod';
import { formatMessage, isMessageKey, type Locale } from '../../messages/catalog.ts';
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
});

/** The sentence for one field problem (a text-field code) in `locale`, with the field's label. */
export function fieldProblemMessage(field: string, code: string, max: number | undefined, locale: Locale): string {
  const labelKey = `label.${field}`;
  const label = formatMessage(isMessageKey(labelKey) ? labelKey : 'label.form', {}, locale);
  return formatMessage(isFieldProblemCode(code) ? `field.${code}` : 'field.invalid', { label, max: max ?? 0 }, locale);
}

/** The first problem of each field, as `{ field, message }` for the form's error list. */
export function formProblems(error: z.ZodError, locale: Locale = 'en'): { field: string; message: string }[] {
  const seen = new Set<string>();
  const problems: { field: string; message: string }[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    const max = issue.code === 'too_big' ? Number(issue.maximum) : undefined;
    problems.push({ field, message: fieldProblemMessage(field, issue.message, max, locale) });
  }
  return problems;
}
